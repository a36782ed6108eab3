// CREST query filters and sort keys as SQLite SQL for the local store. The result must select
// exactly what crest/filter-match.ts accepts; the tests run both on the same generated data.
//
// Every leaf yields 0 or 1, never NULL, so NOT, AND and OR mean what they mean in the matcher
// (SQL's NULL would make `NOT (name eq "x")` drop resources that have no name).

import { AmshError } from '../../errors.ts'
import { decodePointer, unsupportedOperator } from '../../crest/filter.ts'
import type { ComparisonOp, FilterNode, FilterValue } from '../../crest/filter.ts'

export type FieldSql =
  /** A TEXT column (BINARY collation) holding the field's string value; NULL means absent. */
  | { kind: 'column'; sql: string }
  /** A value inside a JSON text column, e.g. body. */
  | { kind: 'json'; column: string; path: string[] }
  /** A computed boolean: an SQL expression giving 0 or 1 (NULL means absent). */
  | { kind: 'boolean'; sql: string }

/** Maps a decoded JSON pointer to where its value lives; may throw for fields it refuses. */
export type FieldResolver = (path: string[]) => FieldSql

export interface SqlFragment {
  sql: string
  params: (string | number)[]
}

type Param = string | number

interface Part {
  sql: string
  params: Param[]
  /** An upper bound of the SQLite expression tree height this adds. */
  height: number
}

// SQLite refuses expression trees deeper than SQLITE_MAX_EXPR_DEPTH (1000); keep room for the
// terms the caller puts around the fragment.
const MAX_SQL_HEIGHT = 960
// Bounds the recursion on trees built by hand; the parser's trees are far shallower.
const MAX_NODE_DEPTH = 2000
// The deepest leaf below: a four-term AND over a comparison over a function call.
const LEAF_HEIGHT = 7

const TRUE: Part = { sql: '1', params: [], height: 1 }
const FALSE: Part = { sql: '0', params: [], height: 1 }

/** A condition to AND into a WHERE clause (`?` parameters) selecting what the filter matches. */
export function filterToSql(node: FilterNode, resolve: FieldResolver): SqlFragment {
  const part = translate(node, resolve, 0)
  if (part.height > MAX_SQL_HEIGHT) throw tooDeep()
  return { sql: part.sql, params: part.params }
}

function tooDeep(): AmshError {
  return new AmshError(
    'E_UNSUPPORTED',
    'query filter is nested too deeply for the local store (SQLite limits expression depth); ' +
      'flatten it, e.g. replace (a and (b and c)) by a and b and c'
  )
}

function translate(node: FilterNode, resolve: FieldResolver, depth: number): Part {
  if (depth > MAX_NODE_DEPTH) throw tooDeep()
  switch (node.op) {
    case 'true':
      return TRUE
    case 'false':
      return FALSE
    case 'not': {
      const child = translate(node.child, resolve, depth + 1)
      return { sql: `(NOT ${child.sql})`, params: child.params, height: child.height + 1 }
    }
    case 'and':
    case 'or': {
      const parts = node.children.map((child) => translate(child, resolve, depth + 1))
      return combine(node.op === 'and' ? 'AND' : 'OR', parts)
    }
    case 'ext':
      throw unsupportedOperator(node.name)
    case 'pr':
      return present(resolve(node.field))
    default:
      return compare(node.op, resolve(node.field), node.value)
  }
}

/**
 * Joins terms into a binary tree of the least height, merging the two shallowest first (as
 * Huffman coding does), so one deeply nested term among many costs one level, not log2(n).
 * Terms keep their written order where the tree allows.
 */
function combine(keyword: 'AND' | 'OR', parts: Part[]): Part {
  if (parts.length === 0) return keyword === 'AND' ? TRUE : FALSE
  type Group = Part & { first: number }
  const queued: Group[] = parts
    .map((part, first) => ({ ...part, first }))
    .sort((a, b) => a.height - b.height || a.first - b.first)
  // Merged groups come out in non-decreasing height, so two queues replace a heap.
  const merged: Group[] = []
  let q = 0
  let m = 0
  const take = (): Group => {
    const a = queued[q]
    const b = merged[m]
    if (a && (!b || a.height <= b.height)) {
      q++
      return a
    }
    m++
    return b as Group
  }
  while (queued.length - q + merged.length - m > 1) {
    const a = take()
    const b = take()
    const [x, y] = a.first < b.first ? [a, b] : [b, a]
    merged.push({
      sql: `(${x.sql} ${keyword} ${y.sql})`,
      params: x.params.concat(y.params),
      height: Math.max(x.height, y.height) + 1,
      first: x.first,
    })
  }
  const { sql, params, height } = take()
  return { sql, params, height }
}

function leaf(sql: string, params: Param[] = []): Part {
  return { sql: `(${sql})`, params, height: LEAF_HEIGHT }
}

function present(field: FieldSql): Part {
  switch (field.kind) {
    case 'column':
      return leaf(`${field.sql} IS NOT NULL`)
    case 'boolean':
      return leaf(`(${field.sql}) IS NOT NULL`)
    case 'json':
      return leaf(`ifnull(json_type(${field.column}, ?), 'null') <> 'null'`, [jsonPath(field.path)])
  }
}

function compare(op: ComparisonOp, field: FieldSql, value: FilterValue): Part {
  switch (field.kind) {
    case 'column':
      return typeof value === 'string' ? compareColumn(op, field.sql, value) : FALSE
    case 'boolean':
      return op === 'eq' && typeof value === 'boolean'
        ? leaf(`(${field.sql}) IS ${value ? 1 : 0}`)
        : FALSE
    case 'json':
      return compareJson(op, field.column, jsonPath(field.path), value)
  }
}

const ORDER_SQL = { gt: '>', ge: '>=', lt: '<', le: '<=' } as const

function compareColumn(op: ComparisonOp, col: string, value: string): Part {
  switch (op) {
    case 'eq':
      return leaf(`${col} IS ?`, [value])
    case 'co':
      return leaf(`${col} IS NOT NULL AND instr(${col}, ?) > 0`, [value])
    case 'sw': {
      if (value === '') return leaf(`${col} IS NOT NULL`)
      // The range lets SQLite use an index on the column. It is exact only under BINARY
      // collation; instr() re-checks the prefix whatever the column's collation.
      const upper = prefixUpperBound(value)
      return upper === undefined
        ? leaf(`${col} IS NOT NULL AND ${col} >= ? AND instr(${col}, ?) = 1`, [value, value])
        : leaf(`${col} IS NOT NULL AND ${col} >= ? AND ${col} < ? AND instr(${col}, ?) = 1`, [
            value,
            upper,
            value,
          ])
    }
    default:
      return leaf(`${col} IS NOT NULL AND ${col} ${ORDER_SQL[op]} ?`, [value])
  }
}

function compareJson(op: ComparisonOp, col: string, path: string, value: FilterValue): Part {
  const type = `json_type(${col}, ?)`
  const extract = `json_extract(${col}, ?)`
  // json_extract alone cannot tell the string "1" or true from the number 1: check the type.
  const isText = `${type} IS 'text'`
  const isNumber = `ifnull(${type}, '') IN ('integer', 'real')`

  if (typeof value === 'boolean') {
    return op === 'eq' ? leaf(`${type} IS '${value}'`, [path]) : FALSE
  }
  if (typeof value === 'number') {
    if (op === 'co' || op === 'sw') return FALSE
    const sign = op === 'eq' ? '=' : ORDER_SQL[op]
    return leaf(`${isNumber} AND ${extract} ${sign} ?`, [path, path, value])
  }
  switch (op) {
    case 'eq':
      return leaf(`${isText} AND ${extract} = ?`, [path, path, value])
    case 'co':
      return leaf(`${isText} AND instr(${extract}, ?) > 0`, [path, path, value])
    case 'sw': {
      if (value === '') return leaf(isText, [path])
      // A range on the code-point order is exact (see prefixUpperBound); substr() and length()
      // would stop at a NUL character.
      const upper = prefixUpperBound(value)
      return upper === undefined
        ? leaf(`${isText} AND ${extract} >= ?`, [path, path, value])
        : leaf(`${isText} AND ${extract} >= ? AND ${extract} < ?`, [path, path, value, path, upper])
    }
    default:
      return leaf(`${isText} AND ${extract} ${ORDER_SQL[op]} ?`, [path, path, value])
  }
}

/**
 * The least string greater than every string starting with `prefix` (in code point order, which
 * is SQLite's BINARY order on UTF-8): the prefix with its last character incremented. None when
 * the prefix is all U+10FFFF.
 */
function prefixUpperBound(prefix: string): string | undefined {
  const chars = Array.from(prefix)
  while (chars.length > 0) {
    const last = (chars.pop() as string).codePointAt(0) as number
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1 // no characters between
      return chars.join('') + String.fromCodePoint(next)
    }
  }
  return undefined
}

/**
 * A JSON1 path for the keys, each quoted so that any key works (dots, spaces, brackets, quotes).
 * Quotes, backslashes, control characters and lone surrogates are written as \uXXXX escapes,
 * which SQLite decodes in quoted path labels; raw they would end the label or not survive the
 * conversion to UTF-8. A key holding U+0000 is refused: SQLite compares labels only up to the
 * first NUL, so `a\u0000b` would find `a`.
 */
export function jsonPath(path: readonly string[]): string {
  const bad = path.find((key) => key.includes('\u0000'))
  if (bad !== undefined) {
    throw new AmshError(
      'E_UNSUPPORTED',
      `the local store cannot look up a field whose name contains U+0000 (${JSON.stringify(bad)})`
    )
  }
  return '$' + path.map((key) => `."${escapeLabel(key)}"`).join('')
}

function escapeLabel(key: string): string {
  let label = ''
  for (const char of key) {
    // for...of yields a surrogate pair as one character, a lone surrogate on its own
    const code = char.codePointAt(0) as number
    const lone = code >= 0xd800 && code <= 0xdfff
    const escape = code < 0x20 || char === '"' || char === '\\' || lone
    label += escape ? `\\u${code.toString(16).padStart(4, '0')}` : char
  }
  return label
}

/**
 * ORDER BY terms (without the keyword; '' for no keys) for CREST sort keys: `name`, `+name`,
 * `-creationDate`, `/a/b`. As AM does, absent and null values come first ascending and last
 * descending; objects and arrays count as absent. Values of different types order as
 * booleans < numbers < strings (AM would fail the request). Strings order by code point.
 * The caller should append a unique column to make paging stable.
 */
export function sortToSql(keys: string[], resolve: FieldResolver): string {
  return keys.map((key) => sortTerms(key, resolve)).join(', ')
}

function sortTerms(key: string, resolve: FieldResolver): string {
  const signed = key.startsWith('+') || key.startsWith('-')
  const pointer = signed ? key.slice(1) : key
  if (pointer === '') {
    throw badSortKey(key, `expected a field${signed ? ` after "${key}"` : ''}, e.g. name or -name`)
  }
  if (/\s/.test(key)) {
    throw badSortKey(
      key,
      'it contains white space (give keys as name,-creationDate; in a URL write "+" as %2B)'
    )
  }
  const path = decodePointer(pointer)
  if (!Array.isArray(path)) throw badSortKey(key, path.problem)
  if (path.length === 0) throw badSortKey(key, 'it names the whole resource, not a field')

  const dir = key.startsWith('-') ? 'DESC' : 'ASC'
  const field = resolve(path)
  switch (field.kind) {
    case 'column':
      return `${field.sql} ${dir}`
    case 'boolean':
      return `(${field.sql}) ${dir}`
    case 'json': {
      const p = sqlTextLiteral(jsonPath(field.path))
      const type = `json_type(${field.column}, ${p})`
      const rank =
        `CASE ${type} WHEN 'true' THEN 1 WHEN 'false' THEN 1 ` +
        `WHEN 'integer' THEN 2 WHEN 'real' THEN 2 WHEN 'text' THEN 3 ELSE 0 END`
      const value = `CASE WHEN ${rank} > 0 THEN json_extract(${field.column}, ${p}) END`
      return `${rank} ${dir}, ${value} ${dir}`
    }
  }
}

function badSortKey(key: string, problem: string): AmshError {
  return new AmshError('E_PARSE', `bad sort key ${JSON.stringify(key)}: ${problem}`, {
    details: { sortKey: key },
  })
}

// sortToSql returns bare SQL (no parameters), so a path goes in as a hex blob literal: the SQL
// text then holds only hex digits, never a character the user typed.
function sqlTextLiteral(text: string): string {
  return `CAST(X'${Buffer.from(text, 'utf8').toString('hex')}' AS TEXT)`
}
