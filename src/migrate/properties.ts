import { AmshError } from '../errors.ts'

// Java's .properties format, as java.util.Properties.load reads it (the format Amster's expression
// files follow): https://docs.oracle.com/en/java/javase/17/docs/api/java.base/java/util/Properties.html#load(java.io.Reader)
//
// - Natural lines end at \n, \r or \r\n. A line ending in an odd number of backslashes goes on
//   into the next one, whose leading blanks (space, tab, form feed) are dropped.
// - A line whose first non-blank character is # or ! is a comment; a backslash at its end does
//   not continue it. Blank lines are skipped.
// - The key runs to the first unescaped =, : or blank; blanks after it, then one = or :, then
//   blanks again, are skipped; the rest of the line is the value.
// - In keys and values, \t \n \r \f stand for those characters, \uXXXX for a UTF-16 unit, and a
//   backslash before any other character for that character. A later key replaces an earlier one.
//
// No package in use parses this; the format is small enough that one was not added for it.

const BLANKS = new Set([' ', '\t', '\f'])

/** The keys and values of a .properties text; `file` names it in errors. */
export function parseProperties(text: string, file: string): Map<string, string> {
  const lines = text.split(/\r\n|\r|\n/)
  const entries = new Map<string, string>()
  let next = 0
  while (next < lines.length) {
    const lineNumber = next + 1
    let line = skipBlanks(lines[next++] ?? '')
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue
    // Pieces joined once at the end: adding to one string line by line would copy it each time.
    // Each piece's own backslashes decide, since a joined piece ends in an even number of them.
    const pieces: string[] = []
    while (endsInOpenBackslash(line)) {
      pieces.push(line.slice(0, -1))
      // At the end of the text, Java drops the dangling backslash and stops.
      line = next < lines.length ? skipBlanks(lines[next++] ?? '') : ''
    }
    pieces.push(line)
    const logical = pieces.join('')
    const [rawKey, rawValue] = splitEntry(logical)
    entries.set(unescape(rawKey, file, lineNumber), unescape(rawValue, file, lineNumber))
  }
  return entries
}

function skipBlanks(line: string): string {
  let i = 0
  while (i < line.length && BLANKS.has(line[i] ?? '')) i++
  return line.slice(i)
}

function endsInOpenBackslash(line: string): boolean {
  let count = 0
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) count++
  return count % 2 === 1
}

function splitEntry(line: string): [string, string] {
  let i = 0
  while (i < line.length) {
    const ch = line[i] ?? ''
    if (ch === '\\') i += 2
    else if (ch === '=' || ch === ':' || BLANKS.has(ch)) break
    else i++
  }
  const key = line.slice(0, Math.min(i, line.length))
  let j = i
  while (j < line.length && BLANKS.has(line[j] ?? '')) j++
  if (line[j] === '=' || line[j] === ':') j++
  while (j < line.length && BLANKS.has(line[j] ?? '')) j++
  return [key, line.slice(j)]
}

const SIMPLE_ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' }
const HEX4 = /^[0-9a-fA-F]{4}$/

function unescape(raw: string, file: string, line: number): string {
  if (!raw.includes('\\')) return raw
  let out = ''
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] ?? ''
    if (ch !== '\\') {
      out += ch
      continue
    }
    const escaped = raw[++i]
    if (escaped === undefined) break
    if (escaped === 'u') {
      const hex = raw.slice(i + 1, i + 5)
      if (!HEX4.test(hex)) {
        throw new AmshError('E_PARSE', `${file}:${line}: a malformed \\u escape (\\u${hex})`, {
          details: { file, line },
        })
      }
      out += String.fromCharCode(parseInt(hex, 16))
      i += 4
    } else {
      out += SIMPLE_ESCAPES[escaped] ?? escaped
    }
  }
  return out
}
