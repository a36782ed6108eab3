import { AmshError } from '../errors.ts'

// Splits a command line into words the way a user expects from a shell and from Amster:
//  - whitespace separates words; quotes group them;
//  - 'single quotes' are literal (JSON bodies go in them unchanged);
//  - "double quotes" take \" and \\ as escapes and keep any other backslash;
//  - outside quotes a backslash escapes the next character;
//  - a word that starts with { or [ runs until its brackets balance, so a JSON body needs no
//    quotes at all (--body {"name": "a b"}) and may span several lines.
// yargs-parser's own splitter knows none of this, so the words are handed to it ready-made.

export type TokenizeResult = { complete: true; words: string[] } | { complete: false; why: string }

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r'
}

/** Reads a balanced JSON-ish value starting at `start`; returns the index after it, or -1. */
function balancedEnd(line: string, start: number): number {
  let depth = 0
  let i = start
  while (i < line.length) {
    const ch = line[i]!
    if (ch === '"') {
      i++
      while (i < line.length && line[i] !== '"') i += line[i] === '\\' ? 2 : 1
      if (i >= line.length) return -1
    } else if (ch === '{' || ch === '[') {
      depth++
    } else if (ch === '}' || ch === ']') {
      depth--
      if (depth === 0) return i + 1
    }
    i++
  }
  return -1
}

export function tokenize(line: string): TokenizeResult {
  const words: string[] = []
  let i = 0
  while (i < line.length) {
    while (i < line.length && isSpace(line[i]!)) i++
    if (i >= line.length) break

    if (line[i] === '{' || line[i] === '[') {
      const end = balancedEnd(line, i)
      if (end < 0) return { complete: false, why: `unbalanced ${line[i]} at column ${i + 1}` }
      words.push(line.slice(i, end))
      i = end
      if (i < line.length && !isSpace(line[i]!)) {
        throw new AmshError(
          'E_PARSE',
          `unexpected "${line[i]}" right after the JSON value ending at column ${i}`,
          { details: { column: i + 1 } }
        )
      }
      continue
    }

    let word = ''
    while (i < line.length && !isSpace(line[i]!)) {
      const ch = line[i]!
      if (ch === "'") {
        const close = line.indexOf("'", i + 1)
        if (close < 0) return { complete: false, why: `unclosed ' at column ${i + 1}` }
        word += line.slice(i + 1, close)
        i = close + 1
      } else if (ch === '"') {
        let j = i + 1
        while (j < line.length && line[j] !== '"') {
          if (line[j] === '\\' && (line[j + 1] === '"' || line[j + 1] === '\\')) {
            word += line[j + 1]
            j += 2
          } else {
            word += line[j]
            j++
          }
        }
        if (j >= line.length) return { complete: false, why: `unclosed " at column ${i + 1}` }
        i = j + 1
      } else if (ch === '\\' && i + 1 < line.length) {
        word += line[i + 1]
        i += 2
      } else {
        word += ch
        i++
      }
    }
    words.push(word)
  }
  return { complete: true, words }
}
