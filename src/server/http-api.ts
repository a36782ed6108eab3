import { assertJsonDepth } from '../json-depth.ts'
import type { JsonObject, JsonValue } from '../json.ts'
import { HttpError } from './crest.ts'

// What the server's handlers take and give: a request read whole (method, path below the
// context path, query, headers, body), and a status, extra headers and a JSON body.

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
  /** Sent as it is instead of `body` (with its own content-type): an empty 404, a text error. */
  text?: string
}

/** One server's API (AM's, Janssen's): its answers, and its errors' bodies. */
export interface Handler {
  handle(request: ApiRequest): Promise<ApiResponse>
  /**
   * Whether a request is refused before its body is read (no valid session where one is
   * needed): a client that is not let in cannot make the server read and hold a body for it.
   */
  refusedUnread?(request: Omit<ApiRequest, 'body'>): HttpError | undefined
  /** The body of an error answer, in the API's own shape. */
  errorBody(status: number, message: string): string
}

export function header(request: Pick<ApiRequest, 'headers'>, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}

export function jsonBody(request: ApiRequest): JsonObject {
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

export function ok(body: JsonValue): ApiResponse {
  return { status: 200, headers: {}, body }
}

export function notFound(): HttpError {
  return new HttpError(404, 'Resource cannot be found.')
}
