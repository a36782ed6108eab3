// Reference semantics of a query filter on a plain object. The SQL translation
// (transport/local/filter-sql.ts) must select exactly the objects this accepts; the tests hold
// the two against each other.
//
// - A comparison needs the field present with a value of the filter value's type: strings and
//   numbers compare with strings and numbers only, booleans only with eq. `co`/`sw` are for
//   strings, case-sensitive. Missing fields and null never match a comparison.
// - Strings order by code point (what SQLite's BINARY collation gives on UTF-8). Java, and so AM,
//   orders by UTF-16 unit; the two differ only between U+E000–U+FFFF and characters beyond U+FFFF.
// - A pointer descends through objects only. Arrays are values that no comparison matches (CREST
//   would match if any element does); `pr` is true for an array, as for any non-null value.

import { isJsonObject } from '../json.ts'
import type { JsonObject, JsonValue } from '../json.ts'
import { unsupportedOperator } from './filter.ts'
import type { ComparisonOp, FilterNode, FilterValue } from './filter.ts'

/**
 * Throws E_UNSUPPORTED if the filter has an extended operator anywhere, even in a branch this
 * object would not reach, so that the answer does not depend on the data (as in SQL).
 */
export function matchesFilter(node: FilterNode, obj: JsonObject): boolean {
  assertSupported(node)
  return evaluate(node, obj)
}

function assertSupported(node: FilterNode): void {
  const pending: FilterNode[] = [node]
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.op === 'ext') throw unsupportedOperator(next.name)
    if (next.op === 'not') pending.push(next.child)
    if (next.op === 'and' || next.op === 'or') pending.push(...next.children)
  }
}

function evaluate(node: FilterNode, obj: JsonObject): boolean {
  switch (node.op) {
    case 'true':
      return true
    case 'false':
      return false
    case 'not':
      return !evaluate(node.child, obj)
    case 'and':
      return node.children.every((child) => evaluate(child, obj))
    case 'or':
      return node.children.some((child) => evaluate(child, obj))
    case 'pr': {
      return resolvePointer(obj, node.field) != null // neither absent nor null
    }
    case 'ext':
      throw unsupportedOperator(node.name)
    default:
      return compare(node.op, resolvePointer(obj, node.field), node.value)
  }
}

/** The value a decoded JSON pointer designates, or undefined when there is none. */
export function resolvePointer(obj: JsonObject, path: readonly string[]): JsonValue | undefined {
  let current: JsonValue | undefined = obj
  for (const segment of path) {
    if (!isJsonObject(current) || !Object.hasOwn(current, segment)) return undefined
    current = current[segment]
  }
  return current
}

function compare(op: ComparisonOp, actual: JsonValue | undefined, expected: FilterValue): boolean {
  if (op === 'eq') return actual === expected
  if (typeof actual === 'string' && typeof expected === 'string') {
    switch (op) {
      case 'co':
        return actual.includes(expected)
      case 'sw':
        return actual.startsWith(expected)
      default:
        return ordered(op, compareCodePoints(actual, expected))
    }
  }
  if (typeof actual === 'number' && typeof expected === 'number' && op !== 'co' && op !== 'sw') {
    return ordered(op, actual < expected ? -1 : actual > expected ? 1 : 0)
  }
  return false
}

function ordered(op: 'gt' | 'ge' | 'lt' | 'le', sign: number): boolean {
  switch (op) {
    case 'gt':
      return sign > 0
    case 'ge':
      return sign >= 0
    case 'lt':
      return sign < 0
    case 'le':
      return sign <= 0
  }
}

/** Code point order (UTF-8 byte order), negative, zero or positive like a comparator. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return lift(x) - lift(y)
  }
  return a.length - b.length
}

// Surrogates (which encode U+10000 and above) must sort after U+E000–U+FFFF.
function lift(unit: number): number {
  if (unit < 0xd800) return unit
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000
}
