import type { JsonValue } from '../json.ts'

// Amster writes its files with Jackson's default pretty printer, and a file amsh exports should
// be one Amster would have written: `"key" : value`, objects indented two spaces per level,
// arrays kept on their object's line (`[ "a", "b" ]`, an object inside one opening on the same
// line), `{ }` and `[ ]` when empty, and no newline at the end. Jackson escapes only what JSON
// requires, with upper-case hex, and leaves other characters (non-ASCII too) as they are.

function quoted(text: string): string {
  return JSON.stringify(text).replace(
    /\\u([0-9a-f]{4})/g,
    (_, hex: string) => `\\u${hex.toUpperCase()}`
  )
}

function write(value: JsonValue, level: number, out: string[]): void {
  if (value == null || typeof value !== 'object') {
    out.push(typeof value === 'string' ? quoted(value) : JSON.stringify(value))
    return
  }
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push('[ ]')
      return
    }
    out.push('[ ')
    value.forEach((item, index) => {
      if (index > 0) out.push(', ')
      write(item, level, out)
    })
    out.push(' ]')
    return
  }
  const keys = Object.keys(value)
  if (keys.length === 0) {
    out.push('{ }')
    return
  }
  const inner = '\n' + '  '.repeat(level + 1)
  out.push('{')
  keys.forEach((key, index) => {
    out.push(index > 0 ? `,${inner}` : inner, quoted(key), ' : ')
    write(value[key]!, level + 1, out)
  })
  out.push('\n' + '  '.repeat(level) + '}')
}

/** The text Amster's export would hold for `value`. */
export function amsterJson(value: JsonValue): string {
  const out: string[] = []
  write(value, 0, out)
  return out.join('')
}
