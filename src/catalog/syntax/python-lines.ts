// A line-by-line reading of a Jython 2.7 script, next to the tree-sitter parse in python.ts: what a
// tokenizer knows for sure and the grammar does not. It finds strings and comments, brackets, the
// logical lines and their indentation, and writes a copy of the source with three Jython-isms
// neutralised and one tree-sitter-ism evened out, every edit the same length as what it replaces so that positions are unchanged:
//
// - A keyword after a dot is a name in Jython: Janssen's Java packages are imported as
//   `from io.jans.as.server.service import ...` (`as`), Gluu's as `...sender.service.async`.
//   tree-sitter-python reads those as keywords; they become underscores.
// - Indentation mixing spaces and tabs is measured as Python 2 does (see indentAs).
// - `True` and `False` are plain names in Python 2 (`True = 1` is valid); they become underscores.
// - Jython's lexer takes a single-quoted string left open at the end of a line (`print 'Its a weak
//   password."`, in a real Gluu script) as running to the end of the line: `foo('a b` followed by
//   a line `)` is valid Jython. Such a string is closed at the end of its line, so what follows
//   is judged as Jython judges it (`foo('a b)` alone leaves the bracket open).
//
// Measured against Jython 2.7.3 itself on every version of every Gluu and Janssen script found
// (test/corpus/SOURCES.md).

export interface LineProblem {
  offset: number
  message: string
}

export interface LogicalLine {
  /** Offset of the first token. */
  start: number
  /** Offset just after the last token (comments and the line break excluded). */
  end: number
  /** Whether a `:` stands outside brackets (a compound statement's header has one). */
  colon: boolean
}

export interface Reading {
  /** The source with the rewrites above; the same length. */
  text: string
  /** A triple-quoted string never closed. */
  unterminated: LineProblem | undefined
  /** The first closer without its opener, or the first opener never closed. */
  bracket: LineProblem | undefined
  /** The first indentation error, as Python 2 counts columns (a tab to the next multiple of 8). */
  indentation: LineProblem | undefined
  lines: LogicalLine[]
}

const KEYWORDS = new Set([
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'exec',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'print',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
  'True',
  'False',
  'None',
  'match',
  'case',
  'type',
])

const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' }
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' }

const NAME_START = /[\p{L}_]/u
const NAME_PART = /[\p{L}\p{N}_]/u

type Kind = 'name' | 'keyword' | 'string' | 'number' | 'closer' | 'dot' | 'other'

export function readPython(source: string): Reading {
  const chars = source.split('')
  const n = source.length
  let unterminated: LineProblem | undefined
  let bracket: LineProblem | undefined
  let indentation: LineProblem | undefined
  const lines: LogicalLine[] = []
  const stack: { char: string; offset: number }[] = []
  const indents = [0]

  // The last two significant tokens, for `name . keyword`.
  let last = 'other' as Kind
  let beforeLast = 'other' as Kind
  let lineStart = true
  let line: LogicalLine | undefined
  let lastChar = ''
  let blockExpected = false

  const token = (kind: Kind, start: number, end: number, text: string): void => {
    if (line === undefined) {
      line = { start, end, colon: false }
      lines.push(line)
    }
    line.end = end
    if (text === ':' && stack.length === 0) line.colon = true
    beforeLast = last
    last = kind
    lastChar = text
  }

  const endLine = (): void => {
    if (line !== undefined && stack.length === 0) {
      blockExpected = lastChar === ':'
      line = undefined
      lineStart = true
    }
  }

  let i = 0
  while (i < n) {
    const c = source[i]!
    if (lineStart) {
      // Indentation of a new logical line, unless blank or only a comment.
      let column = 0
      const lineIndent = i
      let j = i
      for (; j < n; j++) {
        const d = source[j]
        if (d === ' ') column++
        else if (d === '\t') column = (Math.floor(column / 8) + 1) * 8
        else if (d === '\f') column = 0
        else break
      }
      const next = source[j]
      i = j
      if (next === undefined || next === '\n' || next === '\r' || next === '#') {
        if (next === '#') {
          while (i < n && source[i] !== '\n' && source[i] !== '\r') i++
        }
        if (i < n) i += source[i] === '\r' && source[i + 1] === '\n' ? 2 : 1
        continue
      }
      lineStart = false
      if (/[\t\f]/.test(source.slice(lineIndent, j))) indentAs(lineIndent, j, column)
      if (indentation === undefined) {
        const top = indents[indents.length - 1]!
        if (column > top) {
          if (blockExpected) indents.push(column)
          else indentation = { offset: j, message: 'unexpected indent' }
        } else if (blockExpected) {
          indentation = { offset: j, message: 'expected an indented block' }
        } else if (column < top) {
          while (indents.length > 1 && indents[indents.length - 1]! > column) indents.pop()
          if (indents[indents.length - 1] !== column) {
            indentation = {
              offset: j,
              message: 'unindent does not match any outer indentation level',
            }
          }
        }
      }
      blockExpected = false
      continue
    }
    if (c === '\n' || c === '\r') {
      i += c === '\r' && source[i + 1] === '\n' ? 2 : 1
      endLine()
      continue
    }
    if (c === ' ' || c === '\t' || c === '\f') {
      i++
      continue
    }
    if (c === '#') {
      while (i < n && source[i] !== '\n' && source[i] !== '\r') i++
      continue
    }
    if (c === '\\' && (source[i + 1] === '\n' || source[i + 1] === '\r')) {
      // An explicit line join.
      i += source[i + 1] === '\r' && source[i + 2] === '\n' ? 3 : 2
      continue
    }
    if (c === '"' || c === "'") {
      i = string(i, i)
      continue
    }
    if (NAME_START.test(c)) {
      let j = i + 1
      while (j < n && NAME_PART.test(source[j]!)) j++
      const word = source.slice(i, j)
      if (j - i <= 2 && (source[j] === '"' || source[j] === "'") && /^[a-zA-Z]+$/.test(word)) {
        // A string prefix: u'', r'', ur'', b''...
        i = string(i, j)
        continue
      }
      const afterDot =
        last === 'dot' &&
        (beforeLast === 'name' || beforeLast === 'closer' || beforeLast === 'string')
      if (KEYWORDS.has(word) && (afterDot || word === 'True' || word === 'False')) {
        for (let k = i; k < j; k++) chars[k] = '_'
        token('name', i, j, word)
      } else token(KEYWORDS.has(word) ? 'keyword' : 'name', i, j, word)
      i = j
      continue
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      let j = i + 1
      while (j < n) {
        const d = source[j]!
        if (/[0-9a-zA-Z_.]/.test(d)) j++
        else if (
          (d === '+' || d === '-') &&
          /[eE]/.test(source[j - 1]!) &&
          !/^0[xX]/.test(source.slice(i, j))
        )
          j++
        else break
      }
      token('number', i, j, source.slice(i, j))
      i = j
      continue
    }
    if (c in OPENERS) {
      token('other', i, i + 1, c)
      stack.push({ char: c, offset: i })
    } else if (c in CLOSERS) {
      const open = stack.pop()
      if ((open === undefined || open.char !== CLOSERS[c]) && bracket === undefined) {
        bracket = { offset: i, message: `unexpected ${JSON.stringify(c)}` }
      }
      token('closer', i, i + 1, c)
    } else token(c === '.' ? 'dot' : 'other', i, i + 1, c)
    i++
  }
  const open = stack[0]
  if (open !== undefined && bracket === undefined) {
    const closer = OPENERS[open.char] ?? ')'
    bracket = {
      offset: open.offset,
      message: `missing ${JSON.stringify(closer)} to close ${JSON.stringify(open.char)}`,
    }
  }
  return { text: chars.join(''), unterminated, bracket, indentation, lines }

  /**
   * Rewrites the indentation in [from, to) so that tree-sitter, which counts a tab as 8 columns
   * wherever it stands, measures the column Python 2 does (a tab to the next multiple of 8, so
   * `    \t` is 8 there, 12 for tree-sitter): tabs first, then spaces, with form feeds (which reset
   * the count in both) as padding to keep the length.
   */
  function indentAs(from: number, to: number, column: number): void {
    const tabs = Math.floor(column / 8)
    const spaces = column % 8
    const feeds = to - from - tabs - spaces
    if (feeds < 0) return
    const run = '\f'.repeat(feeds) + '\t'.repeat(tabs) + ' '.repeat(spaces)
    for (let k = 0; k < run.length; k++) chars[from + k] = run[k]!
  }

  /** Reads the string whose prefix starts at `start` and quote at `q`; returns the offset after it. */
  function string(start: number, q: number): number {
    const quote = source[q]!
    const triple = source[q + 1] === quote && source[q + 2] === quote
    const close = triple ? quote.repeat(3) : quote
    let j = q + close.length
    while (j < n) {
      const d = source[j]!
      if (d === '\\') {
        j += source[j + 1] === '\r' && source[j + 2] === '\n' ? 3 : 2
        continue
      }
      if (source.startsWith(close, j)) {
        token('string', start, j + close.length, source.slice(start, j + close.length))
        return j + close.length
      }
      if (!triple && (d === '\n' || d === '\r')) break
      j++
    }
    const end = Math.min(j, n)
    if (triple) {
      unterminated ??= { offset: q, message: 'unterminated string' }
    } else if (end - q >= 2) {
      // Jython's reading: the string runs to the end of the line.
      for (let k = q + 1; k < end - 1; k++) chars[k] = ' '
      chars[end - 1] = quote
    } else {
      chars[q] = '0'
    }
    token('string', start, end, source.slice(start, end))
    return end
  }
}
