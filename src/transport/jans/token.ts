import { AmshError } from '../../errors.ts'
import type { HttpClient, HttpReply } from '../http.ts'

// Janssen's config-api takes an OAuth 2.0 access token that the client gets from jans-auth with
// the client_credentials grant (RFC 6749 §4.4), authenticating with HTTP Basic. The token is
// kept and renewed a little before it expires; a token the API refuses anyway (revoked, the
// server restarted) is replaced once by the transport through renew().

/** jans-auth's token endpoint, below the server's base URL (it has no context path of its own). */
export const TOKEN_PATH = '/jans-auth/restv1/token'

/** What the custom scripts resource asks of a token (ApiAccessConstants.java). */
export const SCRIPT_SCOPES: readonly string[] = [
  'https://jans.io/oauth/config/scripts.readonly',
  'https://jans.io/oauth/config/scripts.write',
  'https://jans.io/oauth/config/scripts.delete',
]

export interface ClientCredentials {
  clientId: string
  clientSecret: string
  scopes: readonly string[]
}

interface Held {
  token: string
  /** When to ask for the next one (ms since the epoch); Infinity when the server said no life. */
  renewAt: number
  /** The scopes the server granted, which may be fewer than asked (Janssen drops the others). */
  scope: string | undefined
}

/** The most of a token's life left unused: renewing early beats a refused request mid-batch. */
const MAX_MARGIN_MS = 30_000

/** RFC 6749 §2.3.1: the id and secret are form-encoded before they go into the Basic header. */
function basic(clientId: string, clientSecret: string): string {
  const encode = (text: string) => encodeURIComponent(text).replace(/%20/g, '+')
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`
}

export class TokenSource {
  readonly #http: HttpClient
  readonly #client: ClientCredentials
  readonly #clock: () => number
  #held: Promise<Held> | undefined

  constructor(http: HttpClient, client: ClientCredentials, clock: () => number = Date.now) {
    this.#http = http
    this.#client = client
    this.#clock = clock
  }

  get endpoint(): string {
    return `${this.#http.baseUrl}${TOKEN_PATH}`
  }

  /** A token good for a while yet: the one held, or a new one. */
  async token(): Promise<string> {
    const current = this.#held ?? this.#fetch()
    const held = await current
    if (this.#clock() < held.renewAt) return held.token
    return (await this.#next(current)).token
  }

  /**
   * A token other than `refused`, which the API turned away. Requests refused together share
   * one new token rather than each asking for its own.
   */
  async renew(refused: string): Promise<string> {
    const current = this.#held
    const held = current && (await current.catch(() => undefined))
    if (held && held.token !== refused && this.#clock() < held.renewAt) return held.token
    return (await this.#next(current)).token
  }

  /** The token after `stale`: the first caller to find it stale asks, the others wait for it. */
  #next(stale: Promise<Held> | undefined): Promise<Held> {
    return this.#held !== undefined && this.#held !== stale ? this.#held : this.#fetch()
  }

  /** The scopes the server granted the token held, if it said. */
  async granted(): Promise<string | undefined> {
    return (this.#held && (await this.#held.catch(() => undefined)))?.scope
  }

  #fetch(): Promise<Held> {
    const held = this.#request()
    // A refused client is not kept: the next command asks again (the secret may be fixed).
    held.catch(() => {
      if (this.#held === held) this.#held = undefined
    })
    this.#held = held
    return held
  }

  async #request(): Promise<Held> {
    const { clientId, clientSecret, scopes } = this.#client
    const asked = this.#clock()
    const reply = await this.#http.send({
      method: 'POST',
      path: TOKEN_PATH,
      headers: { authorization: basic(clientId, clientSecret) },
      form: { grant_type: 'client_credentials', scope: scopes.join(' ') },
    })
    if (reply.status !== 200) throw this.#refusal(reply)
    const body = reply.body as {
      access_token?: unknown
      expires_in?: unknown
      scope?: unknown
    } | null
    if (typeof body?.access_token !== 'string' || body.access_token === '') {
      throw new AmshError(
        'E_TRANSPORT',
        `${this.endpoint} answered 200 without an access_token: is ${this.#http.baseUrl} a Janssen server (e.g. https://jans.example.com)?`
      )
    }
    const life = typeof body.expires_in === 'number' ? body.expires_in * 1000 : Infinity
    const margin = Math.min(MAX_MARGIN_MS, life / 10)
    return {
      token: body.access_token,
      renewAt: asked + life - margin,
      scope: typeof body.scope === 'string' ? body.scope : undefined,
    }
  }

  #refusal(reply: HttpReply): AmshError {
    const { clientId, scopes } = this.#client
    const body = reply.body as { error?: unknown; error_description?: unknown } | null
    const error = typeof body?.error === 'string' ? body.error : undefined
    if (error === undefined && reply.status !== 400 && reply.status !== 401) {
      const said = reply.text.replace(/\s+/g, ' ').trim().slice(0, 80)
      return new AmshError(
        'E_TRANSPORT',
        `${this.endpoint} answered ${reply.status}${said ? ` "${said}"` : ''} to a token request: is ${this.#http.baseUrl} a Janssen server (e.g. https://jans.example.com)?`,
        { details: { status: reply.status } }
      )
    }
    const description =
      typeof body?.error_description === 'string' && body.error_description !== ''
        ? `: ${body.error_description}`
        : ''
    return new AmshError(
      'E_AUTH',
      `the token endpoint ${this.endpoint} refused client "${clientId}" asking for the scopes ${scopes.join(' ')} (${error ?? `HTTP ${reply.status}`}${description}); check --client-id and its secret, and that the client may use client_credentials with these scopes`,
      { details: { status: reply.status, clientId, scopes: [...scopes] } }
    )
  }
}
