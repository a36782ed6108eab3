import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { AmshError } from '../errors.ts'
import { redact, redactText } from '../journal/images.ts'
import type { JsonValue } from '../json.ts'

// The wire under the REST transports (AM's, Janssen's): one keep-alive connection pool per
// server, JSON in and out, bounded retries for requests that are safe to repeat, and every
// failure of the network turned into one E_TRANSPORT line that says what happened and where. node:http rather than undici:
// it is in node's start-up snapshot, where undici's bundle took 130 ms to load and its
// WebAssembly parser held every process 250 ms at exit; and per request it costs less CPU.

export interface HttpOptions {
  /** The server's base URL, with any context path: `https://am.example.com/am`. */
  baseUrl: string
  /** How long to wait for a connection and for an answer. */
  timeoutMs?: number
  /** Extra tries for an idempotent request after a reset connection or a 502/503/504. */
  retries?: number
  /** Waits before the first retry; each next one waits twice as long. */
  backoffMs?: number
  /** A private CA to trust (PEM), or no certificate checks at all. */
  tls?: { ca?: string; insecure?: boolean }
  /** Given a line per exchange (--debug): the request as a curl command, then the status. */
  trace?: (line: string) => void
  /** What a success must be, for the error when it is not: `AM's JSON` (default `JSON`). */
  expects?: string
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Below the base URL: `/json/realms/root/scripts`. */
  path: string
  query?: Record<string, string | undefined>
  headers?: Record<string, string>
  body?: JsonValue
  /** The media type of a JSON `body`: `application/json` unless said (RFC 6902's json-patch+json). */
  contentType?: string
  /** An application/x-www-form-urlencoded body instead (OAuth 2.0's token endpoint). */
  form?: Record<string, string>
}

export interface HttpReply {
  status: number
  headers: IncomingHttpHeaders
  /** The parsed JSON; null when the answer had no body, or an error status came with text. */
  body: JsonValue
  /** What an error status said when it was not JSON (Janssen's text/plain 401s); else ''. */
  text: string
}

const RETRY_STATUSES = new Set([502, 503, 504])
/** A kept-alive connection the server closed as it was reused: the request never arrived. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE'])
/** The code of the error a request is destroyed with when its socket stays silent too long. */
const TIMEOUT = 'ETIMEDOUT'

/** What the network said, in words a person can act on. */
function networkProblem(err: unknown, url: string, timeoutMs: number): AmshError {
  const code = (err as { code?: string }).code ?? ''
  const why =
    code === 'ECONNREFUSED'
      ? 'connection refused (is the server running, and is the port right?)'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'the host name does not resolve (DNS)'
        : code === TIMEOUT
          ? `no answer within ${timeoutMs / 1000} s (raise it with -t)`
          : /CERT|SELF_SIGNED|TLS|SSL/i.test(code)
            ? `TLS: ${(err as Error).message} (${code}; give the CA with --ca-file)`
            : `${(err as Error).message}${code ? ` (${code})` : ''}`
  return new AmshError('E_TRANSPORT', `cannot reach ${url}: ${why}`, { cause: err })
}

/** Methods that may be sent again after a reset connection: the same request, the same result. */
const IDEMPOTENT = new Set<HttpRequest['method']>(['GET', 'PUT', 'DELETE'])

/** Headers whose values are secrets: --debug shows that they were sent, not what they held. */
const SECRET_HEADERS = new Set(['authorization', 'cookie', 'x-openam-password'])
/** Form fields likewise (a signed assertion is as good as a password for three minutes). */
const SECRET_FIELDS = new Set(['assertion', 'password', 'client_secret'])

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}

function masked(name: string, value: string): string {
  if (!SECRET_HEADERS.has(name.toLowerCase())) return value
  const scheme = /^(Bearer|Basic)\s/i.exec(value)?.[0] ?? ''
  const cookie = name.toLowerCase() === 'cookie' ? value.replace(/=.*$/, '=') : ''
  return `${scheme || cookie}***`
}

/** A request as the curl command that repeats it, secrets masked. */
function curl(
  method: string,
  url: string,
  headers: Record<string, string>,
  payload: string | undefined
): string {
  const parts = ['curl', '-X', method, shellQuote(url)]
  for (const [name, value] of Object.entries(headers)) {
    parts.push('-H', shellQuote(`${name}: ${masked(name, value)}`))
  }
  if (payload !== undefined) {
    let shown = payload
    if (headers['content-type'] === 'application/x-www-form-urlencoded') {
      const form = new URLSearchParams(payload)
      for (const field of SECRET_FIELDS) if (form.has(field)) form.set(field, '***')
      shown = form.toString()
    } else {
      // A body's secrets (a userPassword, a client secret) as the journal hides them.
      try {
        const body = JSON.parse(payload) as JsonValue
        const hidden = JSON.stringify(redact(body))
        if (hidden !== JSON.stringify(body)) shown = hidden
      } catch {
        shown = redactText(payload)
      }
    }
    parts.push('--data', shellQuote(shown))
  }
  return parts.join(' ')
}

interface Answer {
  status: number
  headers: IncomingHttpHeaders
  text: string
}

export class HttpClient {
  readonly baseUrl: string
  readonly #agent: HttpAgent
  readonly #request: typeof httpRequest
  readonly #host: string
  readonly #port: string
  readonly #prefix: string
  readonly #timeoutMs: number
  readonly #retries: number
  readonly #backoffMs: number
  readonly #trace: ((line: string) => void) | undefined
  readonly #expects: string
  #inFlight = 0
  #closed = false

  constructor(options: HttpOptions) {
    let url: URL
    try {
      url = new URL(options.baseUrl)
    } catch {
      throw new AmshError(
        'E_USAGE',
        `"${options.baseUrl}" is not a URL (expected e.g. https://am.example.com/am)`
      )
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new AmshError('E_USAGE', `"${options.baseUrl}" is not an http(s) URL`)
    }
    this.#prefix = url.pathname.replace(/\/+$/, '')
    this.baseUrl = `${url.origin}${this.#prefix}`
    this.#host = url.hostname.replace(/^\[(.*)\]$/, '$1')
    this.#port = url.port
    this.#timeoutMs = options.timeoutMs ?? 30_000
    this.#retries = options.retries ?? 2
    this.#backoffMs = options.backoffMs ?? 200
    this.#trace = options.trace
    this.#expects = options.expects ?? 'JSON'
    const pooled = { keepAlive: true, noDelay: true }
    if (url.protocol === 'https:') {
      this.#request = httpsRequest
      this.#agent = new HttpsAgent({
        ...pooled,
        ca: options.tls?.ca,
        rejectUnauthorized: options.tls?.insecure !== true,
      })
    } else {
      this.#request = httpRequest
      this.#agent = new HttpAgent(pooled)
    }
  }

  /** Sends a request and reads its JSON answer, whatever the status (the caller decides). */
  async send(request: HttpRequest): Promise<HttpReply> {
    // A JSON Patch may add to an array: sent twice, it adds twice. Only POST and PATCH are not.
    const idempotent = IDEMPOTENT.has(request.method)
    for (let attempt = 0; ; attempt++) {
      const last = !idempotent || attempt >= this.#retries
      try {
        const reply = await this.#once(request)
        if (last || !RETRY_STATUSES.has(reply.status)) return reply
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause
        if (last || !RESET_CODES.has(cause?.code ?? '')) throw err
      }
      await new Promise((done) => setTimeout(done, this.#backoffMs * 2 ** attempt))
    }
  }

  async #once(request: HttpRequest): Promise<HttpReply> {
    const search = new URLSearchParams()
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) search.set(name, value)
    }
    const query = search.size ? `?${search}` : ''
    const path = `${this.#prefix}${request.path}${query}`
    const url = `${this.baseUrl}${request.path}`
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers }
    let payload: string | undefined
    if (request.form !== undefined) {
      payload = new URLSearchParams(request.form).toString()
      headers['content-type'] = 'application/x-www-form-urlencoded'
    } else if (request.body !== undefined) {
      payload = JSON.stringify(request.body)
      headers['content-type'] = request.contentType ?? 'application/json'
    }
    this.#trace?.(curl(request.method, `${url}${query}`, headers, payload))
    let answer: Answer
    try {
      answer = await this.#exchange(request.method, path, headers, payload)
    } catch (err) {
      throw networkProblem(err, url, this.#timeoutMs)
    }
    const { status, text } = answer
    this.#trace?.(`  → ${status}`)
    let body: JsonValue = null
    if (text !== '') {
      try {
        body = JSON.parse(text) as JsonValue
      } catch {
        // An error may be told in words (Janssen's config-api answers a refused token in
        // text/plain): the caller turns them into its error. A success must be JSON.
        if (status >= 400) return { status, headers: answer.headers, body: null, text }
        const type = String(answer.headers['content-type'] ?? 'no content type')
        const start = text.replace(/\s+/g, ' ').trim().slice(0, 80)
        throw new AmshError(
          'E_TRANSPORT',
          `${request.method} ${url} answered ${status} with ${type}, not ${this.#expects}: "${start}"`
        )
      }
    }
    return { status, headers: answer.headers, body, text: '' }
  }

  /** One request and its whole answer; a socket silent for the timeout ends it. */
  #exchange(
    method: string,
    path: string,
    headers: Record<string, string>,
    payload: string | undefined
  ): Promise<Answer> {
    if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload))
    this.#inFlight++
    return new Promise<Answer>((resolve, reject) => {
      const sent = this.#request({
        agent: this.#agent,
        host: this.#host,
        port: this.#port,
        method,
        path,
        headers,
      })
      sent.setTimeout(this.#timeoutMs, () => {
        sent.destroy(Object.assign(new Error('timed out'), { code: TIMEOUT }))
      })
      sent.on('error', reject)
      sent.on('response', (reply) => {
        let text = ''
        reply.setEncoding('utf8')
        reply.on('data', (chunk: string) => (text += chunk))
        reply.on('error', reject)
        reply.on('end', () =>
          resolve({ status: reply.statusCode ?? 0, headers: reply.headers, text })
        )
      })
      sent.end(payload)
    }).finally(() => {
      this.#inFlight--
      if (this.#closed && this.#inFlight === 0) this.#agent.destroy()
    })
  }

  /** Closes the kept-alive connections; requests still in flight finish first. */
  close(): void {
    this.#closed = true
    if (this.#inFlight === 0) this.#agent.destroy()
  }
}
