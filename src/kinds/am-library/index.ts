import { getEntity } from '../../catalog/catalog.ts'
import { parseFilter, type FilterNode } from '../../crest/filter.ts'
import { matchesFilter } from '../../crest/filter-match.ts'
import { queryInMemory } from '../../crest/page.ts'
import { AmshError } from '../../errors.ts'
import type { JsonObject } from '../../json.ts'
import type { QueryParams, QueryResult, Target } from '../../transport/types.ts'
import { decodeScript } from '../am-script/fields.ts'
import type { Kind, KindCollection, StoreAccess } from '../types.ts'
import type { LibraryExport } from './exports.ts'

// AM's script libraries (/json{realm}/libraries): the LIBRARY scripts a realm sees, its own and
// the global ones, each as its id, its name and what its source exports. Nothing is kept: the
// local store answers from its Scripts, reading each source's exports when a query asks for
// them (./exports.ts, which loads acorn, is imported on first use).

/** The scripts libraries are made from. */
const SCRIPTS = 'Scripts'
const LIBRARY_SCRIPTS = 'context eq "LIBRARY"'

let analyse: ((source: string) => LibraryExport[]) | undefined

async function exportsOf(sources: (string | undefined)[]): Promise<LibraryExport[][]> {
  analyse ??= (await import('./exports.ts')).libraryExports
  const read = analyse
  return sources.map((source) => (source === undefined ? [] : read(source)))
}

/** The fields a filter names (the first segment of each pointer). */
function filterFields(filter: FilterNode): Set<string> {
  const fields = new Set<string>()
  const pending = [filter]
  for (let node = pending.pop(); node; node = pending.pop()) {
    if ('field' in node) fields.add(node.field[0] ?? '')
    if ('child' in node) pending.push(node.child)
    if ('children' in node) pending.push(...node.children)
  }
  return fields
}

/** Whether a query's fields show `exports` (all fields do when none are named). */
function showsExports(params: QueryParams): boolean {
  const fields = params.fields?.map((field) => field.replace(/^\//, '').split('/')[0])
  return !fields?.length || fields.includes('exports')
}

function query(store: StoreAccess, target: Target, params: QueryParams): Promise<QueryResult> {
  const realm = target.scope.kind === 'realm' ? target.scope.realm : undefined
  const scripts = store.query(getEntity(SCRIPTS), realm, { filter: LIBRARY_SCRIPTS }).result
  const filter = parseFilter(params.filter)
  const { idField } = target.entity
  const item = (script: JsonObject, exports: LibraryExport[] = []): JsonObject => ({
    [idField]: script._id ?? null,
    name: script.name ?? null,
    exports: exports as unknown as JsonObject[],
  })
  const answer = (items: JsonObject[]) => queryInMemory(items, params, idField)
  // Sources are read only for what the answer needs: a filter on the id and the name alone
  // is applied first, and none are read when the fields leave exports out.
  const byIdAndName = [...filterFields(filter)].every((f) => f === '_id' || f === 'name')
  const candidates = byIdAndName
    ? scripts.filter((script) => matchesFilter(filter, item(script)))
    : scripts
  if ((byIdAndName && !showsExports(params)) || candidates.length === 0) {
    return Promise.resolve(answer(candidates.map((script) => item(script))))
  }
  const sources = candidates.map((script) =>
    typeof script.script === 'string' ? decodeScript(script.script) : undefined
  )
  return exportsOf(sources).then((all) =>
    answer(candidates.map((script, i) => item(script, all[i])))
  )
}

function collection(store: StoreAccess): KindCollection {
  // The catalog offers query only; the store asks for nothing else.
  const refuse = (operation: string) => (target: Target) => {
    throw new AmshError('E_UNSUPPORTED', `${target.entity.name} does not support ${operation}`)
  }
  return {
    create: refuse('create'),
    read: refuse('read'),
    update: refuse('update'),
    delete: refuse('delete'),
    query: (target, params) => query(store, target, params),
  }
}

export const amLibrary: Kind = {
  name: 'am-library',
  store: { collection },
}
