import type { Profile } from '../catalog/profiles.ts'
import { decodePointer, parseFilter, type FilterNode } from '../crest/filter.ts'
import { matchesFilter, resolvePointer } from '../crest/filter-match.ts'
import { revision } from '../crest/revision.ts'
import { isJsonObject, type JsonObject, type JsonValue } from '../json.ts'
import { checkResourceVersion, HttpError, type ApiVersion } from './crest.ts'
import type { ApiRequest, ApiResponse } from './http-api.ts'
import { queryEnvelope } from '../transport/types.ts'

// What a client asks to learn a product's script contexts (AM calls them script types), answered
// as AM answers (research/am-rest.md §1.3, §5.6), from the product profile:
//
// - /json/global-config/services/scripting/contexts[/{id}]: the scripting service's contexts,
//   each with its languages and its default script; an SMS collection, so a query's envelope
//   counts no remaining pages (-1) and items carry a _rev and a _type.
// - /json[/realms/root...]/contexts/{id}: a context's evaluator versions per language and, per
//   evaluator version, the Java classes its scripts may use. Read by id only: AM refuses to list
//   the collection (400 for a read of it, 501 for a query or an action).
//
// Both are resource version 1.0 and read-only here: changing a context (AM allows a PUT on the
// scripting service's) is not something amsh serve offers.

const VERSION = { major: 1, minor: 0 }

const TYPE: JsonObject = { _id: 'contexts', name: 'scriptContext', collection: true }

/** What the profile says of each context beyond its languages (schemas/profiles/*.json). */
interface ContextData {
  scriptContexts: Record<string, { defaultScript: string; allowLists: Record<string, string> }>
  /** Lists of Java class name patterns by name: contexts that share a list name it. */
  allowLists: Record<string, string[]>
}

function dataOf(profile: Profile): ContextData {
  const data = profile as Profile & Partial<ContextData>
  return { scriptContexts: data.scriptContexts ?? {}, allowLists: data.allowLists ?? {} }
}

/** One context as the scripting service lists it. */
function serviceItem(profile: Profile, id: string): JsonObject {
  const languages = Object.keys(profile.contexts[id] ?? {})
  const defaultScript = dataOf(profile).scriptContexts[id]?.defaultScript ?? '[Empty]'
  return {
    _id: id,
    // AM's _rev hashes the stored configuration; this one changes when what it describes does.
    _rev: revision(`${id}:${languages.join(',')}:${defaultScript}`),
    languages,
    defaultScript,
    _type: TYPE,
  }
}

function metadata(profile: Profile, id: string): JsonObject {
  const data = dataOf(profile)
  const allowLists: JsonObject = {}
  for (const [version, name] of Object.entries(data.scriptContexts[id]?.allowLists ?? {})) {
    allowLists[version] = data.allowLists[name] ?? []
  }
  return { _id: id, allowLists, evaluatorVersions: profile.contexts[id] ?? {} }
}

/** `protocol=2.0,resource=1.0, resource=1.0`: what AM's query responses carry, as recorded. */
function queryVersionHeader(api: ApiVersion): string {
  const { major, minor } = api.protocol
  return `protocol=${major}.${minor},resource=1.0, resource=1.0`
}

function filterOf(query: URLSearchParams): FilterNode {
  const text = query.get('_queryFilter') ?? ''
  try {
    return parseFilter(text)
  } catch {
    throw new HttpError(
      400,
      `The value '${text}' for parameter '_queryFilter' could not be parsed as a valid query filter`
    )
  }
}

/** `_fields=a,b/c`: those fields (JSON pointers) of the resource, with its _id and _rev. */
function project(item: JsonObject, query: URLSearchParams): JsonObject {
  const fields = (query.get('_fields') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (fields.length === 0) return item
  const projected: JsonObject = { _id: item._id ?? null }
  if (item._rev !== undefined) projected._rev = item._rev
  for (const field of fields) {
    const path = decodePointer(field)
    if (!Array.isArray(path)) throw new HttpError(400, `_fields "${field}": ${path.problem}`)
    if (path.length === 0) return item
    const value = resolvePointer(item, path)
    if (value !== undefined) place(projected, path, value)
  }
  return projected
}

function place(target: JsonObject, path: string[], value: JsonValue): void {
  let at = target
  for (const segment of path.slice(0, -1)) {
    const next = at[segment]
    at = isJsonObject(next) ? next : (at[segment] = {})
  }
  at[path[path.length - 1]!] = value
}

function readOnly(): HttpError {
  return new HttpError(501, 'Script contexts are read-only in amsh serve')
}

/** `/json/global-config/services/scripting/contexts[/{id}]`. */
export function scriptingContexts(
  profile: Profile,
  request: ApiRequest,
  api: ApiVersion,
  id: string | undefined
): ApiResponse {
  checkResourceVersion(api.resource, VERSION)
  const { method, query } = request
  if (id !== undefined) {
    if (method !== 'GET') throw readOnly()
    // The scripting service's own answer for a context it does not have (recorded for a
    // missing engineConfiguration): no more than "Not Found".
    if (!profile.contexts[id]) throw new HttpError(404, 'Not Found')
    return read(project(serviceItem(profile, id), query))
  }
  if (method !== 'GET') throw readOnly()
  if (!query.has('_queryFilter')) throw new HttpError(400, 'The resource collection cannot be read')
  const filter = filterOf(query)
  const result = Object.keys(profile.contexts)
    .map((context) => serviceItem(profile, context))
    .filter((item) => matchesFilter(filter, item))
    .map((item) => project(item, query))
  return {
    status: 200,
    headers: { 'content-api-version': queryVersionHeader(api) },
    // AM answers -1 here (recorded), where a query of scripts counts what remains.
    body: queryEnvelope(result, -1) as unknown as JsonObject,
  }
}

/** `/json/contexts/{id}`, also below a realm: the same in every realm. */
export function contextMetadata(
  profile: Profile,
  request: ApiRequest,
  api: ApiVersion,
  id: string | undefined
): ApiResponse {
  checkResourceVersion(api.resource, VERSION)
  const { method, query } = request
  if (id === undefined) {
    if (method === 'GET' && !query.has('_queryFilter') && !query.has('_queryId')) {
      throw new HttpError(400, 'The resource collection cannot be read')
    }
    throw new HttpError(501, 'Script contexts can only be read by id')
  }
  if (method !== 'GET') throw readOnly()
  // AIC answers 400 for an id that names no context (research/am-rest.md §1.3); the message is
  // not recorded, so it is AM's own for an unknown script type.
  if (!profile.contexts[id]) throw new HttpError(400, `Script type not recognised: ${id}`)
  return read(project(metadata(profile, id), query))
}

function read(body: JsonObject): ApiResponse {
  return { status: 200, headers: { 'content-api-version': 'resource=1.0' }, body }
}
