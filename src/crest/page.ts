import type { JsonObject } from '../json.ts'
import { queryEnvelope, type QueryParams, type QueryResult } from '../transport/types.ts'
import { parseFilter } from './filter.ts'
import { matchesFilter } from './filter-match.ts'

// A CREST query answered from items in memory, for collections too small to need SQL (realms):
// the filter, the page and the fields, as the store answers them from SQL.

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

export function queryInMemory(
  items: JsonObject[],
  params: QueryParams,
  idField: string
): QueryResult {
  const filter = parseFilter(params.filter)
  const all = items.filter((item) => matchesFilter(filter, item))
  const offset = params.pagedResultsOffset ?? 0
  const size = params.pageSize && params.pageSize > 0 ? params.pageSize : undefined
  const page = size ? all.slice(offset, offset + size) : all.slice(offset)
  const remaining = size ? Math.max(0, all.length - offset - size) : 0
  return queryEnvelope(
    page.map((item) => project(item, idField, params.fields)),
    remaining
  )
}
