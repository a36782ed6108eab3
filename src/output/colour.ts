// Colours for a terminal that shows them (Style.color says whether to use them at all): SGR
// codes, each closed by its own reset so that nesting and a cut line leave nothing switched on.

const SGR = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  magenta: [35, 39],
  cyan: [36, 39],
} as const

export type Paint = keyof typeof SGR

export function paint(colour: Paint, text: string): string {
  const [on, off] = SGR[colour]
  return `\u001b[${on}m${text}\u001b[${off}m`
}

// One pass over JSON text: a string (a key when a colon follows), a literal, a number. The
// string branch has no overlapping alternatives, so no input makes it backtrack.
const JSON_TOKEN =
  /("(?:[^"\\]|\\.)*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/g

/** JSON text (as JSON.stringify writes it) with keys, strings, numbers and literals coloured. */
export function paintJson(text: string): string {
  return text.replace(
    JSON_TOKEN,
    (token, string?: string, colon?: string, literal?: string, number?: string) => {
      if (string !== undefined)
        return colon ? `${paint('cyan', string)}${colon}` : paint('green', string)
      if (literal !== undefined) return paint('magenta', literal)
      if (number !== undefined) return paint('yellow', number)
      return token
    }
  )
}

/** An error line with its code (`E_SCHEMA`) in bold red. */
export function paintError(text: string): string {
  return text.replace(/\bE_[A-Z_]+\b/, (code) => paint('bold', paint('red', code)))
}
