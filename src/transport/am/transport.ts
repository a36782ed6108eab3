import { parseFilter } from '../../crest/filter.ts'
import { realmUrlPath } from '../../crest/realm.ts'
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
} from '../types.ts'
import { cookieName, type Credentials } from './auth.ts'
import { amError, HttpClient, type HttpOptions, type HttpReply, type HttpRequest } from './http.ts'

// The Transport over AM's REST API (AM, PingAM, Identity Cloud, or `amsh serve`), with AM's
// paths, Accept-API-Version from the catalog, and CREST's request types: create with an id is a
// PUT that may only create (If-None-Match: *), update a PUT that may only update (If-Match: *).

/** Results asked for per request when the caller wants them all; AM caps large pages. */
const PAGE = 1000

export interface AmTransportOptions extends HttpOptions {
  credentials: Credentials
}

export class AmTransport implements Transport {
  readonly kind = 'am'
  readonly #http: HttpClient
  readonly #credentials: Credentials

  constructor(options: AmTransportOptions) {
    this.#http = new HttpClient(options)
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
    const reply =
      id === undefined
        ? await this.#call(target, {
            method: 'POST',
            path: collection(target),
            query: { _action: 'create' },
            body,
          })
        : await this.#call(target, {
            method: 'PUT',
            path: instance(target, id),
            headers: { 'if-none-match': '*' },
            body,
          })
    return object(reply)
  }

  async read(target: Target, id: string): Promise<JsonObject> {
    checkOffered(target, 'read')
    return object(await this.#call(target, { method: 'GET', path: instance(target, id) }))
  }

  async update(target: Target, id: string, body: JsonObject): Promise<JsonObject> {
    checkOffered(target, 'update')
    return object(
      await this.#call(target, {
        method: 'PUT',
        path: instance(target, id),
        headers: { 'if-match': '*' },
        body,
      })
    )
  }

  async delete(target: Target, id: string): Promise<JsonObject> {
    checkOffered(target, 'delete')
    return object(await this.#call(target, { method: 'DELETE', path: instance(target, id) }))
  }

  async query(target: Target, params: QueryParams): Promise<QueryResult> {
    checkOffered(target, 'query')
    // Parsed here as well: a malformed filter gets the shell's positioned error, not a 400.
    parseFilter(params.filter)
    const page = (pageSize: number | undefined, offset: number | undefined) =>
      this.#call(target, {
        method: 'GET',
        path: collection(target),
        query: {
          _queryFilter: params.filter,
          _fields: params.fields?.join(','),
          _sortKeys: params.sortKeys?.join(','),
          _pageSize: pageSize === undefined ? undefined : String(pageSize),
          _pagedResultsOffset: offset === undefined ? undefined : String(offset),
        },
      }).then((reply) => object(reply) as unknown as QueryResult)
    if (params.pageSize !== undefined) return page(params.pageSize, params.pagedResultsOffset)

    // Everything was asked for: follow the pages to the end.
    const result: JsonObject[] = []
    for (let offset = params.pagedResultsOffset ?? 0; ; offset += PAGE) {
      const answer = await page(PAGE, offset)
      result.push(...answer.result)
      if (answer.result.length < PAGE) break
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
    const reply = await this.#call(target, {
      method: 'POST',
      path: offered.topLevel ? `/json${target.entity.resourcePath}` : collection(target),
      query: { ...params, _action: action },
      body: body ?? {},
    })
    return reply.body
  }

  close(): void {
    this.#http.close()
  }

  /** One authenticated request; a refused session is renewed once. Error statuses throw. */
  async #call(target: Target, request: HttpRequest): Promise<HttpReply> {
    const send = async () =>
      this.#http.send({
        ...request,
        headers: {
          'accept-api-version': `protocol=2.0,resource=${target.entity.resourceVersion}`,
          ...request.headers,
          ...(await this.#credentials.headers(this.#http)),
        },
      })
    let reply = await send()
    if (reply.status === 401 && (await this.#credentials.renew(this.#http))) reply = await send()
    if (reply.status >= 400) throw amError(reply)
    return reply
  }
}

function collection(target: Target): string {
  const { entity, scope } = target
  const realm = scope.kind === 'global' ? '' : realmUrlPath(scope.realm)
  return `/json${realm}${entity.resourcePath}`
}

function instance(target: Target, id: string): string {
  return `${collection(target)}/${encodeURIComponent(id)}`
}

function object(reply: HttpReply): JsonObject {
  if (isJsonObject(reply.body)) return reply.body
  throw new AmshError(
    'E_TRANSPORT',
    `the server answered ${reply.status} with ${JSON.stringify(reply.body)?.slice(0, 80) ?? 'nothing'} where AM sends a JSON object`
  )
}
