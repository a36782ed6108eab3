import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { AmshError, httpReason } from '../errors.ts'
import { HttpError, JSON_HEADERS, statusOf } from './crest.ts'
import type { Handler } from './http-api.ts'

// `amsh serve`: node:http in front of the router. It reads each body (up to a limit), answers
// JSON with AM's headers, logs one line per request, and never lets a bad request take it down.

/** AM refuses bodies far smaller than this; a script source of 1 MiB is already huge. */
export const MAX_BODY = 1024 * 1024

/**
 * What is still read and thrown away of a body past the limit, so that a client sending it
 * gets to read the 413 (Tomcat's maxSwallowSize does the same); past that the connection ends.
 */
const MAX_SWALLOW = 4 * MAX_BODY

export interface ServeOptions {
  router: Handler
  host: string
  port: number
  /** `/am`: where AM's paths start. */
  contextPath: string
  log(line: string): void
}

/**
 * AM's container (Tomcat) answers 400 to an encoded slash, backslash or NUL in a path before AM
 * sees it; control characters go the same way. So no id or realm name can hold one, and `..%2F`
 * climbs nowhere.
 */
const REFUSED_IN_PATH = /%(2f|5c|[01][0-9a-f]|7f)/i

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host)
}

function tooLarge(): HttpError {
  return new HttpError(413, `The request body is larger than ${MAX_BODY} bytes`)
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    // A length that says too much is refused before any of it comes; one that lies, or a
    // chunked body, is counted as it comes.
    if (Number(request.headers['content-length']) > MAX_BODY) reject(tooLarge())
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY + MAX_SWALLOW) request.destroy()
      else if (size > MAX_BODY) reject(tooLarge())
      else chunks.push(chunk)
    })
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    // A client that hangs up mid-body gets no answer, but its request still gets a log line.
    const gone = () => reject(new HttpError(400, 'The client closed the connection mid-request'))
    request.on('error', gone)
    request.on('close', () => {
      if (!request.complete) gone()
    })
  })
}

/** A `.` or `..` segment, spelt out or encoded (`%2e%2e`), as URL parsers read them. */
const DOT_SEGMENT = /(^|[/\\])(\.|%2e){1,2}([/\\?#]|$)/i

/**
 * The path and query of a request target. It is parsed against a fixed origin so that `//x` stays
 * a path (not a host) and an absolute-form target (`http://host/am/...`) keeps only its path.
 */
function requestTarget(target: string): URL {
  // URL parsing would resolve them, so `scripts/%2e%2e/%2e%2e/x` would reach a resource the
  // client never named. Browsers, fetch and curl resolve them before sending; what is left is
  // refused rather than followed.
  if (DOT_SEGMENT.test(target.split('?')[0]!)) {
    throw new HttpError(400, 'The path may not contain . or .. segments')
  }
  try {
    return new URL(target.startsWith('/') ? `http://localhost${target}` : target)
  } catch {
    throw new HttpError(400, `The request target ${target} is not a valid URL`)
  }
}

/** Query parameters whose values the request log leaves out (a token, a secret sent by mistake). */
const SECRET_PARAMETER = /password|secret|token|assertion|credential|key|pwd/i

/** A request target as the request log shows it: secret-looking query values as `***`. */
function logged(target: string): string {
  const at = target.indexOf('?')
  if (at < 0) return target
  const parts = target
    .slice(at + 1)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=')
      if (eq < 0) return part
      let name = part.slice(0, eq)
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '))
      } catch {
        // Shown as sent.
      }
      return SECRET_PARAMETER.test(name) ? `${part.slice(0, eq)}=***` : part
    })
  return `${target.slice(0, at)}?${parts.join('&')}`
}

function send(
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string
): void {
  if (response.destroyed || response.headersSent) return
  response.writeHead(status, {
    ...JSON_HEADERS,
    ...headers,
    'content-length': Buffer.byteLength(body),
  })
  response.end(body)
}

/** Node's parser errors, as the answer AM's container gives (it answers 400 to a head too big). */
function clientErrorStatus(err: NodeJS.ErrnoException): { status: number; message: string } {
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    return { status: 400, message: 'The request line and headers are too large' }
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, message: 'The request did not arrive in time' }
  }
  return { status: 400, message: 'The request is not valid HTTP' }
}

/** An answer written on the socket itself (node's parser has given up on it), then its end. */
function answerRaw(socket: Duplex, status: number, body: string): void {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const head = Object.entries({
    ...JSON_HEADERS,
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  }).map(([name, value]) => `${name}: ${value}\r\n`)
  const text = `HTTP/1.1 ${status} ${httpReason(status)}\r\n${head.join('')}\r\n${body}`
  socket.end(text, () => socket.destroy())
}

export function serve(options: ServeOptions): Promise<{ server: Server; url: string }> {
  const { router, contextPath, log } = options
  // The response a connection is still working on: a parse error that follows waits for it
  // rather than cutting into it.
  const inFlight = new WeakMap<Duplex, ServerResponse>()
  /** Connections a parse error has already answered: whatever else was coming is not sent. */
  const answered = new WeakSet<Duplex>()

  const route = async (request: IncomingMessage, url: URL) => {
    if (!url.pathname.startsWith(`${contextPath}/`)) {
      throw new HttpError(404, 'Resource cannot be found.')
    }
    if (REFUSED_IN_PATH.test(url.pathname)) {
      throw new HttpError(
        400,
        'The path may not contain an encoded slash, backslash or control character'
      )
    }
    if (request.httpVersion === '1.1' && request.headers.host == null) {
      throw new HttpError(400, 'An HTTP/1.1 request must name its Host')
    }
    const host = request.headers.host ?? `${options.host}:${options.port}`
    const unread = {
      method: request.method ?? 'GET',
      path: url.pathname.slice(contextPath.length),
      query: url.searchParams,
      headers: request.headers,
      base: `http://${host}${contextPath}`,
      remoteAddress: request.socket.remoteAddress,
    }
    const refused = router.refusedUnread?.(unread)
    if (refused) throw refused
    return router.handle({ ...unread, body: await readBody(request) })
  }

  const respond = async (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now()
    inFlight.set(request.socket, response)
    response.on('close', () => {
      if (inFlight.get(request.socket) === response) inFlight.delete(request.socket)
    })
    const transactionId = request.headers['x-forgerock-transactionid']
    const echo: Record<string, string> =
      typeof transactionId === 'string' ? { 'x-forgerock-transactionid': transactionId } : {}
    let shown = request.url ?? ''
    let status: number
    let headers: Record<string, string>
    let body: string
    try {
      const url = requestTarget(request.url ?? '/')
      shown = `${url.pathname}${url.search}`
      const answer = await route(request, url)
      body = answer.text ?? JSON.stringify(answer.body)
      status = answer.status
      headers = { ...echo, ...answer.headers }
    } catch (err) {
      const error = statusOf(err)
      if (!(err instanceof HttpError) && !(err instanceof AmshError)) {
        log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
      } else if (error.status === 500) {
        // The store failing, say: the client sees the message, the one running the server too.
        log(`error: ${error.message}`)
      }
      status = error.status
      headers = err instanceof HttpError ? { ...echo, ...err.headers } : echo
      body = router.errorBody(status, error.message)
    }
    try {
      if (!answered.has(request.socket)) send(response, status, headers, body)
    } catch (err) {
      // A header the router built from what the client sent (a Host, an id) that node refuses.
      log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
      status = 500
      send(response, status, {}, router.errorBody(status, 'Internal Server Error'))
    }
    log(
      `${request.method} ${logged(shown)} ${status} ${(performance.now() - started).toFixed(1)}ms`
    )
  }

  const server = createServer({ requireHostHeader: false }, (request, response) => {
    respond(request, response).catch((err: unknown) => {
      log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
      response.destroy()
    })
  })

  // A client may close its sending side once its request is out (HTTP/1.0 clients, `nc -N`):
  // node would then drop the answer still being worked on (a slow one: a failed login waits)
  // and end the connection. Half open, it sends the answer first, then ends.
  ;(server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true

  // CONNECT (and a protocol upgrade) would have node close the connection without a word.
  const unserved = (request: IncomingMessage, socket: Duplex) => {
    const status = 405
    const what = request.method === 'CONNECT' ? 'CONNECT' : 'A protocol upgrade'
    answerRaw(socket, status, router.errorBody(status, `${what} is not served here`))
    log(`${request.method} ${(request.url ?? '').slice(0, 2000)} ${status} 0.0ms`)
  }
  server.on('connect', unserved)
  server.on('upgrade', unserved)

  // An Expect other than 100-continue, which node would answer with an empty 417 of its own.
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const status = 417
    const expect = String(request.headers.expect).slice(0, 100)
    send(response, status, {}, router.errorBody(status, `Expect: ${expect} is not supported`))
    log(`${request.method} ${(request.url ?? '').slice(0, 2000)} ${status} 0.0ms`)
  })

  // What node cannot parse as HTTP costs its own connection, nothing more: a CREST error, then
  // the connection ends.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A client that hung up (mid-request too) is owed no answer; its request, if any, then ends.
    if (err.code === 'ECONNRESET' || err.code === 'HPE_INVALID_EOF_STATE' || !socket.writable) {
      socket.destroy()
      return
    }
    const { status, message } = clientErrorStatus(err)
    const reply = () => {
      answered.add(socket)
      answerRaw(socket, status, router.errorBody(status, message))
    }
    // The answer to a request read whole comes first; one whose body broke off never completes,
    // so it gets this answer instead (and its handler logs it once the connection is gone).
    const pending = inFlight.get(socket)
    if (pending && !pending.writableFinished && pending.req.complete) {
      pending.once('close', reply)
    } else reply()
    log(`(not HTTP: ${err.code ?? err.message}) ${status}`)
  })

  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new AmshError(
          'E_USAGE',
          `cannot listen on ${options.host}:${options.port}: ${err.code ?? err.message}`
        )
      )
    )
    server.listen(options.port, options.host, () => {
      const address = server.address() as AddressInfo
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
      resolve({ server, url: `http://${host}:${address.port}${contextPath}` })
    })
  })
}
