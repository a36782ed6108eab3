import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { AmshError } from '../errors.ts'
import { errorBody, HttpError, JSON_HEADERS, statusOf } from './crest.ts'
import type { Router } from './router.ts'

// `amsh serve`: node:http in front of the router. It reads each body (up to a limit), answers
// JSON with AM's headers, logs one line per request, and never lets a bad request take it down.

/** AM refuses bodies far smaller than this; a script source of 1 MiB is already huge. */
export const MAX_BODY = 1024 * 1024

export interface ServeOptions {
  router: Router
  host: string
  port: number
  /** `/am`: where AM's paths start. */
  contextPath: string
  log(line: string): void
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host)
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY) {
        reject(new HttpError(413, `The request body is larger than ${MAX_BODY} bytes`))
        request.resume()
        return
      }
      chunks.push(chunk)
    })
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

function send(
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string
): void {
  if (response.destroyed) return
  response.writeHead(status, {
    ...JSON_HEADERS,
    ...headers,
    'content-length': Buffer.byteLength(body),
  })
  response.end(body)
}

export function serve(options: ServeOptions): Promise<{ server: Server; url: string }> {
  const { router, contextPath, log } = options
  const server = createServer((request, response) => {
    const started = performance.now()
    const url = new URL(request.url ?? '/', 'http://localhost')
    const transactionId = request.headers['x-forgerock-transactionid']
    const echo: Record<string, string> =
      typeof transactionId === 'string' ? { 'x-forgerock-transactionid': transactionId } : {}
    const finish = (status: number) =>
      log(
        `${request.method} ${url.pathname}${url.search} ${status} ${(performance.now() - started).toFixed(1)}ms`
      )
    const handle = async () => {
      if (!url.pathname.startsWith(`${contextPath}/`))
        throw new HttpError(404, 'Resource cannot be found.')
      const body = await readBody(request)
      const host = request.headers.host ?? `${options.host}:${options.port}`
      return router.handle({
        method: request.method ?? 'GET',
        path: url.pathname.slice(contextPath.length),
        query: url.searchParams,
        headers: request.headers,
        body,
        base: `http://${host}${contextPath}`,
      })
    }
    handle().then(
      (answer) => {
        send(response, answer.status, { ...echo, ...answer.headers }, JSON.stringify(answer.body))
        finish(answer.status)
      },
      (err: unknown) => {
        const { status, message } = statusOf(err)
        if (!(err instanceof HttpError) && !(err instanceof AmshError)) {
          log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
        }
        send(response, status, echo, errorBody(status, message))
        finish(status)
      }
    )
  })
  // A client that hangs up mid-request costs its socket, nothing more.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    else socket.destroy()
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
