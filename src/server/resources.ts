import { entityNames, getEntity, type EntityDef, type ScopeKind } from '../catalog/catalog.ts'
import type { Profile } from '../catalog/profiles.ts'
import { parseFilter } from '../crest/filter.ts'
import { project } from '../crest/page.ts'
import { normaliseRealm } from '../crest/realm.ts'
import { AmshError } from '../errors.ts'
import type { JsonObject } from '../json.ts'
import type { QueryParams, Target, Transport } from '../transport/types.ts'
import { collectionPath } from '../wire/requests.ts'
import { checkResourceVersion, HttpError, type ApiVersion } from './crest.ts'
import { header, jsonBody, ok, type ApiRequest, type ApiResponse } from './http-api.ts'

// The one CREST resource handler of `amsh serve`: every entity of the catalog is routed by its
// own wire paths (commands/<Entity>.json), with its resource version, id field, singleton-ness
// and actions from the catalog, onto the same Transport the shell uses. CREST's request rules
// (research/am-rest.md §1.4): create by POST ?_action=create or by PUT, PUT's create / update /
// upsert choice, If-Match revisions, the query envelope.

interface Route {
  entity: EntityDef
  scope: ScopeKind
  /** The collection's path segments after the realm's. */
  tail: string[]
}

/** A request matched to an entity: where, which item, and the path as the client wrote it. */
interface Match {
  target: Target
  id: string | undefined
  /** The path below /json as sent (`/scripts` for AM's top-level form of the root realm). */
  path: string
}

/** The entities AM's wire carries: another flavour's (Janssen's) have their own handler. */
function routes(): Route[] {
  const all: Route[] = []
  for (const name of entityNames()) {
    const entity = getEntity(name)
    if (entity.wire.flavour !== 'am') continue
    for (const [scope, template] of Object.entries(entity.wire.paths) as [ScopeKind, string][]) {
      const tail = template.replace('{realmPath}', '').split('/').filter(Boolean)
      all.push({ entity, scope, tail })
    }
  }
  // The longest paths first, so that a collection below another's path is not taken for an id.
  return all.sort((a, b) => b.tail.length - a.tail.length)
}

/**
 * `realms/root[/realms/x...]` as a realm path (`/`, `/x/...`); undefined when it is not one,
 * or names a realm the shell could not name either (`a b`, `%`, `..`).
 */
export function realmOf(segments: string[]): string | undefined {
  if (segments[0] !== 'realms' || segments[1] !== 'root') return undefined
  const names: string[] = []
  for (let i = 2; i < segments.length; i += 2) {
    const name = segments[i + 1]
    if (segments[i] !== 'realms' || !name || name.includes('/')) return undefined
    names.push(name)
  }
  try {
    return normaliseRealm(`/${names.join('/')}`)
  } catch {
    return undefined
  }
}

function startsWith(segments: string[], at: number, tail: string[]): boolean {
  return tail.every((segment, i) => segments[at + i] === segment)
}

function count(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name)
  if (value == null || value === '') return undefined
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw new HttpError(400, `The value '${value}' for parameter '${name}' is not an integer`)
  return Number(value)
}

function list(query: URLSearchParams, name: string): string[] | undefined {
  const value = query.get(name)
  return value
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined
}

/** A CREST query's parameters; a filter AM could not parse is AM's 400. */
function queryParams(query: URLSearchParams): QueryParams {
  const filter = query.get('_queryFilter')
  if (filter == null) throw new HttpError(400, 'Query requests must specify a _queryFilter')
  try {
    parseFilter(filter)
  } catch {
    throw new HttpError(
      400,
      `The value '${filter}' for parameter '_queryFilter' could not be parsed as a valid query filter`
    )
  }
  return {
    filter,
    fields: list(query, '_fields'),
    sortKeys: list(query, '_sortKeys'),
    pageSize: count(query, '_pageSize'),
    pagedResultsOffset: count(query, '_pagedResultsOffset'),
    pagedResultsCookie: query.get('_pagedResultsCookie') ?? undefined,
  }
}

/** CREST's If-Match: a quoted revision, or `*` (any). */
function revisionOf(ifMatch: string | undefined): string | undefined {
  if (ifMatch === undefined) return undefined
  const rev = ifMatch
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1')
  return rev === '*' ? undefined : rev
}

export class Resources {
  readonly #transport: Transport
  readonly #profile: Profile
  readonly #routes = routes()

  constructor(transport: Transport, profile: Profile) {
    this.#transport = transport
    this.#profile = profile
  }

  /** The entity a path below /json names, or undefined when none does. */
  match(rest: string[]): Match | undefined {
    for (const route of this.#routes) {
      const n = route.tail.length
      // A realm's segments come in pairs; AM also takes /json/<path> for the top-level realm.
      const starts = route.scope === 'global' ? [0] : evenUpTo(rest.length - n)
      for (const at of starts) {
        if (!startsWith(rest, at, route.tail)) continue
        const realm =
          route.scope === 'global' ? undefined : at === 0 ? '/' : realmOf(rest.slice(0, at))
        if (route.scope === 'realm' && realm === undefined) continue
        const ids = rest.slice(at + n)
        if (ids.length > (route.entity.singleton ? 0 : 1)) continue
        const scope =
          realm === undefined ? { kind: 'global' as const } : { kind: 'realm' as const, realm }
        return {
          target: { entity: route.entity, scope },
          id: ids[0],
          path: `/${rest.join('/')}`,
        }
      }
    }
    return undefined
  }

  async handle(request: ApiRequest, api: ApiVersion, match: Match): Promise<ApiResponse> {
    const { target, id } = match
    const { entity } = target
    checkResourceVersion(api.resource, versionOf(entity))
    // eslint-disable-next-line no-control-regex -- control characters are what it refuses
    if (id !== undefined && /[/\\\u0000-\u001f]/.test(id)) {
      throw new HttpError(
        400,
        `${entity.name} id ${JSON.stringify(id)} may not contain / \\ or control characters`
      )
    }
    const response = entity.singleton
      ? await this.#singleton(request, match)
      : id === undefined
        ? await this.#collection(request, api, match)
        : await this.#instance(request, api, target, id)
    const version = entity.wire.version
    // A query's answer names the protocol too, and the resource version twice (recorded so).
    const { major, minor } = api.protocol
    response.headers['content-api-version'] =
      id === undefined && request.method === 'GET' && request.query.has('_queryFilter')
        ? `protocol=${major}.${minor},resource=${version}, resource=${version}`
        : `resource=${version}`
    return response
  }

  async #collection(request: ApiRequest, api: ApiVersion, match: Match): Promise<ApiResponse> {
    const transport = this.#transport
    const { target } = match
    const { method, query } = request
    if (method === 'GET') {
      return ok((await transport.query(target, queryParams(query))) as unknown as JsonObject)
    }
    if (method !== 'POST') {
      throw new HttpError(
        405,
        `Method ${method} is not allowed on the ${target.entity.name} collection`
      )
    }
    const action =
      query.get('_action') ?? (api.protocol.major >= 2 && api.protocol.minor >= 1 ? 'create' : '')
    if (action === 'create' && this.#offers(target, 'create')) {
      const body = jsonBody(request)
      const given = body[target.entity.idField]
      const id = typeof given === 'string' ? given : undefined
      return this.#created(request, target, await transport.create(target, body, id))
    }
    return this.#action(request, match, action)
  }

  async #action(request: ApiRequest, match: Match, action: string): Promise<ApiResponse> {
    const { target } = match
    const def = target.entity.scopes[target.scope.kind]?.actions?.[action]
    // An action with a path of its own is answered there only (createGlobal at /json/scripts).
    const here = def && (def.path === undefined || def.path === match.path)
    if (!def || !here || this.#profile.unsupported?.includes(`${target.entity.name}/${action}`)) {
      throw new HttpError(501, `Action ${action} is not supported`)
    }
    const params: Record<string, string> = {}
    for (const [name, value] of request.query) if (!name.startsWith('_')) params[name] = value
    const result = await this.#transport.action(target, action, jsonBody(request), params)
    return def.mutates ? this.#created(request, target, result as JsonObject) : ok(result)
  }

  async #instance(
    request: ApiRequest,
    api: ApiVersion,
    target: Target,
    id: string
  ): Promise<ApiResponse> {
    const transport = this.#transport
    switch (request.method) {
      case 'GET':
        return withEtag(
          ok(
            project(
              await transport.read(target, id),
              target.entity.idField,
              list(request.query, '_fields')
            )
          )
        )
      case 'DELETE':
        return ok(await transport.delete(target, id))
      case 'PUT':
        return this.#put(request, api, target, id)
      case 'POST':
        throw new HttpError(501, 'Actions are not supported for resource instances')
      case 'PATCH':
        throw new HttpError(501, `Patch operations are not supported for ${target.entity.name}`)
      default:
        throw new HttpError(405, `Method ${request.method} is not allowed`)
    }
  }

  async #singleton(request: ApiRequest, match: Match): Promise<ApiResponse> {
    const { target } = match
    switch (request.method) {
      case 'GET':
        return withEtag(ok(await this.#transport.read(target, '')))
      case 'PUT': {
        const rev = revisionOf(header(request, 'if-match'))
        const body = jsonBody(request)
        return withEtag(ok(await this.#transport.update(target, '', body, { rev })))
      }
      case 'POST':
        return this.#action(request, match, request.query.get('_action') ?? '')
      default:
        throw new HttpError(405, `Method ${request.method} is not allowed on ${target.entity.name}`)
    }
  }

  /** PUT as CREST decides it: create-only, update-only, or create-then-update (upsert). */
  async #put(
    request: ApiRequest,
    api: ApiVersion,
    target: Target,
    id: string
  ): Promise<ApiResponse> {
    const transport = this.#transport
    const ifMatch = header(request, 'if-match')
    const ifNoneMatch = header(request, 'if-none-match')
    if (ifNoneMatch !== undefined && ifNoneMatch !== '*') {
      throw new HttpError(400, `"${ifNoneMatch}" is not a supported value for If-None-Match on PUT`)
    }
    if (ifMatch !== undefined && ifNoneMatch !== undefined) {
      throw new HttpError(
        412,
        'Simultaneous use of If-Match and If-None-Match not supported for PUT requests'
      )
    }
    const body = jsonBody(request)
    const update = async () =>
      ok(await transport.update(target, id, body, { rev: revisionOf(ifMatch) }))
    if (ifMatch !== undefined || (ifNoneMatch === undefined && api.protocol.major < 2)) {
      return update()
    }
    if (!this.#offers(target, 'create')) return update()
    try {
      return this.#created(request, target, await transport.create(target, body, id))
    } catch (err) {
      if (ifNoneMatch !== undefined || !(err instanceof AmshError) || err.code !== 'E_EXISTS')
        throw err
      return update()
    }
  }

  #offers(target: Target, operation: 'create'): boolean {
    return target.entity.scopes[target.scope.kind]?.[operation] !== undefined
  }

  #created(request: ApiRequest, target: Target, created: JsonObject): ApiResponse {
    const id = encodeURIComponent(String(created[target.entity.idField]))
    return {
      status: 201,
      headers: {
        etag: `"${String(created._rev)}"`,
        location: `${request.base}${collectionPath(target)}/${id}`,
      },
      body: created,
    }
  }
}

/** 0, 2, 4 ... up to `max`: where a collection's segments may start after a realm's pairs. */
function evenUpTo(max: number): number[] {
  const starts: number[] = []
  for (let at = 0; at <= max; at += 2) starts.push(at)
  return starts
}

function versionOf(entity: EntityDef): { major: number; minor: number } {
  const [major = 0, minor = 0] = (entity.wire.version ?? '0.0').split('.').map(Number)
  return { major, minor }
}

/** An answer that carries its revision carries it as the ETag too. */
function withEtag(response: ApiResponse): ApiResponse {
  const body = response.body as JsonObject
  if (typeof body?._rev === 'string') response.headers.etag = `"${body._rev}"`
  return response
}
