// JavaScript syntax checking with acorn. AM runs JavaScript scripts (legacy and next-generation
// alike) on Mozilla Rhino, whose dialect differs from standard ECMAScript in a few ways that real
// AM scripts rely on. acorn is taught exactly those, each found by measuring real scripts (the
// corpus in test/corpus and the wider set described in test/corpus/SOURCES.md); anything else
// Rhino accepts beyond ECMAScript (E4X, expression closures, array comprehensions, conditional
// catch) stays rejected until a real script needs it.
//
// Deliberately *not* relaxed: a top-level `return`. Rhino rejects it ("invalid return") because AM
// compiles a script as a program, not as a function body; the one real script measured that had
// one was fixed by its authors in the next commit.

import { Parser, tokenizer, tokTypes, type Options, type TokenType } from 'acorn'
import { isStackOverflow, stackGuard, TOO_DEEP } from '../../acorn-stack.ts'
import type { SourceProblem } from './index.ts'
import { applyEdits, JS_LINE_BREAK, lineColumn, unchanged, type Rewritten } from './positions.ts'

const OPTIONS: Options = { ecmaVersion: 'latest', sourceType: 'script' }

/** What the Rhino plugin needs of acorn's parser internals (not in acorn's type declarations). */
interface ParserInternals {
  input: string
  pos: number
  start: number
  next(): void
  raise(pos: number, message: string): never
  parseForStatement(node: unknown): { type: string }
}

// Between `for` and `each`, and between `each` and `(`: white space and comments only.
const EACH_AFTER_FOR =
  /(?:\s|\/\/[^\n\r\u2028\u2029]*|\/\*[\s\S]*?\*\/)*each(?:\s|\/\/[^\n\r\u2028\u2029]*|\/\*[\s\S]*?\*\/)*\(/y

// Rhino's `for each (x in xs)` iterates values rather than keys (a JavaScript 1.6 extension that AM
// scripts use, e.g. Companies House's `for each (cookie in cookies)`). Rhino rejects
// `for each (x of xs)` as "invalid for each loop", and so do we. Handled inside the parser,
// not by rewriting text, so `each` in strings and comments is never touched and positions stay
// exact.
const RhinoParser = Parser.extend(stackGuard, (Base) => {
  const Internal = Base as unknown as new (options: Options, input: string) => ParserInternals
  class RhinoForEach extends Internal {
    override parseForStatement(node: unknown): { type: string } {
      EACH_AFTER_FOR.lastIndex = this.pos
      if (!EACH_AFTER_FOR.test(this.input)) return super.parseForStatement(node)
      // Step onto `each`; acorn's parseForStatement starts by stepping over what it takes to be
      // the `for` keyword, and so lands on `(` as for a plain for loop.
      this.next()
      const eachStart = this.start
      const loop = super.parseForStatement(node)
      if (loop.type === 'ForOfStatement') this.raise(eachStart, 'invalid for each loop')
      return loop
    }
  }
  return RhinoForEach as unknown as typeof Parser
})

// Rhino drops Unicode format characters (category Cf: zero-width space U+200B, zero-width joiners,
// bidi marks, soft hyphen...) from the source outside string literals, as ECMAScript 3 specified,
// so a stray U+200B left by copy-paste from a web page is harmless in AM. acorn follows ES5+ and
// rejects it ("Unexpected character"). Real scripts carry them (e.g. a blank line holding only
// U+200B), so they are removed before parsing, with a position map back to the user's source.
// U+FEFF is left alone: both Rhino and acorn take it for white space. Rhino reads UTF-16 units, so
// only BMP characters count (a supplementary Cf character is two surrogates to Rhino).
const FORMAT_CHAR = /\p{Cf}/gu

function withoutFormatChars(source: string): Rewritten {
  FORMAT_CHAR.lastIndex = 0
  if (!FORMAT_CHAR.test(source)) return unchanged(source)
  const edits = []
  FORMAT_CHAR.lastIndex = 0
  for (let m = FORMAT_CHAR.exec(source); m != null; m = FORMAT_CHAR.exec(source)) {
    if (m[0] === '\uFEFF' || m[0].length !== 1) continue
    edits.push({ at: m.index, remove: 1, insert: '' })
  }
  return edits.length === 0 ? unchanged(source) : applyEdits(source, edits)
}

export function checkJavaScript(source: string): SourceProblem[] {
  const rewritten = withoutFormatChars(source)
  try {
    RhinoParser.parse(rewritten.text, OPTIONS)
    return []
  } catch (error) {
    if (!(error instanceof SyntaxError) || typeof (error as { pos?: unknown }).pos !== 'number') {
      throw error
    }
    // acorn parses recursively and runs out of stack near 700 nested parentheses. That alone
    // says nothing about the script, and a checker must not cry wolf: the brackets are checked
    // without recursion instead, which finds what deep nesting usually hides (an unclosed
    // bracket, template or string).
    if (error.message.startsWith(TOO_DEEP)) return tokenProblems(source, rewritten)
    const pos = (error as SyntaxError & { pos: number }).pos
    const { offset, message } = describe(
      rewritten.text,
      pos,
      error.message.replace(/ \(\d+:\d+\)$/, '')
    )
    const at = lineColumn(source, rewritten.toOriginal(offset), JS_LINE_BREAK)
    return [{ line: at.line, column: at.column, message }]
  }
}

const TOKEN_AT =
  /[\p{ID_Start}$_\\][\p{ID_Continue}$\\]*|\d[\w.]*|\.\.\.|=>|[=!]==?|\*\*=?|<<=?|>>>?=?|[<>]=?|&&=?|\|\|=?|\?\?=?|\?\.|[-+*/%&|^]=?|\+\+|--|[^\s]/uy

/** acorn's messages, made short and specific. */
function describe(
  text: string,
  pos: number,
  acornMessage: string
): { offset: number; message: string } {
  switch (acornMessage) {
    case 'Unexpected token': {
      if (text.slice(pos).trim() === '') return unclosedAtEnd(text, pos)
      TOKEN_AT.lastIndex = pos
      const token = TOKEN_AT.exec(text)?.[0]
      return { offset: pos, message: token ? `unexpected ${quote(token)}` : 'unexpected token' }
    }
    case 'Unterminated string constant':
      return { offset: pos, message: 'unterminated string' }
    case 'Unterminated template literal':
      return { offset: pos, message: 'unterminated template literal' }
    case 'Unterminated comment':
      return { offset: pos, message: 'unterminated comment' }
    case 'Unterminated regular expression':
      return { offset: pos, message: 'unterminated regular expression' }
    case "'return' outside of function":
      return { offset: pos, message: '"return" outside of a function' }
    default:
      return { offset: pos, message: acornMessage }
  }
}

const OPENERS = new Map<TokenType, string>([
  [tokTypes.braceL, '{'],
  [tokTypes.dollarBraceL, '${'],
  [tokTypes.parenL, '('],
  [tokTypes.bracketL, '['],
])
const CLOSERS = new Set<TokenType>([tokTypes.braceR, tokTypes.parenR, tokTypes.bracketR])
const CLOSER_OF: Record<string, string> = { '{': '}', '${': '}', '(': ')', '[': ']' }

/**
 * The source ended inside something. Point at the opening bracket that was never closed: the end
 * of the script says nothing about where the mistake is.
 */
function unclosedAtEnd(text: string, pos: number): { offset: number; message: string } {
  const open: { start: number; label: string }[] = []
  try {
    for (const token of tokenizer(text, OPTIONS)) {
      const label = OPENERS.get(token.type)
      if (label !== undefined) open.push({ start: token.start, label })
      else if (CLOSERS.has(token.type)) open.pop()
    }
  } catch {
    // The tokenizer misread something (it guesses regex versus division without the parser):
    // fall back to the plain message.
    return { offset: pos, message: 'unexpected end of script' }
  }
  const innermost = open.at(-1)
  if (innermost === undefined) return { offset: pos, message: 'unexpected end of script' }
  return {
    offset: innermost.start,
    message: `missing ${quote(CLOSER_OF[innermost.label] ?? '}')} to close ${quote(innermost.label)}`,
  }
}

/**
 * The problems a reading of the tokens alone finds: a closing bracket that closes nothing or the
 * wrong thing, an opening one never closed, a string, template or comment never ended. Linear,
 * without recursion, for code nested too deeply for the parser. [] when the tokens are fine.
 */
function tokenProblems(source: string, rewritten: Rewritten): SourceProblem[] {
  const text = rewritten.text
  const problem = (offset: number, message: string): SourceProblem[] => {
    const at = lineColumn(source, rewritten.toOriginal(offset), JS_LINE_BREAK)
    return [{ line: at.line, column: at.column, message }]
  }
  const open: { start: number; label: string }[] = []
  try {
    for (const token of tokenizer(text, OPTIONS)) {
      const label = OPENERS.get(token.type)
      if (label !== undefined) {
        open.push({ start: token.start, label })
      } else if (CLOSERS.has(token.type)) {
        const closer = text.slice(token.start, token.end)
        const opener = open.pop()
        if (opener === undefined || CLOSER_OF[opener.label] !== closer) {
          return problem(token.start, `unexpected ${quote(closer)}`)
        }
      }
    }
  } catch (error) {
    // A regular expression literal nested too deeply for acorn's validator: nothing to tell.
    if (isStackOverflow(error)) return []
    const pos = (error as { pos?: unknown }).pos
    if (!(error instanceof SyntaxError) || typeof pos !== 'number') throw error
    const described = describe(text, pos, error.message.replace(/ \(\d+:\d+\)$/, ''))
    return problem(described.offset, described.message)
  }
  const innermost = open.at(-1)
  if (innermost === undefined) return []
  const closer = CLOSER_OF[innermost.label] ?? '}'
  return problem(innermost.start, `missing ${quote(closer)} to close ${quote(innermost.label)}`)
}

function quote(token: string): string {
  return JSON.stringify(token.length > 30 ? `${token.slice(0, 30)}…` : token)
}
