import { entityMessage, type EntityDef } from '../../catalog/catalog.ts'
import { queryInMemory } from '../../crest/page.ts'
import { parseFilter } from '../../crest/filter.ts'
import { AmshError } from '../../errors.ts'
import { isJsonObject, type JsonObject, type JsonValue } from '../../json.ts'
import { canonical } from '../../kinds/jans-script/index.ts'
import { validateCustomScript } from '../../kinds/jans-script/validate.ts'
import { flavourOf, wireRequest, type BuiltRequest } from '../../wire/requests.ts'
import { HttpClient, type HttpOptions, type HttpReply, type HttpRequest } from '../http.ts'
import {
  checkAction,
  checkOffered,
  type JsonPatchOperation,
  type QueryParams,
  type QueryResult,
  type Target,
  type Transport,
  type WriteOptions,
} from '../types.ts'
import { jansError } from './errors.ts'
import { TokenSource, type ClientCredentials } from './token.ts'

// The Transport over Janssen's config-api (a real Janssen, or `amsh serve --flavour jans`), for
// the entities of the jans wire flavour (CustomScripts). The requests are the flavour's
// (commands/flavours/jans.json); what config-api lacks, amsh does in the client: CREST filters,
// sorting, fields and paging over every page Janssen gives, a create that refuses an existing
// inum, a delete that answers the deleted item, and the validate action.

export interface JansTransportOptions extends HttpOptions {
  client: ClientCredentials
  /** The time, for when tokens expire (tests move it on). */
  clock?: () => number
}

/** The media type config-api's PATCH consumes (RFC 6902). */
const JSON_PATCH = 'application/json-patch+json'

/** What the body of a request is, and the item it concerns (for a 404 that says nothing). */
interface Call {
  body?: JsonValue
  contentType?: string
  id?: string
}

export class JansTransport implements Transport {
  readonly kind = 'jans'
  readonly #http: HttpClient
  readonly #tokens: TokenSource

  constructor(options: JansTransportOptions) {
    this.#http = new HttpClient({ expects: "Janssen's JSON", ...options })
    this.#tokens = new TokenSource(this.#http, options.client, options.clock)
  }

  get baseUrl(): string {
    return this.#http.baseUrl
  }

  /** Gets a token now, so that a refused client shows at `connect` rather than later. */
  async login(): Promise<void> {
    await this.#tokens.token()
  }

  async create(target: Target, body: JsonObject, id?: string): Promise<JsonObject> {
    checkOffered(target, 'create')
    const { idField } = target.entity
    if (id !== undefined) {
      if (body[idField] !== undefined && body[idField] !== id) {
        throw new AmshError('E_INVALID', entityMessage(target.entity, 'idMismatch'))
      }
      // Janssen keeps an inum it is given and would overwrite (or fail on) one in use: a
      // create with an id may only create, so it looks first.
      if (await this.#exists(target, id)) {
        throw new AmshError('E_EXISTS', entityMessage(target.entity, 'idExists', { id }))
      }
    }
    const sent = id === undefined ? body : { ...body, [idField]: id }
    return object(await this.#call(target, wireRequest(target, 'create'), { body: sent, id }))
  }

  async read(target: Target, id: string): Promise<JsonObject> {
    checkOffered(target, 'read')
    return object(await this.#call(target, wireRequest(target, 'read', { id }), { id }))
  }

  async update(
    target: Target,
    id: string,
    body: JsonObject,
    options?: WriteOptions
  ): Promise<JsonObject> {
    checkOffered(target, 'update')
    if (options?.rev !== undefined && options.rev !== '*') {
      throw new AmshError(
        'E_UNSUPPORTED',
        `${target.entity.name}: Janssen's config-api has no conditional writes, so --rev cannot be honoured; update without it`
      )
    }
    const { idField } = target.entity
    if (body[idField] !== undefined && body[idField] !== id) {
      throw new AmshError('E_INVALID', entityMessage(target.entity, 'idMismatch'))
    }
    const wire = wireRequest(target, 'update', { id })
    const sent = wire.id === 'body' ? { ...body, [idField]: id } : body
    return object(await this.#call(target, wire, { body: sent, id }))
  }

  async patch(target: Target, id: string, operations: JsonPatchOperation[]): Promise<JsonObject> {
    checkOffered(target, 'update')
    const wire = wireRequest(target, 'patch', { id })
    return object(
      await this.#call(target, wire, {
        body: operations as unknown as JsonValue,
        contentType: JSON_PATCH,
        id,
      })
    )
  }

  async delete(target: Target, id: string): Promise<JsonObject> {
    checkOffered(target, 'delete')
    // Janssen answers a delete with 204 and nothing else; the contract answers the item.
    const item = await this.read(target, id)
    await this.#call(target, wireRequest(target, 'delete', { id }), { id })
    return item
  }

  async query(target: Target, params: QueryParams): Promise<QueryResult> {
    checkOffered(target, 'query')
    // Parsed before anything is sent: a malformed filter gets the shell's positioned error.
    parseFilter(params.filter)
    const wire = wireRequest(target, 'query')
    const { type, pattern } = params.narrow ?? {}
    let { filter } = params
    let path = wire.path
    if (type !== undefined) {
      // Janssen's value (person_authentication), whichever way it was written. Its /type/{type}
      // answers every script for a type it does not know, so the type is checked here as well.
      const scriptType = String(canonical({ scriptType: type }).scriptType)
      path = `${wire.path}/type/${encodeURIComponent(scriptType)}`
      filter = `(${filter}) and scriptType eq ${JSON.stringify(scriptType)}`
    }
    const query = pattern === undefined ? wire.query : { ...wire.query, pattern }
    const items = await this.#everyPage(target, { ...wire, path, query })
    return queryInMemory(
      items,
      {
        filter,
        fields: params.fields,
        sortKeys: params.sortKeys,
        pageSize: params.pageSize,
        pagedResultsOffset: params.pagedResultsOffset,
      },
      target.entity.idField
    )
  }

  async action(
    target: Target,
    action: string,
    body: JsonObject | undefined,
    _params: Record<string, string>
  ): Promise<JsonValue> {
    checkAction(target, action)
    // The one action the catalog gives CustomScripts; Janssen has no endpoint for it, so it is
    // answered here as the local store answers it.
    if (action === 'validate') return validateCustomScript(target.entity, canonical(body ?? {}))
    throw new AmshError(
      'E_UNSUPPORTED',
      `Action ${action} is not supported on ${target.entity.name} by Janssen's config-api`
    )
  }

  carries(entity: EntityDef): boolean {
    return entity.wire.flavour === 'jans'
  }

  close(): void {
    this.#http.close()
  }

  /** The items of every page of a listing, from the first to the last. */
  async #everyPage(target: Target, wire: BuiltRequest): Promise<JsonObject[]> {
    const names = flavourOf(target).paging
    const items: JsonObject[] = []
    let firstOfLast: JsonValue | undefined
    for (let offset = 0; ;) {
      const reply = await this.#call(target, {
        ...wire,
        query: {
          ...wire.query,
          [names.pageSize]: String(names.maxPage),
          [names.offset]: String(offset),
        },
      })
      const page = reply.body as { entries?: unknown; totalEntriesCount?: unknown } | null
      const entries = page?.entries ?? []
      if (!Array.isArray(entries) || !entries.every(isJsonObject)) {
        throw new AmshError(
          'E_TRANSPORT',
          `${this.#http.baseUrl}${wire.path} answered a page without a list of "entries"`
        )
      }
      // A server that ignores startIndex answers the same page again: that is the end too.
      const first = entries[0]?.[target.entity.idField]
      if (offset > 0 && first !== undefined && first === firstOfLast) break
      firstOfLast = first
      items.push(...entries)
      offset += entries.length
      const total = typeof page?.totalEntriesCount === 'number' ? page.totalEntriesCount : undefined
      // A short page is the last; so is an empty one, whatever the count said (no endless loop).
      if (entries.length === 0 || entries.length < names.maxPage) break
      if (total !== undefined && offset >= total) break
    }
    return items
  }

  async #exists(target: Target, id: string): Promise<boolean> {
    try {
      await this.read(target, id)
      return true
    } catch (err) {
      if (err instanceof AmshError && err.code === 'E_NOT_FOUND') return false
      throw err
    }
  }

  /** One authenticated request; a refused token is replaced once. Error statuses throw. */
  async #call(target: Target, wire: BuiltRequest, call: Call = {}): Promise<HttpReply> {
    const send = (token: string) =>
      this.#http.send({
        method: wire.method as HttpRequest['method'],
        path: wire.path,
        query: wire.query,
        body: call.body,
        contentType: call.contentType,
        headers: { ...wire.headers, authorization: `Bearer ${token}` },
      })
    const token = await this.#tokens.token()
    let reply = await send(token)
    if (reply.status === 401) reply = await send(await this.#tokens.renew(token))
    if (reply.status < 400) return reply
    const error = jansError(reply, {
      entity: target.entity,
      method: wire.method,
      url: `${this.#http.baseUrl}${wire.path}`,
      id: call.id,
    })
    // Janssen issues a token with the scopes it allows and drops the others without a word:
    // what it granted is what to fix when the API then wants another.
    const granted = reply.status === 401 ? await this.#tokens.granted() : undefined
    if (granted === undefined) throw error
    throw new AmshError(
      'E_AUTH',
      `${error.message} (the token was granted: ${granted || 'no scopes'})`,
      {
        details: { status: 401, granted },
      }
    )
  }
}

function object(reply: HttpReply): JsonObject {
  if (isJsonObject(reply.body)) return reply.body
  throw new AmshError(
    'E_TRANSPORT',
    `the server answered ${reply.status} with ${JSON.stringify(reply.body)?.slice(0, 80) ?? 'nothing'} where Janssen sends a JSON object`
  )
}
