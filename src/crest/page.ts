import { AmshError } from '../errors.ts'
import type { JsonObject, JsonValue } from '../json.ts'
import { queryEnvelope, type QueryParams, type QueryResult } from '../transport/types.ts'
import { decodePointer, parseFilter } from './filter.ts'
import { compareCodePoints, matchesFilter, resolvePointer } from './filter-match.ts'

// A CREST query answered from items in memory, for collections too small to need SQL (realms)
// and for servers that cannot filter as CREST does (Janssen): the filter, the order, the page
// and the fields, as the store answers them from SQL.

/** `_fields`: the id always, then the named top-level fields that exist. */
export function project(
  doc: JsonObject,
  idField: string,
  fields: string[] | undefined
): JsonObject {
  if (!fields?.length) return doc
  const out: JsonObject = { [idField]: doc[idField] ?? null }
  for (const field of fields) {
    const key = field.replace(/^\//, '').split('/')[0]!
    if (key in doc) out[key] = doc[key]!
  }
  return out
}

/** The store's order of JSON types (filter-sql.ts): none or null, booleans, numbers, strings. */
function rank(value: JsonValue | undefined): number {
  switch (typeof value) {
    case 'boolean':
      return 1
    case 'number':
      return 2
    case 'string':
      return 3
    default:
      return 0
  }
}

function compareValues(a: JsonValue | undefined, b: JsonValue | undefined): number {
  const byRank = rank(a) - rank(b)
  if (byRank !== 0 || rank(a) === 0) return byRank
  if (typeof a === 'string') return compareCodePoints(a, b as string)
  return Number(a) - Number(b)
}

function badSortKey(key: string, problem: string): AmshError {
  return new AmshError('E_PARSE', `bad sort key ${JSON.stringify(key)}: ${problem}`, {
    details: { sortKey: key },
  })
}

/** `name`, `+name` or `-name` as a comparator; a key sorts first when it comes first. */
function comparator(keys: readonly string[]): (a: JsonObject, b: JsonObject) => number {
  const terms = keys.map((key) => {
    const signed = key.startsWith('+') || key.startsWith('-')
    const path = decodePointer(signed ? key.slice(1) : key)
    if (!Array.isArray(path)) throw badSortKey(key, path.problem)
    if (path.length === 0) throw badSortKey(key, 'expected a field, e.g. name or -name')
    return { path, sign: key.startsWith('-') ? -1 : 1 }
  })
  return (a, b) => {
    for (const { path, sign } of terms) {
      const order = compareValues(resolvePointer(a, path), resolvePointer(b, path))
      if (order !== 0) return sign * order
    }
    return 0
  }
}

export function queryInMemory(
  items: JsonObject[],
  params: QueryParams,
  idField: string
): QueryResult {
  const filter = parseFilter(params.filter)
  const all = items.filter((item) => matchesFilter(filter, item))
  // A stable sort: items equal by every key keep the order they came in.
  if (params.sortKeys?.length) all.sort(comparator(params.sortKeys))
  const offset = params.pagedResultsOffset ?? 0
  const size = params.pageSize && params.pageSize > 0 ? params.pageSize : undefined
  const page = size ? all.slice(offset, offset + size) : all.slice(offset)
  const remaining = size ? Math.max(0, all.length - offset - size) : 0
  return queryEnvelope(
    page.map((item) => project(item, idField, params.fields)),
    remaining
  )
}
