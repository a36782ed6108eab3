// One error family for the whole tool. Every failure a user can cause is an AmshError with a
// stable code; the code alone decides the exit status of a stopped batch and the HTTP status the
// server answers with. Branch on `code`, never on `message`.

export const ERRORS = {
  /** Bad invocation: unknown verb, entity or option, missing or conflicting options. */
  E_USAGE: { exit: 2, http: 400 },
  /** Text that does not parse: command-line quoting, a JSON body, a CREST filter. */
  E_PARSE: { exit: 2, http: 400 },
  /** A body that breaks the entity's JSON Schema or the product profile. */
  E_SCHEMA: { exit: 3, http: 400 },
  /** A script source (JavaScript, Groovy) that does not parse. */
  E_SYNTAX: { exit: 3, http: 400 },
  /** A JavaScript line of the shell that threw, or a ${...} / variable that has no value. */
  E_SCRIPT: { exit: 3, http: 500 },
  /** Ctrl-C stopped a running line. */
  E_INTERRUPTED: { exit: 130, http: 500 },
  /** A request AM's rules refuse (undecodable script, id mismatch, changing evaluatorVersion...). */
  E_INVALID: { exit: 3, http: 400 },
  E_NOT_FOUND: { exit: 3, http: 404 },
  /** A name already in use (AM answers 409). */
  E_CONFLICT: { exit: 3, http: 409 },
  /** An id already in use on a create-only request (AM answers 412). */
  E_EXISTS: { exit: 3, http: 412 },
  /** A write naming a revision that is no longer the item's (CREST's If-Match, AM 412). */
  E_STALE: { exit: 3, http: 412 },
  /** Refused by policy, e.g. deleting a default script. */
  E_FORBIDDEN: { exit: 3, http: 403 },
  /** An operation the entity, scope or transport does not offer. */
  E_UNSUPPORTED: { exit: 3, http: 501 },
  /** The server cannot be reached, does not answer in time, or answers what is not AM's JSON. */
  E_TRANSPORT: { exit: 3, http: 502 },
  /** The server refused the credentials, or the session ended and logging in again failed. */
  E_AUTH: { exit: 3, http: 401 },
  /** A file the user named cannot be read. */
  E_IO: { exit: 3, http: 500 },
  /** The local store cannot be opened or written. */
  E_STORE: { exit: 3, http: 500 },
  /** A bug: something that should not happen. */
  E_INTERNAL: { exit: 3, http: 500 },
} as const satisfies Record<string, { exit: number; http: number }>

export type ErrorCode = keyof typeof ERRORS

/**
 * The other direction, for AM's answers: the code an error status stands for. 400 is AM refusing
 * a body by its rules; a status not listed is the server failing (E_TRANSPORT).
 */
const CODES_BY_STATUS: Record<number, ErrorCode> = {
  400: 'E_INVALID',
  401: 'E_AUTH',
  403: 'E_FORBIDDEN',
  404: 'E_NOT_FOUND',
  405: 'E_UNSUPPORTED',
  409: 'E_CONFLICT',
  412: 'E_EXISTS',
  413: 'E_INVALID',
  501: 'E_UNSUPPORTED',
}

export function codeForStatus(status: number): ErrorCode {
  return CODES_BY_STATUS[status] ?? 'E_TRANSPORT'
}

/** Reason phrases as CREST writes them in error bodies. */
const HTTP_REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  417: 'Expectation Failed',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
}

export function httpReason(status: number): string {
  return HTTP_REASONS[status] ?? 'Error'
}

export interface SourcePosition {
  file: string
  line: number
  column?: number
}

export type JsonSafe = string | number | boolean | null | JsonSafe[] | { [key: string]: JsonSafe }

export interface AmshErrorOptions {
  /** JSON-safe facts for machine-readable output (problems list, positions, ids). */
  details?: Record<string, JsonSafe>
  cause?: unknown
}

export class AmshError extends Error {
  readonly code: ErrorCode
  readonly details: Record<string, JsonSafe> | undefined
  /** Where in a batch the failing command stands (`file:line`), set by the batch runner. */
  where: string | undefined
  /** The place inside a JavaScript line (a file and 1-based line and column), when known. */
  at: SourcePosition | undefined
  /** The command that failed, when the line does not show it (a run() in JavaScript). */
  command: string | undefined

  constructor(code: ErrorCode, message: string, options: AmshErrorOptions = {}) {
    super(message, { cause: options.cause })
    this.name = 'AmshError'
    this.code = code
    this.details = options.details
  }

  get exitCode(): number {
    return ERRORS[this.code].exit
  }

  get httpStatus(): number {
    return ERRORS[this.code].http
  }

  /** The one line a user sees on stderr. */
  format(): string {
    const at = this.where ? `${this.where}: ` : ''
    const command = this.command === undefined ? '' : `\n  in: ${clip(this.command)}`
    // A message quoting the input (a JavaScript error naming a megabyte identifier) is cut.
    const message =
      this.message.length > MESSAGE_LIMIT
        ? `${this.message.slice(0, MESSAGE_LIMIT)}… (${this.message.length - MESSAGE_LIMIT} characters more)`
        : this.message
    return `${at}${this.code}: ${message}${command}`
  }
}

/** The longest message an error line shows whole. */
const MESSAGE_LIMIT = 2000

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length > 200 ? `${line.slice(0, 199)}…` : line
}

/** Anything thrown that is not an AmshError is a bug; keep the original as the cause. */
export function toAmshError(err: unknown): AmshError {
  if (err instanceof AmshError) return err
  const message = err instanceof Error ? err.message : String(err)
  return new AmshError('E_INTERNAL', `${message} (this is a bug in amsh; please report it)`, {
    cause: err,
  })
}
