import type { Profile } from '../catalog/profiles.ts'
import { revision } from '../crest/revision.ts'
import type { JsonObject } from '../json.ts'
import { AmsterLogin } from './amster-login.ts'
import { AuthorizedKeys } from './authorized-keys.ts'
import { HttpError, type ApiVersion } from './crest.ts'
import { header, jsonBody, notFound, ok, type ApiRequest, type ApiResponse } from './http-api.ts'
import { TokenEndpoint } from './oauth2.ts'
import type { Sessions } from './sessions.ts'

// Who may call `amsh serve`, answered as AM answers (research/am-rest.md §4): the server's
// public facts (/json/serverinfo), logging in by password or by Amster's key
// (/json/realms/root/authenticate), a session's own actions (/json/realms/root/sessions), and
// service accounts' tokens (/oauth2/access_token). Product facts come from the product profile.

export interface LoginOptions {
  profile: Profile
  sessions: Sessions
  /** The amsterService journey; without it the journey is there but no key works. */
  amster?: AmsterLogin
  /** /oauth2/access_token; without it no service account is known. */
  oauth2?: TokenEndpoint
}

/** The journeys a login may name (`authIndexType=service&authIndexValue=…`). */
const PASSWORD_TREE = 'ldapService'
const KEY_TREE = 'amsterService'

const AUTHENTICATE_HEADERS = {
  'content-api-version': 'resource=2.1',
  // Recorded so: authenticate answers come without the charset.
  'content-type': 'application/json',
}

/** AM writes session times to the second: 2025-07-31T15:05:45Z. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

export class Logins {
  readonly #options: LoginOptions
  readonly #amster: AmsterLogin
  readonly #oauth2: TokenEndpoint

  constructor(options: LoginOptions) {
    this.#options = options
    this.#amster =
      options.amster ??
      new AmsterLogin({ keys: new AuthorizedKeys('', () => undefined), log: () => undefined })
    this.#oauth2 = options.oauth2 ?? new TokenEndpoint({ accounts: [], sessions: options.sessions })
  }

  /** The session token a request carries: Bearer, a header named as the cookie, or the cookie. */
  tokenOf(request: Pick<ApiRequest, 'headers'>): string | undefined {
    const { cookieName } = this.#options.profile
    const bearer = /^Bearer\s+(.+)$/i.exec(header(request, 'authorization') ?? '')
    if (bearer) return bearer[1]
    const named = header(request, cookieName.toLowerCase())
    if (named) return named
    for (const part of (header(request, 'cookie') ?? '').split(';')) {
      const [name, ...value] = part.trim().split('=')
      if (name === cookieName) return value.join('=')
    }
    return undefined
  }

  token(request: ApiRequest): Promise<ApiResponse> {
    return this.#oauth2.handle(request)
  }

  /**
   * A session's actions. getSessionInfo names the session in its body (frodo sends no session
   * header with it), and answers {"valid": false} for one that has ended, as AM does.
   */
  session(request: ApiRequest): ApiResponse {
    const { sessions } = this.#options
    const action = request.query.get('_action')
    if (action === 'getSessionInfo') {
      const body = request.body.trim() === '' ? {} : jsonBody(request)
      const token = typeof body.tokenId === 'string' ? body.tokenId : this.tokenOf(request)
      if (token === undefined) throw new HttpError(400, 'iPlanetDirectoryCookie not set on request')
      const session = sessions.describe(token)
      const answer: JsonObject = session
        ? {
            username: session.user,
            universalId: `id=${session.user},ou=user,ou=am-config`,
            realm: '/',
            latestAccessTime: isoSeconds(session.lastUsed),
            maxIdleExpirationTime: isoSeconds(session.idleEnds),
            maxSessionExpirationTime: isoSeconds(session.maxEnds),
            properties: { AMCtxId: session.contextId },
          }
        : { valid: false }
      return { status: 200, headers: { 'content-api-version': 'resource=4.0' }, body: answer }
    }
    const token = this.tokenOf(request)
    if (!sessions.valid(token)) throw new HttpError(401, 'Access Denied')
    if (action !== 'logout') throw notFound()
    sessions.logout(token)
    return ok({ result: 'Successfully logged out' })
  }

  serverInfo(which: string | undefined, api: ApiVersion): ApiResponse {
    if (which === 'version') {
      const { version, fullVersion } = this.#options.profile
      return serverInfoAnswer('resource=1.0', {
        _id: 'version',
        _rev: revision(fullVersion),
        version,
        fullVersion,
        revision: 'amsh',
        date: '',
      })
    }
    if (which !== '*') throw notFound()
    const info: JsonObject = {
      _id: '*',
      _rev: '',
      domains: [],
      protectedUserAttributes: [],
      cookieName: this.#options.profile.cookieName,
      secureCookie: false,
      forgotPassword: 'false',
      forgotUsername: 'false',
      kbaEnabled: 'false',
      selfRegistration: 'false',
      lang: 'en-US',
      successfulUserRegistrationDestination: 'default',
      socialImplementations: [],
      referralsEnabled: 'false',
      zeroPageLogin: { enabled: false, refererWhitelist: [], allowedWithoutReferer: true },
      realm: '/',
      xuiUserSessionValidationEnabled: true,
      fileBasedConfiguration: true,
      userIdAttributes: [],
      // What only some products send (PingAM 8's nodeDesignerXuiEnabled, recorded on 8.0.1).
      ...(this.#options.profile.serverInfo ?? {}),
    }
    info._rev = revision(JSON.stringify(info))
    // Served as resource 1.1 and 2.0 alike; the answer names the one asked for.
    return serverInfoAnswer(api.resource?.major === 2 ? 'resource=2.0' : 'resource=1.1', info)
  }

  /**
   * A login: by password in ldapService (the default journey), by key in amsterService. Any other
   * journey is one that does not exist, which AM answers 400 (AUTH_CONFIG_NOT_FOUND).
   */
  async authenticate(request: ApiRequest): Promise<ApiResponse> {
    const type = request.query.get('authIndexType')
    const value = request.query.get('authIndexValue')
    if (type != null && type !== 'service') {
      throw new HttpError(
        400,
        `authIndexType ${type} is not supported by amsh serve: name a journey with authIndexType=service`
      )
    }
    const tree = type == null ? PASSWORD_TREE : (value ?? '')
    if (tree !== PASSWORD_TREE && tree !== KEY_TREE)
      throw new HttpError(400, 'No Configuration found')
    const { sessions } = this.#options
    let token: string | undefined
    if (tree === KEY_TREE) {
      const body = jsonBody(request)
      // The first step only hands out a challenge: nothing to guess yet.
      if (body.authId === undefined) {
        return {
          status: 200,
          headers: { ...AUTHENTICATE_HEADERS },
          body: await this.#amster.start(),
        }
      }
      // Counted before the key is looked at: past the limit, not even a right one gets in.
      const attempt = sessions.throttle.begin(request.remoteAddress)
      try {
        const user = await this.#amster.finish(body, request.remoteAddress)
        if (user === undefined) await attempt.failed()
        else {
          token = sessions.open(user)
          attempt.succeeded()
        }
      } finally {
        attempt.done()
      }
    } else {
      const attempt = sessions.throttle.begin(request.remoteAddress)
      token = sessions.login(
        header(request, 'x-openam-username'),
        header(request, 'x-openam-password')
      )
      if (token === undefined) await attempt.failed()
      else attempt.succeeded()
    }
    if (!token) throw new HttpError(401, 'Authentication Failed')
    return {
      status: 200,
      headers: {
        'set-cookie': `${this.#options.profile.cookieName}=${token}; Path=/; HttpOnly`,
        ...AUTHENTICATE_HEADERS,
      },
      body: { tokenId: token, successUrl: '/am/console', realm: '/' },
    }
  }
}

/** serverinfo answers carry their _rev as an ETag and may not be cached (recorded on AM 8.0.1). */
function serverInfoAnswer(version: string, body: JsonObject): ApiResponse {
  return {
    status: 200,
    headers: {
      'content-api-version': version,
      etag: `"${String(body._rev)}"`,
      'cache-control': 'no-store',
    },
    body,
  }
}
