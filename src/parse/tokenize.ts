import { AmshError } from '../errors.ts'

// Splits a command line into words the way a user expects from a shell and from Amster:
//  - whitespace separates words; quotes group them;
//  - 'single quotes' are literal (JSON bodies and script sources go in them unchanged);
//  - "double quotes" take \" \\ and \$ as escapes and keep any other backslash;
//  - outside quotes a backslash escapes the next character;
//  - ${expression}, outside single quotes, is replaced by the expression's value (see `expand`);
//  - a word that starts with { or [ runs until its brackets balance, so a JSON body needs no
//    quotes at all (--body {"name": "a b"}) and may span several lines; it is literal.

export interface Word {
  text: string
  /** Typed as it is: no quotes, escapes or ${}. Only a bare word may name a variable. */
  bare: boolean
}

/** The text a ${expression} stands for; without one, ${...} is kept as typed. */
export type Expand = (expression: string) => string

export type TokenizeResult = { complete: true; words: Word[] } | { complete: false; why: string }

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

/**
 * Index of the `}` closing a ${ whose expression starts at `start`, or -1. The expression may hold
 * JavaScript strings and template literals, which may hold ${ in turn: what is open is kept on a
 * stack rather than in recursion, as `${`${`${... can nest as deep as the line is long.
 */
function expressionEnd(text: string, start: number): number {
  // Innermost last: a string (by its quote) or an expression (with its count of open braces).
  const open: ({ quote: string } | { braces: number })[] = [{ braces: 0 }]
  let i = start
  while (i < text.length) {
    const inner = open[open.length - 1]!
    const ch = text[i]!
    if ('quote' in inner) {
      if (ch === '\\') i++
      else if (ch === inner.quote) open.pop()
      else if (inner.quote === '`' && ch === '$' && text[i + 1] === '{') {
        open.push({ braces: 0 })
        i++
      }
    } else if (ch === "'" || ch === '"' || ch === '`') {
      open.push({ quote: ch })
    } else if (ch === '{') {
      inner.braces++
    } else if (ch === '}') {
      if (inner.braces > 0) inner.braces--
      else {
        open.pop()
        if (open.length === 0) return i
      }
    }
    i++
  }
  return -1
}

export function tokenize(line: string, expand?: Expand): TokenizeResult {
  const words: Word[] = []
  let i = 0
  while (i < line.length) {
    while (i < line.length && isSpace(line[i]!)) i++
    if (i >= line.length) break

    if (line[i] === '{' || line[i] === '[') {
      const end = balancedEnd(line, i)
      if (end < 0) return { complete: false, why: `unbalanced ${line[i]} at column ${i + 1}` }
      words.push({ text: line.slice(i, end), bare: true })
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
    let bare = true
    /** Reads ${...} at `at`; returns the index after it, or -1 when it is not closed. */
    const interpolation = (at: number): number => {
      const close = expressionEnd(line, at + 2)
      if (close < 0) return -1
      word += expand ? expand(line.slice(at + 2, close)) : line.slice(at, close + 1)
      bare = false
      return close + 1
    }
    while (i < line.length && !isSpace(line[i]!)) {
      const ch = line[i]!
      if (ch === "'") {
        const close = line.indexOf("'", i + 1)
        if (close < 0) return { complete: false, why: `unclosed ' at column ${i + 1}` }
        word += line.slice(i + 1, close)
        bare = false
        i = close + 1
      } else if (ch === '"') {
        let j = i + 1
        while (j < line.length && line[j] !== '"') {
          const next = line[j + 1]
          if (line[j] === '\\' && (next === '"' || next === '\\' || next === '$')) {
            word += next
            j += 2
          } else if (line[j] === '$' && next === '{') {
            j = interpolation(j)
            if (j < 0) return { complete: false, why: `unclosed \${ in the " at column ${i + 1}` }
          } else {
            word += line[j]
            j++
          }
        }
        if (j >= line.length) return { complete: false, why: `unclosed " at column ${i + 1}` }
        bare = false
        i = j + 1
      } else if (ch === '\\' && i + 1 < line.length) {
        word += line[i + 1]
        bare = false
        i += 2
      } else if (ch === '$' && line[i + 1] === '{') {
        const after = interpolation(i)
        if (after < 0) return { complete: false, why: `unclosed \${ at column ${i + 1}` }
        i = after
      } else {
        word += ch
        i++
      }
    }
    words.push({ text: word, bare })
  }
  return { complete: true, words }
}
