// Code that did not parse cannot be tokenized reliably, so the Groovy idioms are looked for in
// its text, with the insides of strings, templates, regular expressions and comments replaced by
// spaces first (line breaks kept, so offsets and lines stay those of the code): nothing inside
// them is taken for code.

export interface Masked {
  text: string
  /** Groovy's '''...''' and """...""" strings. */
  triples: { start: number; end: number; quote: string }[]
}

const REGEX_AFTER_PUNCTUATOR = /[(,=:[!&|?{};+\-*%<>~^]$/
const REGEX_AFTER_WORD =
  /(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|void|delete|throw|new|await|yield|instanceof)$/

export const isBreak = (c: string | undefined): boolean =>
  c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029'

export function mask(code: string): Masked {
  // split('') splits into UTF-16 units, as offsets count
  const chars = code.split('')
  const triples: Masked['triples'] = []
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to && k < code.length; k++) if (!isBreak(code[k])) chars[k] = ' '
  }
  /** Brace depths at which a template's `${` opened. */
  const templates: number[] = []
  let depth = 0
  let i = 0
  const skipQuoted = (from: number, quote: string): number => {
    let j = from
    while (j < code.length && code[j] !== quote && !isBreak(code[j])) j += code[j] === '\\' ? 2 : 1
    return Math.min(j, code.length)
  }
  const templatePart = (from: number): void => {
    let j = from
    while (j < code.length && code[j] !== '`' && !(code[j] === '$' && code[j + 1] === '{')) {
      j += code[j] === '\\' ? 2 : 1
    }
    blank(from, j)
    if (code[j] === '$') {
      templates.push(depth)
      i = j + 2
    } else i = j + 1
  }
  while (i < code.length) {
    const c = code[i] as string
    const next = code[i + 1]
    if (c === '/' && next === '/') {
      let end = i
      while (end < code.length && !isBreak(code[end])) end++
      blank(i, end)
      i = end
    } else if (c === '/' && next === '*') {
      const close = code.indexOf('*/', i + 2)
      const end = close < 0 ? code.length : close + 2
      blank(i, end)
      i = end
    } else if ((c === '"' || c === "'") && code.startsWith(c.repeat(3), i)) {
      const close = code.indexOf(c.repeat(3), i + 3)
      const end = close < 0 ? code.length : close + 3
      triples.push({ start: i, end, quote: c.repeat(3) })
      blank(i + 3, close < 0 ? end : close)
      i = end
    } else if (c === '"' || c === "'") {
      const end = skipQuoted(i + 1, c)
      blank(i + 1, end)
      i = code[end] === c ? end + 1 : end
    } else if (c === '`') {
      templatePart(i + 1)
    } else if (c === '}' && templates.length > 0 && templates.at(-1) === depth) {
      templates.pop()
      templatePart(i + 1)
    } else if (c === '/' && startsRegex(chars, i)) {
      let j = i + 1
      let inClass = false
      while (j < code.length && !isBreak(code[j]) && (inClass || code[j] !== '/')) {
        if (code[j] === '[') inClass = true
        else if (code[j] === ']') inClass = false
        j += code[j] === '\\' ? 2 : 1
      }
      blank(i + 1, j)
      i = code[j] === '/' ? j + 1 : j
    } else {
      if (c === '{') depth++
      else if (c === '}') depth--
      i++
    }
  }
  return { text: chars.join(''), triples }
}

function startsRegex(chars: string[], slash: number): boolean {
  let k = slash - 1
  while (k >= 0 && /\s/.test(chars[k] ?? '')) k--
  if (k < 0) return true
  const before = chars.slice(Math.max(0, k - 11), k + 1).join('')
  return REGEX_AFTER_PUNCTUATOR.test(before) || REGEX_AFTER_WORD.test(before)
}
