import { AmshError, httpReason } from '../errors.ts'

// What CREST puts on the wire around a resource: error bodies, the API version headers and the
// response headers AM sends with every JSON answer.

/** CREST HTML-escapes error messages before it sends them. */
function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[ch]!};`
  )
}

export function errorBody(status: number, message: string): string {
  return JSON.stringify({ code: status, reason: httpReason(status), message: escapeHtml(message) })
}

/** An error with the HTTP status it answers with, for cases no AmshError code names. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Headers the answer carries (a 429's Retry-After). */
    readonly headers: Record<string, string> = {}
  ) {
    super(message)
  }
}

export function statusOf(err: unknown): { status: number; message: string } {
  if (err instanceof HttpError) return { status: err.status, message: err.message }
  if (err instanceof AmshError) return { status: err.httpStatus, message: err.message }
  return { status: 500, message: 'Internal Server Error' }
}

export interface Version {
  major: number
  minor: number
}

export interface ApiVersion {
  protocol: Version
  resource: Version | undefined
}

/** CREST's default protocol when a request names none, and the highest it speaks. */
const PROTOCOL: Version = { major: 2, minor: 1 }

function version(text: string, name: string): Version {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim())
  if (!match) throw new HttpError(400, `${name} version "${text}" is not a version`)
  return { major: Number(match[1]), minor: Number(match[2] ?? 0) }
}

/** `Accept-API-Version: protocol=2.0,resource=1.0` (either order, spaces allowed). */
export function parseApiVersion(header: string | undefined): ApiVersion {
  let protocol = PROTOCOL
  let resource: Version | undefined
  for (const part of (header ?? '').split(',')) {
    const [key = '', value = ''] = part.split('=').map((s) => s.trim())
    if (key === '') continue
    if (key === 'protocol') protocol = version(value, 'protocol')
    else if (key === 'resource') resource = version(value, 'resource')
    else throw new HttpError(400, `Accept-API-Version: "${part.trim()}" is not understood`)
  }
  if (
    protocol.major > PROTOCOL.major ||
    (protocol.major === PROTOCOL.major && protocol.minor > PROTOCOL.minor)
  ) {
    throw new HttpError(400, `Unsupported minor version: ${protocol.major}.${protocol.minor}`)
  }
  return { protocol, resource }
}

/** A route offers `offered`; a request for another major, or a higher minor, matches no route. */
export function checkResourceVersion(requested: Version | undefined, offered: Version): void {
  if (!requested) return
  if (requested.major !== offered.major || requested.minor > offered.minor) {
    throw new HttpError(
      404,
      `Accept-API-Version: Requested version "${requested.major}.${requested.minor}" does not match any routes.`
    )
  }
}

/** The headers AM sends with every JSON answer. */
export const JSON_HEADERS: Record<string, string> = {
  'content-type': 'application/json;charset=UTF-8',
  'cache-control': 'private',
  expires: '0',
  pragma: 'no-cache',
  'x-frame-options': 'SAMEORIGIN',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none';frame-ancestors 'none';sandbox",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
}
