import { getEntity } from '../catalog/catalog.ts'
import type { Profile } from '../catalog/profiles.ts'
import { parseFilter } from '../crest/filter.ts'
import { AmshError } from '../errors.ts'
import type { JsonObject, JsonValue } from '../json.ts'
import { assertJsonDepth } from '../json-depth.ts'
import { normaliseRealm, realmUrlPath } from '../crest/realm.ts'
import { revision } from '../crest/revision.ts'
import type { QueryParams, Target, Transport } from '../transport/types.ts'
import { AmsterLogin } from './amster-login.ts'
import { AuthorizedKeys } from './authorized-keys.ts'
import { contextMetadata, scriptingContexts } from './contexts.ts'
import { checkResourceVersion, HttpError, parseApiVersion, type ApiVersion } from './crest.ts'
import { TokenEndpoint } from './oauth2.ts'
import type { Sessions } from './sessions.ts'

// AM's REST routes over a Transport: a request (method, path below the context path, query,
// headers, body) goes in; a status, extra headers and a JSON body come out. The rules are AM's
// (research/am-rest.md): CREST's request types, PUT's create/update/upsert choice, the query
// envelope, and the authentication endpoints.

export interface ApiRequest {
  method: string
  /** The path below the context path, e.g. `/json/realms/root/scripts/abc`, still encoded. */
  path: string
  query: URLSearchParams
  headers: Record<string, string | string[] | undefined>
  /** The body read as text ('' when none). */
  body: string
  /** The absolute URL of the context path, for Location headers. */
  base: string
  /** The client's address, for `from="…"` in authorized_keys; unknown refuses such keys. */
  remoteAddress?: string
}

export interface ApiResponse {
  status: number
  headers: Record<string, string>
  body: JsonValue
}

export interface RouterOptions {
  transport: Transport
  profile: Profile
  sessions: Sessions
  cookieName: string
  /** What /json/serverinfo/version reports. */
  version: { version: string; fullVersion: string }
  /** The amsterService journey; without it the journey is there but no key works. */
  amster?: AmsterLogin
  /** /oauth2/access_token; without it no service account is known. */
  oauth2?: TokenEndpoint
}

/** The journeys a login may name (`authIndexType=service&authIndexValue=…`). */
const PASSWORD_TREE = 'ldapService'
const KEY_TREE = 'amsterService'

const SCRIPTS_VERSION = { major: 1, minor: 1 }
const AUTHENTICATE_HEADERS = {
  'content-api-version': 'resource=2.1',
  // Recorded so: authenticate answers come without the charset.
  'content-type': 'application/json',
}
const REALMS_VERSION = { major: 1, minor: 0 }

function header(request: ApiRequest, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}

function tokenOf(request: ApiRequest, cookieName: string): string | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(header(request, 'authorization') ?? '')
  if (bearer) return bearer[1]
  const named = header(request, cookieName.toLowerCase())
  if (named) return named
  for (const part of (header(request, 'cookie') ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=')
    if (name === cookieName) return value.join('=')
  }
  return undefined
}

function jsonBody(request: ApiRequest): JsonObject {
  assertJsonDepth(request.body, 'The request body')
  let parsed: unknown
  try {
    parsed = JSON.parse(request.body || 'null')
  } catch {
    throw new HttpError(
      400,
      'The request could not be processed because the provided content is not valid JSON'
    )
  }
  if (typeof parsed !== 'object' || parsed == null || Array.isArray(parsed)) {
    throw new HttpError(400, 'The request body must be a JSON object')
  }
  return parsed as JsonObject
}

/**
 * `/realms/root[/realms/x...]` as a realm path (`/`, `/x/...`); undefined when it is not one,
 * or names a realm the shell could not name either (`a b`, `%`, `..`).
 */
function realmOf(segments: string[]): string | undefined {
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

function decodeSegments(path: string): string[] {
  try {
    return (
      path
        // CREST reads `scripts/?_action=create` (as AM's docs write it) as `scripts?_action=create`.
        .replace(/(?<=[^/])\/$/, '')
        .split('/')
        .slice(1)
        .map((segment) => decodeURIComponent(segment))
    )
  } catch {
    throw new HttpError(400, `The path ${path} is not a valid URL path`)
  }
}

function count(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name)
  if (value == null || value === '') return undefined
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw new HttpError(400, `The value '${value}' for parameter '${name}' is not an integer`)
  return Number(value)
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
  }
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

export class Router {
  readonly #options: RouterOptions
  readonly #amster: AmsterLogin
  readonly #oauth2: TokenEndpoint

  constructor(options: RouterOptions) {
    this.#options = options
    this.#amster =
      options.amster ??
      new AmsterLogin({ keys: new AuthorizedKeys('', () => undefined), log: () => undefined })
    this.#oauth2 = options.oauth2 ?? new TokenEndpoint({ accounts: [], sessions: options.sessions })
  }

  async handle(request: ApiRequest): Promise<ApiResponse> {
    const segments = decodeSegments(request.path)
    if (segments.some((s) => s === '')) throw notFound()
    // OAuth 2.0's endpoint sits beside /json, as in AM (root realm only, as Identity Cloud).
    if (segments.join('/') === 'oauth2/access_token') return this.#oauth2.handle(request)
    if (segments[0] !== 'json') throw notFound()
    const rest = segments.slice(1)
    const api = parseApiVersion(header(request, 'accept-api-version'))

    if (rest[0] === 'serverinfo' && request.method === 'GET') return this.#serverInfo(rest[1], api)
    // /json/authenticate is the top-level realm's too.
    const path = rest.join('/')
    if (
      (path === 'realms/root/authenticate' || path === 'authenticate') &&
      request.method === 'POST'
    ) {
      return this.#authenticate(request)
    }
    const token = tokenOf(request, this.#options.cookieName)
    if (!this.#options.sessions.valid(token)) throw new HttpError(401, 'Access Denied')
    if (rest.join('/') === 'realms/root/sessions' && request.method === 'POST') {
      if (request.query.get('_action') !== 'logout') throw notFound()
      this.#options.sessions.logout(token)
      return ok({ result: 'Successfully logged out' })
    }

    const { profile } = this.#options
    if (rest.slice(0, 4).join('/') === 'global-config/services/scripting/contexts') {
      if (rest.length > 5) throw notFound()
      return scriptingContexts(profile, request, api, rest[4])
    }
    // /json/contexts/{id}, and the same below any realm.
    const contextsAt = rest.lastIndexOf('contexts')
    if (
      contextsAt >= 0 &&
      rest.length - contextsAt <= 2 &&
      (contextsAt === 0 || realmOf(rest.slice(0, contextsAt)) !== undefined)
    ) {
      return contextMetadata(profile, request, api, rest[contextsAt + 1])
    }

    if (rest[0] === 'global-config' && rest[1] === 'realms' && rest.length <= 3) {
      checkResourceVersion(api.resource, REALMS_VERSION)
      const response = await this.#realms(request, rest[2])
      response.headers['content-api-version'] = 'resource=1.0'
      return response
    }

    // /json/scripts[/id] is the top-level realm's collection; /json/realms/root/.../scripts[/id].
    const at = rest.lastIndexOf('scripts')
    const realm = at === 0 ? '/' : at > 0 ? realmOf(rest.slice(0, at)) : undefined
    const ids = rest.slice(at + 1)
    if (realm === undefined || ids.length > 1) throw notFound()
    checkResourceVersion(api.resource, SCRIPTS_VERSION)
    const target: Target = { entity: getEntity('Scripts'), scope: { kind: 'realm', realm } }
    const response = await this.#scripts(request, api, target, ids[0], at === 0)
    // A query's answer names the protocol too, and the resource version twice (recorded so).
    const { major, minor } = api.protocol
    response.headers['content-api-version'] = isQuery(request, ids[0])
      ? `protocol=${major}.${minor},resource=1.1, resource=1.1`
      : 'resource=1.1'
    return response
  }

  #serverInfo(which: string | undefined, api: ApiVersion): ApiResponse {
    if (which === 'version') {
      const { version, fullVersion } = this.#options.version
      return serverInfoAnswer('resource=1.0', {
        _id: 'version',
        _rev: revision(fullVersion),
        version,
        fullVersion,
        revision: 'amsh',
        date: '',
      })
    }
    if (which !== '*') throw notFound()
    const info: JsonObject = {
      _id: '*',
      _rev: '',
      domains: [],
      protectedUserAttributes: [],
      cookieName: this.#options.cookieName,
      secureCookie: false,
      forgotPassword: 'false',
      forgotUsername: 'false',
      kbaEnabled: 'false',
      selfRegistration: 'false',
      lang: 'en-US',
      successfulUserRegistrationDestination: 'default',
      socialImplementations: [],
      referralsEnabled: 'false',
      zeroPageLogin: { enabled: false, refererWhitelist: [], allowedWithoutReferer: true },
      realm: '/',
      xuiUserSessionValidationEnabled: true,
      fileBasedConfiguration: true,
      userIdAttributes: [],
      // PingAM 8 adds it (recorded on 8.0.1); AM 7.5 and Identity Cloud do not send it.
      ...(this.#options.profile.product === 'am8' ? { nodeDesignerXuiEnabled: true } : {}),
    }
    info._rev = revision(JSON.stringify(info))
    // Served as resource 1.1 and 2.0 alike; the answer names the one asked for.
    return serverInfoAnswer(api.resource?.major === 2 ? 'resource=2.0' : 'resource=1.1', info)
  }

  /**
   * A login: by password in ldapService (the default journey), by key in amsterService. Any other
   * journey is one that does not exist, which AM answers 400 (AUTH_CONFIG_NOT_FOUND).
   */
  async #authenticate(request: ApiRequest): Promise<ApiResponse> {
    const type = request.query.get('authIndexType')
    const value = request.query.get('authIndexValue')
    if (type != null && type !== 'service') {
      throw new HttpError(
        400,
        `authIndexType ${type} is not supported by amsh serve: name a journey with authIndexType=service`
      )
    }
    const tree = type == null ? PASSWORD_TREE : (value ?? '')
    const { sessions } = this.#options
    let token: string | undefined
    if (tree === PASSWORD_TREE) {
      token = await sessions.login(
        header(request, 'x-openam-username'),
        header(request, 'x-openam-password')
      )
    } else if (tree === KEY_TREE) {
      const body = jsonBody(request)
      if (body.authId === undefined) {
        return {
          status: 200,
          headers: { ...AUTHENTICATE_HEADERS },
          body: await this.#amster.start(),
        }
      }
      const address = request.remoteAddress
      const user = await this.#amster.finish(body, address)
      if (user === undefined) await sessions.refused()
      else token = sessions.open(user)
    } else {
      throw new HttpError(400, 'No Configuration found')
    }
    if (!token) throw new HttpError(401, 'Authentication Failed')
    return {
      status: 200,
      headers: {
        'set-cookie': `${this.#options.cookieName}=${token}; Path=/; HttpOnly`,
        ...AUTHENTICATE_HEADERS,
      },
      body: { tokenId: token, successUrl: '/am/console', realm: '/' },
    }
  }

  /** The realms, read-only: what the catalog's Realms entity offers. */
  async #realms(request: ApiRequest, id: string | undefined): Promise<ApiResponse> {
    const target: Target = { entity: getEntity('Realms'), scope: { kind: 'global' } }
    const { transport } = this.#options
    if (request.method !== 'GET') {
      throw new HttpError(501, `${request.method} is not supported on realms by amsh serve`)
    }
    if (id !== undefined) return ok(await transport.read(target, id))
    return ok((await transport.query(target, queryParams(request.query))) as unknown as JsonObject)
  }

  async #scripts(
    request: ApiRequest,
    api: ApiVersion,
    target: Target,
    id: string | undefined,
    topLevelPath: boolean
  ): Promise<ApiResponse> {
    const { transport } = this.#options
    const { method, query } = request
    // eslint-disable-next-line no-control-regex -- control characters are what it refuses
    if (id !== undefined && /[/\\\u0000-\u001f]/.test(id)) {
      throw new HttpError(
        400,
        `Script id ${JSON.stringify(id)} may not contain / \\ or control characters`
      )
    }
    if (id === undefined) {
      if (method === 'GET') {
        const result = await transport.query(target, queryParams(query))
        return ok(result as unknown as JsonObject)
      }
      if (method === 'POST') {
        const action =
          query.get('_action') ??
          (api.protocol.major >= 2 && api.protocol.minor >= 1 ? 'create' : '')
        if (action === 'create') {
          const body = jsonBody(request)
          const given = typeof body._id === 'string' ? body._id : undefined
          return this.#created(request, target, await transport.create(target, body, given))
        }
        if (action === 'validate')
          return ok(await transport.action(target, 'validate', jsonBody(request), {}))
        if (action === 'createGlobal' && topLevelPath && this.#options.profile.product !== 'am75') {
          return this.#created(
            request,
            target,
            (await transport.action(target, 'createGlobal', jsonBody(request), {})) as JsonObject
          )
        }
        throw new HttpError(501, `Action ${action} is not supported`)
      }
      throw new HttpError(405, `Method ${method} is not allowed on the scripts collection`)
    }

    switch (method) {
      case 'GET':
        return ok(project(await transport.read(target, id), list(query, '_fields')))
      case 'DELETE':
        return ok(await transport.delete(target, id))
      case 'PUT':
        return this.#put(request, api, target, id)
      case 'POST':
        throw new HttpError(501, 'Actions are not supported for resource instances')
      case 'PATCH':
        throw new HttpError(501, 'Patch operations are not supported for scripts')
      default:
        throw new HttpError(405, `Method ${method} is not allowed`)
    }
  }

  /** PUT as CREST decides it: create-only, update-only, or create-then-update (upsert). */
  async #put(
    request: ApiRequest,
    api: ApiVersion,
    target: Target,
    id: string
  ): Promise<ApiResponse> {
    const { transport } = this.#options
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
    if (ifMatch !== undefined || (ifNoneMatch === undefined && api.protocol.major < 2)) {
      return ok(await transport.update(target, id, body))
    }
    try {
      return this.#created(request, target, await transport.create(target, body, id))
    } catch (err) {
      if (ifNoneMatch !== undefined || !(err instanceof AmshError) || err.code !== 'E_EXISTS')
        throw err
      return ok(await transport.update(target, id, body))
    }
  }

  #created(request: ApiRequest, target: Target, created: JsonObject): ApiResponse {
    const realm = target.scope.kind === 'realm' ? target.scope.realm : '/'
    const id = encodeURIComponent(String(created._id))
    return {
      status: 201,
      headers: {
        etag: `"${String(created._rev)}"`,
        location: `${request.base}/json${realmUrlPath(realm)}/scripts/${id}`,
      },
      body: created,
    }
  }
}

/** serverinfo answers carry their _rev as an ETag and may not be cached (recorded on AM 8.0.1). */
function serverInfoAnswer(version: string, body: JsonObject): ApiResponse {
  return {
    status: 200,
    headers: {
      'content-api-version': version,
      etag: `"${String(body._rev)}"`,
      'cache-control': 'no-store',
    },
    body,
  }
}

function isQuery(request: ApiRequest, id: string | undefined): boolean {
  return id === undefined && request.method === 'GET' && request.query.has('_queryFilter')
}

function ok(body: JsonValue): ApiResponse {
  return { status: 200, headers: {}, body }
}

function notFound(): HttpError {
  return new HttpError(404, 'Resource cannot be found.')
}

function project(object: JsonObject, fields: string[] | undefined): JsonObject {
  if (!fields) return object
  const projected: JsonObject = { _id: object._id ?? null }
  for (const field of fields) if (field in object) projected[field] = object[field]!
  return projected
}
