import type { EntityDef } from '../../catalog/catalog.ts'
import { parseFilter } from '../../crest/filter.ts'
import { AmshError } from '../../errors.ts'
import { isJsonObject, type JsonObject, type JsonValue } from '../../json.ts'
import {
  checkAction,
  checkOffered,
  queryEnvelope,
  type QueryParams,
  type QueryResult,
  type Target,
  type Transport,
  type WriteOptions,
} from '../types.ts'
import { flavourOf, versionHeader, wireRequest, type BuiltRequest } from '../../wire/requests.ts'
import { cookieName, type Credentials } from './auth.ts'
import { HttpClient, type HttpOptions, type HttpReply, type HttpRequest } from '../http.ts'
import { amError } from './http.ts'

// The Transport over AM's REST API (AM, PingAM, Identity Cloud, or `amsh serve`). Each request is
// what the catalog says of the entity and its wire flavour (src/wire/): CREST's create with an id
// is a PUT that may only create (If-None-Match: *), update a PUT that may only update (If-Match).

export interface AmTransportOptions extends HttpOptions {
  credentials: Credentials
}

export class AmTransport implements Transport {
  readonly kind = 'am'
  readonly #http: HttpClient
  readonly #credentials: Credentials

  constructor(options: AmTransportOptions) {
    this.#http = new HttpClient({ expects: "AM's JSON", ...options })
    this.#credentials = options.credentials
  }

  get baseUrl(): string {
    return this.#http.baseUrl
  }

  /** Logs in now, so that bad credentials show at `connect` rather than at the first command. */
  async login(): Promise<void> {
    await cookieName(this.#http)
    await this.#credentials.headers(this.#http)
  }

  async create(target: Target, body: JsonObject, id?: string): Promise<JsonObject> {
    checkOffered(target, 'create')
    const wire =
      id === undefined ? wireRequest(target, 'create') : wireRequest(target, 'createWithId', { id })
    return object(
      await this.#call(
        target,
        wire,
        wire.id === 'body' && id ? { ...body, [target.entity.idField]: id } : body
      )
    )
  }

  async read(target: Target, id: string): Promise<JsonObject> {
    checkOffered(target, 'read')
    return object(await this.#call(target, wireRequest(target, 'read', { id })))
  }

  async update(
    target: Target,
    id: string,
    body: JsonObject,
    options?: WriteOptions
  ): Promise<JsonObject> {
    checkOffered(target, 'update')
    const wire = wireRequest(target, 'update', { id, rev: options?.rev })
    return object(await this.#call(target, wire, body))
  }

  async delete(target: Target, id: string): Promise<JsonObject> {
    checkOffered(target, 'delete')
    return object(await this.#call(target, wireRequest(target, 'delete', { id })))
  }

  async query(target: Target, params: QueryParams): Promise<QueryResult> {
    checkOffered(target, 'query')
    // Parsed here as well: a malformed filter gets the shell's positioned error, not a 400.
    parseFilter(params.filter)
    const wire = wireRequest(target, 'query')
    const names = flavourOf(target).paging
    const page = (
      pageSize: number | undefined,
      offset: number | undefined,
      cookie = params.pagedResultsCookie
    ) =>
      this.#call(target, {
        ...wire,
        query: {
          ...wire.query,
          ...(names.filter ? { [names.filter]: params.filter } : {}),
          ...(params.fields && names.fields ? { [names.fields]: params.fields.join(',') } : {}),
          ...(params.sortKeys && names.sortKeys
            ? { [names.sortKeys]: params.sortKeys.join(',') }
            : {}),
          ...(pageSize === undefined ? {} : { [names.pageSize]: String(pageSize) }),
          ...(offset === undefined ? {} : { [names.offset]: String(offset) }),
          ...(cookie !== undefined && names.cookie ? { [names.cookie]: cookie } : {}),
        },
      }).then((reply) => object(reply) as unknown as QueryResult)
    if (params.pageSize !== undefined) return page(params.pageSize, params.pagedResultsOffset)

    // Everything was asked for: follow the pages to the end, by their cookies where the server
    // gives them.
    const result: JsonObject[] = []
    let cookie = params.pagedResultsCookie
    for (let offset = params.pagedResultsOffset ?? 0; ; offset += names.maxPage) {
      const answer = await page(names.maxPage, cookie === undefined ? offset : undefined, cookie)
      result.push(...answer.result)
      if (answer.result.length < names.maxPage) break
      cookie = answer.pagedResultsCookie ?? undefined
    }
    return queryEnvelope(result)
  }

  async action(
    target: Target,
    action: string,
    body: JsonObject | undefined,
    params: Record<string, string>
  ): Promise<JsonValue> {
    const offered = checkAction(target, action)
    const wire = wireRequest(target, 'action', { action, fixedPath: offered.path })
    const reply = await this.#call(
      target,
      { ...wire, query: { ...params, ...wire.query } },
      body ?? {}
    )
    return reply.body
  }

  /** amsh serve says so in its version's `revision`, where AM gives a build's. */
  async ownedByAmsh(): Promise<boolean> {
    const reply = await this.#http.send({
      method: 'GET',
      path: '/json/serverinfo/version',
      headers: {
        'accept-api-version': 'resource=1.0',
        ...(await this.#credentials.headers(this.#http)),
      },
    })
    return (
      reply.status === 200 && (reply.body as { revision?: unknown } | null)?.revision === 'amsh'
    )
  }

  carries(entity: EntityDef): boolean {
    return entity.wire.flavour === 'am'
  }

  close(): void {
    this.#http.close()
  }

  /** One authenticated request; a refused session is renewed once. Error statuses throw. */
  async #call(target: Target, wire: BuiltRequest, body?: JsonObject): Promise<HttpReply> {
    const send = async () =>
      this.#http.send({
        method: wire.method as HttpRequest['method'],
        path: wire.path,
        query: wire.query,
        body,
        headers: {
          ...versionHeader(target),
          ...wire.headers,
          ...(await this.#credentials.headers(this.#http)),
        },
      })
    let reply = await send()
    if (reply.status === 401 && (await this.#credentials.renew(this.#http))) reply = await send()
    // A write that named a revision and met another: the item changed under it.
    if (reply.status === 412 && wire.headers['if-match']?.startsWith('"')) {
      throw new AmshError('E_STALE', amError(reply).message, { details: { status: 412 } })
    }
    if (reply.status >= 400) throw amError(reply)
    return reply
  }
}

function object(reply: HttpReply): JsonObject {
  if (isJsonObject(reply.body)) return reply.body
  throw new AmshError(
    'E_TRANSPORT',
    `the server answered ${reply.status} with ${JSON.stringify(reply.body)?.slice(0, 80) ?? 'nothing'} where AM sends a JSON object`
  )
}
