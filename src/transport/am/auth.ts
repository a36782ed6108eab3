import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { importJWK, SignJWT, type JWK } from 'jose'
import { AmshError } from '../../errors.ts'
import { ecAlgorithm } from '../../jws-algorithms.ts'
import type { JsonObject } from '../../json.ts'
import type { HttpClient, HttpReply } from '../http.ts'
import { amError } from './http.ts'
import { loadSigningKey, type SigningKey } from './keys.ts'

// How the AM transport proves who it is (research/am-rest.md §4). Each way yields the headers to
// send with every request; a session that AM stops accepting is renewed once by logging in again.

export interface Credentials {
  /** The headers that carry the session; the first call logs in. */
  headers(http: HttpClient): Promise<Record<string, string>>
  /** AM refused the session: log in afresh. False when these credentials cannot. */
  renew(http: HttpClient): Promise<boolean>
}

/** A token the user already has (an AIC access token, an AM session): sent as a Bearer token. */
export class BearerToken implements Credentials {
  readonly #token: string

  constructor(token: string) {
    this.#token = token
  }

  headers(): Promise<Record<string, string>> {
    return Promise.resolve({ authorization: `Bearer ${this.#token}` })
  }

  renew(): Promise<boolean> {
    return Promise.resolve(false)
  }
}

const cookieNames = new WeakMap<HttpClient, Promise<string>>()

/**
 * The cookie name AM gives its sessions (`iPlanetDirectoryPro`, or a random one on AIC), from
 * serverinfo: asked once per server, and the first sign that the URL is an AM at all.
 */
export function cookieName(http: HttpClient): Promise<string> {
  let name = cookieNames.get(http)
  if (!name) {
    name = discover(http)
    name.catch(() => cookieNames.delete(http))
    cookieNames.set(http, name)
  }
  return name
}

async function discover(http: HttpClient): Promise<string> {
  const reply = await http.send({
    method: 'GET',
    path: '/json/serverinfo/*',
    headers: { 'accept-api-version': 'resource=1.1' },
  })
  const name = (reply.body as { cookieName?: unknown } | null)?.cookieName
  if (reply.status !== 200 || typeof name !== 'string' || name === '') {
    throw new AmshError(
      'E_TRANSPORT',
      `${http.baseUrl}/json/serverinfo/* answered ${reply.status} without a cookieName: is ${http.baseUrl} an AM base URL (such as https://am.example.com/am)?`
    )
  }
  return name
}

/** A login that yields an AM session cookie, kept until AM stops accepting it. */
abstract class SessionLogin implements Credentials {
  #session: Promise<Record<string, string>> | undefined

  headers(http: HttpClient): Promise<Record<string, string>> {
    if (!this.#session) {
      const session = this.login(http)
      // A failed login is not kept: the next command tries again.
      session.catch(() => {
        if (this.#session === session) this.#session = undefined
      })
      this.#session = session
    }
    return this.#session
  }

  async renew(http: HttpClient): Promise<boolean> {
    this.#session = undefined
    await this.headers(http)
    return true
  }

  protected abstract login(http: HttpClient): Promise<Record<string, string>>
}

/** Username and password through /json/realms/root/authenticate, optionally in a named journey. */
export class PasswordLogin extends SessionLogin {
  readonly #username: string
  readonly #password: string
  readonly #journey: string | undefined

  constructor(username: string, password: string, journey?: string) {
    super()
    this.#username = username
    this.#password = password
    this.#journey = journey
  }

  protected async login(http: HttpClient): Promise<Record<string, string>> {
    const cookie = await cookieName(http)
    const reply = await authenticate(http, this.#journey, {
      'x-openam-username': this.#username,
      'x-openam-password': this.#password,
    })
    return { cookie: `${cookie}=${sessionToken(http, reply, this.#username, this.#journey)}` }
  }
}

function authenticate(
  http: HttpClient,
  journey: string | undefined,
  headers: Record<string, string> = {},
  body: JsonObject = {}
): Promise<HttpReply> {
  return http.send({
    method: 'POST',
    path: '/json/realms/root/authenticate',
    query: journey ? { authIndexType: 'service', authIndexValue: journey } : undefined,
    headers: { 'accept-api-version': 'resource=2.0, protocol=1.0', ...headers },
    body,
  })
}

/** The tokenId of a finished login; AM asking for more (callbacks) or refusing is E_AUTH. */
function sessionToken(
  http: HttpClient,
  reply: HttpReply,
  who: string,
  journey: string | undefined
): string {
  const body = reply.body as { tokenId?: unknown; callbacks?: { type?: string }[] } | null
  if (reply.status === 200 && typeof body?.tokenId === 'string') return body.tokenId
  if (reply.status === 200 && Array.isArray(body?.callbacks)) {
    const asked = body.callbacks.map((c) => c.type ?? '?').join(', ')
    throw new AmshError(
      'E_AUTH',
      `the login journey asks for more than amsh can answer (${asked}); log in with a token instead (--token-env)`
    )
  }
  // AM answers 400 for a journey it does not have (AUTH_CONFIG_NOT_FOUND).
  const hint =
    reply.status === 400 && journey !== undefined ? ` (is there a journey named ${journey}?)` : ''
  throw new AmshError(
    'E_AUTH',
    `${http.baseUrl} refused the login of ${who}: ${amError(reply).message}${hint}`
  )
}

/**
 * Amster's key login: the amsterService journey hands out a nonce; a JWT carrying it, signed with
 * the private key whose public half is in AM's authorized_keys, buys an amadmin session.
 */
export class AmsterKeyLogin extends SessionLogin {
  readonly #key: SigningKey
  readonly #subject: string

  constructor(keyPath: string, subject = 'amadmin') {
    super()
    this.#key = loadSigningKey(keyPath)
    this.#subject = subject
  }

  protected async login(http: HttpClient): Promise<Record<string, string>> {
    const cookie = await cookieName(http)
    const who = `the key ${this.#key.file}`
    const first = await authenticate(http, 'amsterService')
    const step = first.body as {
      authId?: string
      callbacks?: { type?: string; output?: { name: string; value: unknown }[] }[]
    } | null
    const callback = step?.callbacks?.find((c) => c.type === 'HiddenValueCallback')
    const nonce = callback?.output?.find((o) => o.name === 'value')?.value
    if (first.status !== 200 || typeof nonce !== 'string') {
      if (first.status !== 200) sessionToken(http, first, who, 'amsterService')
      throw new AmshError(
        'E_AUTH',
        `${http.baseUrl} did not offer Amster's key login (the amsterService journey with a nonce)`
      )
    }
    const jwt = await new SignJWT({ nonce })
      .setProtectedHeader({ typ: 'jwt', alg: this.#key.alg, kid: this.#key.kid })
      .setSubject(this.#subject)
      .sign(this.#key.key)
    const answer = structuredClone(step) as JsonObject
    for (const c of (answer.callbacks as { type?: string; input?: { value: unknown }[] }[]) ?? []) {
      if (c.type === 'HiddenValueCallback') for (const input of c.input ?? []) input.value = jwt
    }
    const second = await authenticate(http, 'amsterService', {}, answer)
    return { cookie: `${cookie}=${sessionToken(http, second, who, 'amsterService')}` }
  }
}

/** What Identity Cloud grants a service account; fr:am:* covers scripts. */
const SERVICE_ACCOUNT_SCOPES = ['fr:am:*', 'fr:idm:*', 'fr:idc:esv:*']
/** A token is renewed when it has less than this left (or a quarter of its life, if shorter). */
const RENEW_BEFORE_MS = 60_000
/** What Identity Cloud answers when an account may not have some of the scopes asked for. */
const UNSUPPORTED_SCOPES = /^Unsupported scope for service account: (.+)$/

interface AccessToken {
  value: string
  /** When to exchange the next assertion: some time before the token expires. */
  renewAt: number
}

/**
 * An Identity Cloud service account: a JWT signed with the account's private JWK is exchanged at
 * /oauth2/access_token (RFC 7523) for a Bearer token, renewed before it expires.
 */
export class ServiceAccount implements Credentials {
  readonly #id: string
  readonly #jwk: JWK
  #scopes = SERVICE_ACCOUNT_SCOPES
  #token: Promise<AccessToken> | undefined

  constructor(id: string, jwkFile: string) {
    this.#id = id
    let jwk: unknown
    try {
      jwk = JSON.parse(readFileSync(jwkFile, 'utf8'))
    } catch (err) {
      throw new AmshError(
        'E_IO',
        `cannot use ${jwkFile} as a service account key: ${(err as Error).message}`
      )
    }
    if (typeof jwk !== 'object' || jwk == null || !('kty' in jwk) || !('d' in jwk)) {
      throw new AmshError(
        'E_IO',
        `cannot use ${jwkFile} as a service account key: it is not a private JWK (a JSON object with "kty" and "d")`
      )
    }
    this.#jwk = jwk as JWK
  }

  async headers(http: HttpClient): Promise<Record<string, string>> {
    // Requests that start together share one exchange; a token about to expire is not used:
    // the first request to find it so exchanges a new one, the others wait for that.
    const pending = this.#token ?? this.#exchange(http)
    let token = await pending
    if (Date.now() >= token.renewAt) {
      token = await (this.#token === pending || this.#token === undefined
        ? this.#exchange(http)
        : this.#token)
    }
    return { authorization: `Bearer ${token.value}` }
  }

  async renew(http: HttpClient): Promise<boolean> {
    await this.#exchange(http)
    return true
  }

  #exchange(http: HttpClient): Promise<AccessToken> {
    const token = this.#request(http)
    this.#token = token
    // A failed exchange is not kept: the next request tries again.
    token.catch(() => {
      if (this.#token === token) this.#token = undefined
    })
    return token
  }

  async #request(http: HttpClient): Promise<AccessToken> {
    const url = new URL(`${http.baseUrl}/oauth2/access_token`)
    // Identity Cloud expects the audience with its port spelled out, as frodo sends it.
    const port = url.port || (url.protocol === 'https:' ? '443' : '80')
    const audience = `${url.protocol}//${url.hostname}:${port}${url.pathname}`
    const alg = this.#jwk.alg ?? defaultAlgorithm(this.#jwk)
    let key: Awaited<ReturnType<typeof importJWK>>
    try {
      key = await importJWK(this.#jwk, alg)
    } catch (err) {
      throw new AmshError(
        'E_IO',
        `the key of service account ${this.#id} cannot sign ${alg}: ${(err as Error).message}`
      )
    }
    // An account may be refused some of the scopes; frodo asks again without them, as here.
    for (let attempt = 0; ; attempt++) {
      const assertion = await new SignJWT({})
        .setProtectedHeader({ alg })
        .setIssuer(this.#id)
        .setSubject(this.#id)
        .setAudience(audience)
        .setExpirationTime('3m')
        .setJti(randomUUID())
        .sign(key)
      const reply = await http.send({
        method: 'POST',
        path: '/oauth2/access_token',
        headers: { 'accept-api-version': 'protocol=2.1,resource=1.0' },
        form: {
          assertion,
          client_id: 'service-account',
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          scope: this.#scopes.join(' '),
        },
      })
      const body = reply.body as {
        access_token?: unknown
        expires_in?: unknown
        error?: unknown
        error_description?: unknown
      } | null
      if (reply.status === 200 && typeof body?.access_token === 'string') {
        const lifetimeMs = (typeof body.expires_in === 'number' ? body.expires_in : 899) * 1000
        const renewAt = Date.now() + lifetimeMs - Math.min(RENEW_BEFORE_MS, lifetimeMs / 4)
        return { value: body.access_token, renewAt }
      }
      const description =
        typeof body?.error_description === 'string' ? body.error_description : undefined
      const refused = UNSUPPORTED_SCOPES.exec(description ?? '')?.[1]?.split(',')
      const left = this.#scopes.filter((scope) => !refused?.includes(scope))
      if (body?.error === 'invalid_scope' && attempt === 0 && left.length > 0 && refused) {
        this.#scopes = left
        continue
      }
      const why =
        typeof body?.error === 'string'
          ? `${body.error}${description === undefined ? '' : `: ${description}`}`
          : `HTTP ${reply.status}`
      throw new AmshError(
        'E_AUTH',
        `${http.baseUrl} refused a token for service account ${this.#id}: ${why}`
      )
    }
  }
}

/** The algorithm a JWK without `alg` signs with: RS256 for RSA (Identity Cloud's), else by curve. */
function defaultAlgorithm(jwk: JWK): string {
  if (jwk.kty === 'EC') {
    return ecAlgorithm(jwk.crv) ?? 'ES256'
  }
  return 'RS256'
}
