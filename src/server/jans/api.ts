import { randomBytes } from 'node:crypto'
import { applyPatch, type Operation } from 'rfc6902'
import { getEntity, type EntityDef } from '../../catalog/catalog.ts'
import { AmshError } from '../../errors.ts'
import { isJsonObject, type JsonObject, type JsonValue } from '../../json.ts'
import type { Target, Transport } from '../../transport/types.ts'
import { SCRIPT_SCOPES, TOKEN_PATH } from '../../transport/jans/token.ts'
import { HttpError } from '../crest.ts'
import { same } from '../sessions.ts'
import { LoginThrottle } from '../throttle.ts'
import { assertJsonDepth } from '../../json-depth.ts'
import { header, jsonBody, type ApiRequest, type ApiResponse, type Handler } from '../http-api.ts'

// `amsh serve --flavour jans`: the local store behind Janssen's config-api for custom scripts
// (jans-config-api CustomScriptResource.java) and the client-credentials token endpoint of
// Janssen's auth server, answering as Janssen does (research: /jans-config-api/api/v1 paths,
// `{start, totalEntriesCount, entriesCount, entries}` pages, `{code, message}` errors, text 401s
// naming the scope a token lacks, an empty 404 for an unknown inum).

const SCRIPTS_PATH = '/jans-config-api/api/v1/config/scripts'

const [read, write, remove] = SCRIPT_SCOPES as [string, string, string]
/** The scopes of the scripts resource, by what they allow. */
export const SCOPES = { read, write, delete: remove } as const

/** Janssen's default page and its largest (ApiConstants.DEFAULT_MAX_COUNT). */
const DEFAULT_LIMIT = 50
const MAX_LIMIT = 200
/** Tokens kept at most: a client asking for one per request cannot fill the memory. */
const MAX_TOKENS = 10_000

export interface JansClient {
  id: string
  secret: string
}

export interface JansApiOptions {
  transport: Transport
  client: JansClient
  /** Seconds a token lives. */
  lifetime: number
  now?: () => number
  /** Failed token requests, per client; one with its defaults when not given. */
  throttle?: LoginThrottle
}

interface Token {
  scopes: Set<string>
  expires: number
}

function text(status: number, message: string): ApiResponse {
  return { status, headers: { 'content-type': 'text/plain' }, body: null, text: message }
}

function oauthError(status: number, error: string, description: string): ApiResponse {
  return { status, headers: {}, body: { error, error_description: description } }
}

/** The client a token request names: HTTP Basic, or client_id / client_secret in the form. */
function clientOf(request: ApiRequest, form: URLSearchParams): JansClient | undefined {
  const basic = /^Basic\s+(\S+)$/i.exec(header(request, 'authorization') ?? '')
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon < 0) return undefined
    // RFC 6749 §2.3.1: both are form-encoded inside the Basic header.
    const decode = (text: string) => {
      try {
        return decodeURIComponent(text.replace(/\+/g, ' '))
      } catch {
        return text
      }
    }
    return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) }
  }
  const id = form.get('client_id')
  const secret = form.get('client_secret')
  return id != null && secret != null ? { id, secret } : undefined
}

function count(query: URLSearchParams, name: string, fallback: number): number {
  const value = query.get(name)
  if (value == null || value === '') return fallback
  if (!/^-?\d{1,9}$/.test(value)) {
    throw new HttpError(400, `The value '${value}' for parameter '${name}' is not an integer`)
  }
  return Math.max(0, Number(value))
}

export class JansApi implements Handler {
  readonly #transport: Transport
  readonly #client: JansClient
  readonly #lifetime: number
  readonly #now: () => number
  readonly #throttle: LoginThrottle
  readonly #tokens = new Map<string, Token>()
  readonly #entity: EntityDef = getEntity('CustomScripts')

  constructor(options: JansApiOptions) {
    this.#transport = options.transport
    this.#client = options.client
    this.#lifetime = options.lifetime
    this.#now = options.now ?? Date.now
    this.#throttle = options.throttle ?? new LoginThrottle({ now: this.#now })
  }

  errorBody(status: number, message: string): string {
    return JSON.stringify({ code: String(status), message })
  }

  async handle(request: ApiRequest): Promise<ApiResponse> {
    if (request.path === TOKEN_PATH) {
      if (request.method !== 'POST') throw new HttpError(405, 'Method Not Allowed')
      return this.#token(request)
    }
    if (request.path !== SCRIPTS_PATH && !request.path.startsWith(`${SCRIPTS_PATH}/`)) {
      throw new HttpError(404, 'Not Found')
    }
    const rest = request.path
      .slice(SCRIPTS_PATH.length)
      .split('/')
      .filter(Boolean)
      .map((segment) => {
        try {
          return decodeURIComponent(segment)
        } catch {
          throw new HttpError(400, `The path ${request.path} is not a valid URL path`)
        }
      })
    const refused = this.#refusal(request)
    if (refused) return refused
    return this.#scripts(request, rest)
  }

  // ---- the token endpoint ----------------------------------------------------------------------

  async #token(request: ApiRequest): Promise<ApiResponse> {
    // Counted before the secret is looked at: past the limit, not even the right one is taken.
    const attempt = this.#throttle.begin(request.remoteAddress)
    const form = new URLSearchParams(request.body)
    const client = clientOf(request, form)
    if (!client || !same(client.id, this.#client.id) || !same(client.secret, this.#client.secret)) {
      await attempt.failed()
      return oauthError(401, 'invalid_client', 'Client authentication failed.')
    }
    attempt.succeeded()
    if (form.get('grant_type') !== 'client_credentials') {
      return oauthError(
        400,
        'unsupported_grant_type',
        'The authorization grant type is not supported by the authorization server.'
      )
    }
    // The client may have the scripts' scopes; others it asks for are left out, as Janssen does.
    const known = new Set<string>(Object.values(SCOPES))
    const asked = (form.get('scope') ?? '').split(/\s+/).filter(Boolean)
    const granted = asked.filter((scope) => known.has(scope))
    this.#forgetExpired()
    const token = randomBytes(24).toString('base64url')
    this.#tokens.set(token, {
      scopes: new Set(granted),
      expires: this.#now() + this.#lifetime * 1000,
    })
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      body: {
        access_token: token,
        token_type: 'Bearer',
        expires_in: this.#lifetime,
        scope: granted.join(' '),
      },
    }
  }

  #forgetExpired(): void {
    const now = this.#now()
    for (const [token, held] of this.#tokens) if (held.expires <= now) this.#tokens.delete(token)
    // Past the bound the oldest go first (a Map keeps its insertion order).
    for (const token of this.#tokens.keys()) {
      if (this.#tokens.size < MAX_TOKENS) break
      this.#tokens.delete(token)
    }
  }

  /** Janssen's answer to a request its token does not allow: a 401 in plain text. */
  #refusal(request: ApiRequest): ApiResponse | undefined {
    const bearer = /^Bearer\s+(\S+)$/i.exec(header(request, 'authorization') ?? '')
    if (!bearer) return text(401, 'oAuth authorization error Token is blank')
    const held = this.#tokens.get(bearer[1]!)
    if (!held || held.expires <= this.#now()) {
      return text(401, 'oAuth authorization error Token is not active')
    }
    const needed =
      request.method === 'GET'
        ? [SCOPES.read, SCOPES.write]
        : request.method === 'DELETE'
          ? [SCOPES.delete]
          : [SCOPES.write]
    if (needed.some((scope) => held.scopes.has(scope))) return undefined
    return text(
      401,
      `oAuth authorization error Insufficient scopes! , Required scope: [${needed[0]}]`
    )
  }

  // ---- the scripts -----------------------------------------------------------------------------

  get #target(): Target {
    return { entity: this.#entity, scope: { kind: 'global' } }
  }

  async #scripts(request: ApiRequest, rest: string[]): Promise<ApiResponse> {
    const [first, second, ...more] = rest
    if (more.length > 0) throw new HttpError(404, 'Not Found')
    switch (request.method) {
      case 'GET':
        if (first === undefined) return this.#list(request, {})
        if (second === undefined) throw new HttpError(404, 'Not Found')
        if (first === 'inum') return this.#byInum(second)
        if (first === 'name') return this.#byName(second)
        if (first === 'type') return this.#list(request, { type: second })
        throw new HttpError(404, 'Not Found')
      case 'POST':
        if (first !== undefined) throw new HttpError(404, 'Not Found')
        return this.#create(request)
      case 'PUT':
        if (first !== undefined) throw new HttpError(404, 'Not Found')
        return this.#replace(request)
      case 'PATCH':
        if (first === undefined || second !== undefined) throw new HttpError(404, 'Not Found')
        return this.#patch(request, first)
      case 'DELETE':
        if (first === undefined || second !== undefined) throw new HttpError(404, 'Not Found')
        await this.#existing(first)
        await this.#transport.delete(this.#target, first)
        return { status: 204, headers: {}, body: null, text: '' }
      default:
        throw new HttpError(405, 'Method Not Allowed')
    }
  }

  async #list(request: ApiRequest, narrow: Record<string, string>): Promise<ApiResponse> {
    const { query } = request
    const limit = count(query, 'limit', DEFAULT_LIMIT)
    if (limit > MAX_LIMIT) {
      throw new HttpError(400, `Maximum number of results per page is ${MAX_LIMIT}`)
    }
    const start = count(query, 'startIndex', 0)
    const pattern = query.get('pattern')
    const sortBy = query.get('sortBy') || 'inum'
    const descending = query.get('sortOrder') === 'descending'
    const params = {
      filter: 'true',
      sortKeys: [`${descending ? '-' : ''}${sortBy}`],
      narrow: pattern ? { ...narrow, pattern } : narrow,
    }
    // The store reads the page alone; the total is what it has left after it. A page past the
    // end (or of none) says nothing of the total: one item's query tells it.
    const page =
      limit > 0
        ? await this.#transport.query(this.#target, {
            ...params,
            pageSize: limit,
            pagedResultsOffset: start,
          })
        : undefined
    const entries = page?.result ?? []
    let total = start + entries.length + (page?.remainingPagedResults ?? 0)
    if (entries.length === 0) {
      const one = await this.#transport.query(this.#target, { ...params, pageSize: 1 })
      total = one.result.length + one.remainingPagedResults
    }
    return {
      status: 200,
      headers: {},
      body: { start, totalEntriesCount: total, entriesCount: entries.length, entries },
    }
  }

  async #byInum(inum: string): Promise<ApiResponse> {
    try {
      return { status: 200, headers: {}, body: await this.#transport.read(this.#target, inum) }
    } catch (err) {
      // Janssen answers an unknown inum here with an empty 404.
      if (err instanceof AmshError && err.code === 'E_NOT_FOUND') {
        return { status: 404, headers: {}, body: null, text: '' }
      }
      throw err
    }
  }

  async #byName(name: string): Promise<ApiResponse> {
    const found = await this.#transport.query(this.#target, {
      filter: `name eq ${JSON.stringify(name)}`,
    })
    const script = found.result[0]
    if (!script) throw new HttpError(404, "The requested custom script doesn't exist")
    return { status: 200, headers: {}, body: script }
  }

  async #existing(inum: string): Promise<JsonObject> {
    try {
      return await this.#transport.read(this.#target, inum)
    } catch (err) {
      if (err instanceof AmshError && err.code === 'E_NOT_FOUND') {
        throw new HttpError(404, "The requested custom script doesn't exist")
      }
      throw err
    }
  }

  async #create(request: ApiRequest): Promise<ApiResponse> {
    const body = jsonBody(request)
    const inum = typeof body.inum === 'string' && body.inum !== '' ? body.inum : undefined
    const created = await this.#transport.create(this.#target, body, inum)
    return { status: 201, headers: {}, body: created }
  }

  async #replace(request: ApiRequest): Promise<ApiResponse> {
    const body = jsonBody(request)
    if (typeof body.inum !== 'string' || body.inum === '') {
      throw new HttpError(400, 'inum must be specified')
    }
    await this.#existing(body.inum)
    return ok(await this.#transport.update(this.#target, body.inum, body))
  }

  async #patch(request: ApiRequest, inum: string): Promise<ApiResponse> {
    assertJsonDepth(request.body, 'The request body')
    let operations: unknown
    try {
      operations = JSON.parse(request.body || 'null')
    } catch {
      throw new HttpError(400, 'The JSON Patch is not valid JSON')
    }
    if (!Array.isArray(operations)) {
      throw new HttpError(400, 'A JSON Patch is an array of operations (RFC 6902)')
    }
    const current = await this.#existing(inum)
    const patched = structuredClone(current) as JsonValue
    const problems = applyPatch(patched, operations as Operation[])
    const failed = problems.findIndex((problem) => problem != null)
    if (failed >= 0) {
      const op = operations[failed] as { op?: unknown; path?: unknown }
      throw new HttpError(
        400,
        `JSON Patch operation ${failed} (${String(op?.op)} ${String(op?.path)}) failed: ${problems[failed]!.message}`
      )
    }
    if (!isJsonObject(patched)) throw new HttpError(400, 'The patched script is not an object')
    return ok(await this.#transport.update(this.#target, inum, { ...patched, inum }))
  }
}

function ok(body: JsonValue): ApiResponse {
  return { status: 200, headers: {}, body }
}
