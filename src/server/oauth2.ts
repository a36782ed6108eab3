import { createPublicKey, type JsonWebKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { decodeJwt, errors, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose'
import { AmshError } from '../errors.ts'
import { ecAlgorithm } from '../jws-algorithms.ts'
import type { ApiRequest, ApiResponse } from './http-api.ts'
import type { Sessions } from './sessions.ts'

// Identity Cloud's service accounts (research/am-rest.md §4.4): POST /oauth2/access_token with a
// JWT signed by the account's private key (RFC 7523) buys a Bearer token that works on every
// route until it expires. Errors are OAuth 2.0's (RFC 6749 §5.2), not CREST's.

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
/** The only client Identity Cloud takes the grant from. */
const CLIENT_ID = 'service-account'
/** What Identity Cloud grants when a request names no scope. */
const DEFAULT_SCOPE = 'fr:am:*'
/** Scope families a service account may ask for; anything else is invalid_scope. */
const SCOPE = /^fr:(am|idm|idc):/
/** Identity Cloud's access token lifetime. */
export const TOKEN_LIFETIME_S = 899
/** How far ahead an assertion may expire: a few minutes, as Identity Cloud wants it. */
const MAX_ASSERTION_S = 5 * 60
/** Clocks differ a little. */
const SKEW_S = 30

export interface ServiceAccount {
  id: string
  keys: { jwk: JWK; alg: string }[]
  /**
   * The scopes the account was given, as Identity Cloud gives each account its own; asking for
   * another is invalid_scope. Without, any of the families of SCOPE.
   */
  scopes?: readonly string[]
}

/** The JWS algorithm a JWK is used with: its own `alg`, else RS256 or its curve's. */
function algorithmOf(jwk: JWK): string | undefined {
  if (typeof jwk.alg === 'string') return jwk.alg
  if (jwk.kty === 'RSA') return 'RS256'
  if (jwk.kty === 'EC') return ecAlgorithm(jwk.crv)
  if (jwk.kty === 'OKP') return 'EdDSA'
  return undefined
}

/** `--service-account <id>=<jwk file>`: a JWK or a JWKS; a private JWK's public half is used. */
export function loadServiceAccount(spec: string): ServiceAccount {
  const at = spec.indexOf('=')
  if (at <= 0 || at === spec.length - 1) {
    throw new AmshError('E_USAGE', `--service-account takes <id>=<public JWK file>, not "${spec}"`)
  }
  const id = spec.slice(0, at)
  const file = spec.slice(at + 1)
  const problem = (why: string) =>
    new AmshError('E_USAGE', `--service-account ${id}: cannot use ${file}: ${why}`)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new AmshError(
      'E_IO',
      `--service-account ${id}: cannot read ${file}: ${(err as Error).message}`
    )
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw problem(`it is not JSON (${(err as Error).message})`)
  }
  const list = (parsed as { keys?: unknown } | null)?.keys
  const jwks: unknown[] = Array.isArray(list) ? list : [parsed]
  const keys = jwks.map((jwk) => {
    if (typeof jwk !== 'object' || jwk == null || typeof (jwk as JWK).kty !== 'string') {
      throw problem('it is not a JWK (a JSON object with "kty") or a JWKS')
    }
    // Only the public half: a private JWK given by mistake is not kept whole in memory.
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, ...rest } = jwk as JWK
    const alg = algorithmOf(rest)
    if (!alg) throw problem(`a ${rest.kty} key is not one a service account signs with`)
    try {
      createPublicKey({ key: rest as JsonWebKey, format: 'jwk' })
    } catch (err) {
      throw problem(`the ${rest.kty} JWK is not a valid key (${(err as Error).message})`)
    }
    return { jwk: rest, alg }
  })
  if (keys.length === 0) throw problem('the JWKS holds no key')
  return { id, keys }
}

export interface TokenEndpointOptions {
  accounts: ServiceAccount[]
  sessions: Sessions
  /** Seconds an access token lives. */
  lifetime?: number
  now?: () => number
}

class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    description: string
  ) {
    super(description)
  }
}

const invalidGrant = (why: string) => new OAuthError(400, 'invalid_grant', why)

/** `http://host/am/oauth2/access_token` with its port spelled out, for comparing audiences. */
function normalUrl(text: string): string | undefined {
  try {
    const url = new URL(text)
    const port = url.port || (url.protocol === 'https:' ? '443' : '80')
    return `${url.protocol}//${url.hostname}:${port}${url.pathname.replace(/\/+$/, '')}`
  } catch {
    return undefined
  }
}

export class TokenEndpoint {
  readonly #accounts: Map<string, ServiceAccount>
  readonly #sessions: Sessions
  readonly #lifetime: number
  readonly #now: () => number
  /** Assertions already used, by jti, until they would have expired anyway. */
  readonly #used = new Map<string, number>()

  constructor(options: TokenEndpointOptions) {
    this.#accounts = new Map(options.accounts.map((account) => [account.id, account]))
    this.#sessions = options.sessions
    this.#lifetime = options.lifetime ?? TOKEN_LIFETIME_S
    this.#now = options.now ?? Date.now
  }

  async handle(request: ApiRequest): Promise<ApiResponse> {
    // Counted before the assertion is looked at: past the limit, not even a good one is taken.
    const attempt = this.#sessions.throttle.begin(request.remoteAddress)
    try {
      const granted = await this.#grant(request)
      attempt.succeeded()
      return granted
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err
      if (err.error === 'invalid_grant' || err.error === 'invalid_client') await attempt.failed()
      return answer(err.status, { error: err.error, error_description: err.message })
    } finally {
      attempt.done()
    }
  }

  async #grant(request: ApiRequest): Promise<ApiResponse> {
    if (request.method !== 'POST') {
      throw new OAuthError(405, 'invalid_request', `${request.method} is not allowed; use POST`)
    }
    const type = String(request.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
    if (type.toLowerCase() !== 'application/x-www-form-urlencoded') {
      throw new OAuthError(
        400,
        'invalid_request',
        'The request must be form-encoded (Content-Type: application/x-www-form-urlencoded)'
      )
    }
    const form = new URLSearchParams(request.body)
    for (const name of new Set(form.keys())) {
      if (form.getAll(name).length > 1) {
        throw new OAuthError(400, 'invalid_request', `Parameter ${name} is given more than once`)
      }
    }
    const grantType = form.get('grant_type')
    if (!grantType) throw new OAuthError(400, 'invalid_request', 'Grant type is not set')
    if (grantType !== JWT_BEARER) {
      throw new OAuthError(
        400,
        'unsupported_grant_type',
        `Grant type is not supported: ${grantType} (amsh serve grants ${JWT_BEARER} only)`
      )
    }
    if (form.get('client_id') !== CLIENT_ID) {
      throw new OAuthError(
        401,
        'invalid_client',
        `Client authentication failed: the client_id of a service account is ${CLIENT_ID}`
      )
    }
    const assertion = form.get('assertion')
    if (!assertion) throw new OAuthError(400, 'invalid_request', 'Missing parameter: assertion')
    const { account, jti, exp } = await this.#verify(assertion, request.base)
    // From here on nothing awaits, so two requests with one assertion cannot both pass. An
    // assertion is used up only by the token it buys: one refused for its scope may come again
    // (as clients ask again without the scopes named).
    const now = Math.floor(this.#now() / 1000)
    for (const [old, expires] of this.#used) if (expires < now - SKEW_S) this.#used.delete(old)
    if (this.#used.has(jti)) throw invalidGrant(`The assertion was already used (jti ${jti})`)
    const scope = this.#scope(form.get('scope'), account)
    this.#used.set(jti, exp)
    const token = this.#sessions.open(account.id, this.#lifetime * 1000)
    return answer(200, {
      access_token: token,
      scope,
      token_type: 'Bearer',
      expires_in: this.#lifetime,
    })
  }

  /**
   * The service account the assertion proves, and the assertion's jti and expiry; anything
   * wrong with it is invalid_grant.
   */
  async #verify(
    assertion: string,
    base: string
  ): Promise<{ account: ServiceAccount; jti: string; exp: number }> {
    let claims: JWTPayload
    try {
      claims = decodeJwt(assertion)
    } catch {
      throw invalidGrant('The assertion is not a signed JWT')
    }
    const id = claims.iss
    if (typeof id !== 'string' || id === '') throw invalidGrant('The assertion has no issuer (iss)')
    const account = this.#accounts.get(id)
    if (!account) throw invalidGrant(`No service account ${id} is registered with this server`)
    if (claims.sub !== id) {
      throw invalidGrant(`The subject (sub) of the assertion must be its issuer, ${id}`)
    }
    let problem: string | undefined
    let verified: JWTPayload | undefined
    for (const { jwk, alg } of account.keys) {
      try {
        const key = await importJWK(jwk, alg)
        verified = (
          await jwtVerify(assertion, key, {
            algorithms: [alg],
            clockTolerance: SKEW_S,
            currentDate: new Date(this.#now()),
          })
        ).payload
        break
      } catch (err) {
        problem = whyNot(err, id, alg)
      }
    }
    if (!verified) throw invalidGrant(problem ?? 'The assertion does not verify')

    const audiences = typeof verified.aud === 'string' ? [verified.aud] : (verified.aud ?? [])
    const expected = normalUrl(`${base}/oauth2/access_token`)
    if (!audiences.some((aud) => normalUrl(aud) === expected)) {
      throw invalidGrant(
        `The audience (aud) of the assertion must be this token endpoint, ${expected ?? base}`
      )
    }
    const now = Math.floor(this.#now() / 1000)
    if (typeof verified.exp !== 'number') {
      throw invalidGrant('The assertion has no expiry (exp)')
    }
    if (verified.exp - now > MAX_ASSERTION_S + SKEW_S) {
      throw invalidGrant(
        `The assertion expires too far ahead: at most ${MAX_ASSERTION_S / 60} minutes from now`
      )
    }
    const jti = verified.jti
    if (typeof jti !== 'string' || jti === '') throw invalidGrant('The assertion has no jti')
    return { account, jti, exp: verified.exp }
  }

  #scope(asked: string | null, account: ServiceAccount): string {
    const scopes = [...new Set((asked ?? DEFAULT_SCOPE).split(' ').filter(Boolean))]
    const unsupported = scopes.filter(
      (scope) =>
        !SCOPE.test(scope) || (account.scopes !== undefined && !account.scopes.includes(scope))
    )
    if (unsupported.length > 0) {
      // Worded as Identity Cloud words it: frodo drops the scopes it names and asks again.
      throw new OAuthError(
        400,
        'invalid_scope',
        `Unsupported scope for service account: ${unsupported.join(',')}`
      )
    }
    return (scopes.length > 0 ? scopes : [DEFAULT_SCOPE]).sort().join(' ')
  }
}

function whyNot(err: unknown, id: string, alg: string): string {
  if (err instanceof errors.JWTExpired) return 'The assertion has expired'
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return `The assertion's signature does not verify with the key of service account ${id}`
  }
  if (err instanceof errors.JOSEAlgNotAllowed) {
    return `The assertion must be signed with ${alg}, the algorithm of the key of service account ${id}`
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    return `The assertion's ${err.claim} claim is not valid: ${err.message}`
  }
  return `The assertion does not verify: ${(err as Error).message}`
}

function answer(status: number, body: Record<string, string | number>): ApiResponse {
  return {
    status,
    // RFC 6749 §5.1: token answers may not be cached.
    headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
    body,
  }
}
