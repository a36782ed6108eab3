// The CREST query filter language (`_queryFilter`), parsed the way ForgeRock's QueryFilterParser
// reads it, so that a filter amsh accepts means the same thing to a real AM.
//
// amsh accepts a subset of what CREST accepts and never gives an accepted filter another meaning.
// Where CREST silently reads a likely mistake as something else, amsh refuses it with a hint:
// `!name pr` (CREST: a field called "!name"), `and`/`or` where a field or operator belongs, quoted
// field names, tabs or newlines between tokens, `~` escapes other than ~0/~1, integers that a JS
// number cannot hold exactly, and Java-only number spellings (`1.5f`, hex floats).

import { AmshError } from '../errors.ts'

export type FilterValue = string | number | boolean

export type ComparisonOp = 'eq' | 'co' | 'sw' | 'gt' | 'ge' | 'lt' | 'le'

/** A parsed filter. `field` is a decoded JSON pointer: `/a/b` → ['a', 'b'], `name` → ['name']. */
export type FilterNode =
  | { op: 'and' | 'or'; children: FilterNode[] }
  | { op: 'not'; child: FilterNode }
  | { op: ComparisonOp; field: string[]; value: FilterValue }
  | { op: 'pr'; field: string[] }
  | { op: 'true' | 'false' }
  | { op: 'ext'; name: string; field: string[]; value: FilterValue }

/** Parenthesis nesting allowed; deeper filters are refused before they can exhaust the stack. */
export const MAX_FILTER_DEPTH = 256

export const COMPARISON_OPS: readonly ComparisonOp[] = ['eq', 'co', 'sw', 'gt', 'ge', 'lt', 'le']

const OPERATOR_LIST = 'eq, co, sw, gt, ge, lt, le, pr or an extended operator'
const VALUE_LIST = 'a quoted string, a number, true or false'
const EXTENDED_OPERATOR = /^[a-zA-Z_0-9.]+$/
const INTEGER = /^[+-]?\d+$/
const DECIMAL = /^[+-]?(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?$/

type Token =
  | { kind: 'word'; text: string; start: number }
  | { kind: 'open' | 'close'; start: number }
  | { kind: 'string'; text: string; start: number }
  | { kind: 'end'; start: number }

export function parseFilter(text: string): FilterNode {
  return new Parser(text).parse()
}

/**
 * Decodes a JSON pointer the way CREST's JsonPointer does: a leading and a trailing `/` are
 * ignored, so `name` ≡ `/name` and `/` is the whole resource; `~1` is `/` and `~0` is `~`.
 * Returns the problem, and its offset in `text`, when a `~` escapes nothing.
 */
export function decodePointer(text: string): string[] | { problem: string; offset: number } {
  const parts = text.split('/')
  const path: string[] = []
  let offset = 0
  for (const [i, part] of parts.entries()) {
    const ignored = part === '' && (i === 0 || i === parts.length - 1)
    if (!ignored) {
      const bad = /~(?![01])/.exec(part)
      if (bad) {
        const escape = part.slice(bad.index, bad.index + 2)
        return {
          problem: `"${escape}" is not a JSON pointer escape (write ~0 for "~" and ~1 for "/")`,
          offset: offset + bad.index,
        }
      }
      path.push(part.replace(/~([01])/g, (_, d: string) => (d === '0' ? '~' : '/')))
    }
    offset += part.length + 1
  }
  return path
}

/** The error for an extended operator, which nothing in amsh evaluates. */
export function unsupportedOperator(name: string): AmshError {
  const near = COMPARISON_OPS.find((op) => isOneEditAway(name.toLowerCase(), op))
  const hint = near ? `; did you mean "${near}"?` : ''
  return new AmshError(
    'E_UNSUPPORTED',
    `query filter operator "${name}" is not supported (amsh evaluates eq, co, sw, gt, ge, lt, le and pr${hint})`,
    { details: { operator: name } }
  )
}

function isOneEditAway(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  const rest = (s: string, n: number) => s.slice(i + n)
  return (
    rest(a, 1) === rest(b, 1) ||
    rest(a, 1) === rest(b, 0) ||
    rest(a, 0) === rest(b, 1) ||
    (a[i] === b[i + 1] && a[i + 1] === b[i] && rest(a, 2) === rest(b, 2))
  )
}

class Parser {
  private readonly tokens: Token[]
  private index = 0
  private depth = 0

  constructor(private readonly text: string) {
    this.tokens = tokenize(text, (offset, problem) => this.fail(offset, problem))
  }

  parse(): FilterNode {
    if (this.peek().kind === 'end') {
      this.fail(0, 'the filter is empty (write true to match everything)')
    }
    const node = this.parseOr()
    const next = this.peek()
    if (next.kind === 'close') this.fail(next.start, 'unbalanced ")"')
    if (next.kind !== 'end') {
      this.fail(
        next.start,
        `expected "and", "or" or the end of the filter, found ${describe(next)}`
      )
    }
    return node
  }

  private parseOr(): FilterNode {
    const children = [this.parseAnd()]
    while (this.atKeyword('or')) {
      this.index++
      children.push(this.parseAnd())
    }
    return children.length === 1 ? (children[0] as FilterNode) : { op: 'or', children }
  }

  private parseAnd(): FilterNode {
    const children = [this.parseNot()]
    while (this.atKeyword('and')) {
      this.index++
      children.push(this.parseNot())
    }
    return children.length === 1 ? (children[0] as FilterNode) : { op: 'and', children }
  }

  private parseNot(): FilterNode {
    const token = this.peek()
    if (token.kind === 'word' && token.text === '!') {
      this.index++
      return { op: 'not', child: this.parsePrimary(token) }
    }
    if (token.kind === 'word' && token.text.startsWith('!')) {
      const rest = token.text.slice(1)
      this.fail(
        token.start,
        `"!" must be followed by "(" or a space: write !(${rest} ...) or ! ${rest} ...`
      )
    }
    return this.parsePrimary(this.tokens[this.index - 1])
  }

  private parsePrimary(previous: Token | undefined): FilterNode {
    const token = this.next()
    const after = previous ? ` after ${describe(previous)}` : ''
    const expected = `expected a comparison, "(", "!", true or false${after}`
    switch (token.kind) {
      case 'open':
        return this.parseGroup(token)
      case 'string': {
        const plain = /^[^\s()]+$/.test(token.text)
        const hint = plain
          ? `: write ${token.text} or /${token.text}`
          : ' (and cannot hold spaces or parentheses)'
        return this.fail(token.start, `field names are not quoted${hint}`)
      }
      case 'close':
      case 'end':
        return this.fail(token.start, `${expected}, found ${describe(token)}`)
    }
    const word = token.text.toLowerCase()
    if (word === 'true' || word === 'false') return { op: word }
    if (word === 'and' || word === 'or') {
      this.fail(
        token.start,
        `${expected}, found "${token.text}" (a field called ${word} is written /${word})`
      )
    }
    if (token.text.startsWith('!')) {
      this.fail(token.start, `"!" cannot follow "!" directly: write !(!(...))`)
    }
    return this.parseAssertion(token)
  }

  private parseGroup(open: Token): FilterNode {
    if (++this.depth > MAX_FILTER_DEPTH) {
      this.fail(open.start, `nested deeper than ${MAX_FILTER_DEPTH} levels`)
    }
    const node = this.parseOr()
    const close = this.next()
    if (close.kind === 'end') {
      this.fail(
        close.start,
        `expected ")" to close the "(" at column ${this.column(open.start)}, found the end of the filter`
      )
    }
    if (close.kind !== 'close') {
      this.fail(close.start, `expected "and", "or" or ")", found ${describe(close)}`)
    }
    this.depth--
    return node
  }

  private parseAssertion(fieldToken: Token & { kind: 'word' }): FilterNode {
    const field = decodePointer(fieldToken.text)
    if (!Array.isArray(field)) return this.fail(fieldToken.start + field.offset, field.problem)

    const opToken = this.next()
    if (opToken.kind !== 'word' || /^(and|or)$/i.test(opToken.text)) {
      return this.fail(
        opToken.start,
        `expected an operator after ${describe(fieldToken)} (${OPERATOR_LIST}), found ${describe(opToken)}`
      )
    }
    const op = opToken.text.toLowerCase()
    if (op === 'pr') return { op: 'pr', field }
    if (!EXTENDED_OPERATOR.test(opToken.text)) {
      this.fail(
        opToken.start,
        `unknown operator "${opToken.text}" (expected ${OPERATOR_LIST} of letters, digits, "_" and ".")`
      )
    }

    const value = this.parseValue(opToken)
    const core = COMPARISON_OPS.find((known) => known === op)
    return core ? { op: core, field, value } : { op: 'ext', name: opToken.text, field, value }
  }

  private parseValue(opToken: Token & { kind: 'word' }): FilterValue {
    const token = this.next()
    const expected = `expected a value after "${opToken.text}" (${VALUE_LIST})`
    if (token.kind === 'string') return token.text
    if (token.kind !== 'word')
      return this.fail(token.start, `${expected}, found ${describe(token)}`)

    const word = token.text
    if (/^true$/i.test(word)) return true
    if (/^false$/i.test(word)) return false
    if (word.includes('.') ? DECIMAL.test(word) : INTEGER.test(word)) {
      const n = Number(word)
      if (!Number.isFinite(n)) this.fail(token.start, `the number ${word} is out of range`)
      if (!word.includes('.') && !Number.isSafeInteger(n)) {
        this.fail(
          token.start,
          `the integer ${word} is too large to compare exactly (the limit is ±${Number.MAX_SAFE_INTEGER})`
        )
      }
      return n === 0 ? 0 : n // -0 would otherwise show up in the AST
    }
    const hint = /^[+-]?[\d.]/.test(word) ? '' : `; strings need quotes: "${word}"`
    return this.fail(token.start, `${expected}, found ${word}${hint}`)
  }

  private atKeyword(keyword: 'and' | 'or'): boolean {
    const token = this.peek()
    return token.kind === 'word' && token.text.toLowerCase() === keyword
  }

  private peek(): Token {
    return this.tokens[this.index] ?? this.endToken()
  }

  private next(): Token {
    const token = this.peek()
    if (token.kind !== 'end') this.index++
    return token
  }

  private endToken(): Token {
    return { kind: 'end', start: this.text.length }
  }

  /** 1-based, in characters (code points), as an editor would show it. */
  private column(offset: number): number {
    return Array.from(this.text.slice(0, offset)).length + 1
  }

  private fail(offset: number, problem: string): never {
    const column = this.column(offset)
    throw new AmshError('E_PARSE', `bad query filter at column ${column}: ${problem}`, {
      details: { filter: this.text, column },
    })
  }
}

/**
 * Splits a filter the way CREST's FilterTokenizer does: only spaces separate tokens, `(` and `)`
 * stand alone, and a quote opens a string only where a token starts (`x"y"` is one word).
 */
function tokenize(text: string, fail: (offset: number, problem: string) => never): Token[] {
  const tokens: Token[] = []
  let pos = 0
  while (pos < text.length) {
    const c = text[pos] as string
    if (c === ' ') {
      pos++
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c === '(' ? 'open' : 'close', start: pos })
      pos++
    } else if (c === '"' || c === "'") {
      const start = pos
      let value = ''
      pos++
      while (pos < text.length && text[pos] !== c) {
        if (text[pos] === '\\') {
          if (pos + 1 === text.length) {
            fail(
              pos,
              'a "\\" at the end of the filter escapes nothing (write \\\\ for a backslash)'
            )
          }
          pos++
        }
        value += text[pos]
        pos++
      }
      if (pos === text.length) {
        fail(
          pos,
          `unclosed quote starting at column ${Array.from(text.slice(0, start)).length + 1}`
        )
      }
      pos++
      tokens.push({ kind: 'string', text: value, start })
    } else {
      const start = pos
      while (pos < text.length && !' ()'.includes(text[pos] as string)) {
        const space = /\s/.exec(text[pos] as string)
        if (space) {
          fail(pos, `only spaces may separate the parts of a filter, found ${nameSpace(space[0])}`)
        }
        pos++
      }
      tokens.push({ kind: 'word', text: text.slice(start, pos), start })
    }
  }
  return tokens
}

function nameSpace(c: string): string {
  if (c === '\t') return 'a tab'
  if (c === '\n' || c === '\r') return 'a line break'
  return `the character U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'open':
      return '"("'
    case 'close':
      return '")"'
    case 'end':
      return 'the end of the filter'
    case 'string':
      return `the string ${JSON.stringify(clip(token.text))}`
    case 'word':
      return `"${clip(token.text)}"`
  }
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s
}
