import type { Profile } from '../catalog/profiles.ts'
import type { Transport } from '../transport/types.ts'
import type { AmsterLogin } from './amster-login.ts'
import { contextMetadata, scriptingContexts } from './contexts.ts'
import { errorBody, HttpError, parseApiVersion } from './crest.ts'
import { header, notFound, type ApiRequest, type ApiResponse, type Handler } from './http-api.ts'
import { Logins } from './logins.ts'
import type { TokenEndpoint } from './oauth2.ts'
import { realmOf, Resources } from './resources.ts'
import type { Sessions } from './sessions.ts'

// AM's REST routes over a Transport: logins first (src/server/logins.ts), then every entity of
// the catalog by its own paths (src/server/resources.ts), and the script contexts a product
// describes. A request goes in; a status, extra headers and a JSON body come out.

export type { ApiRequest, ApiResponse } from './http-api.ts'

export interface RouterOptions {
  transport: Transport
  profile: Profile
  sessions: Sessions
  /** The amsterService journey; without it the journey is there but no key works. */
  amster?: AmsterLogin
  /** /oauth2/access_token; without it no service account is known. */
  oauth2?: TokenEndpoint
}

function decodeSegments(path: string): string[] {
  try {
    return (
      path
        // CREST reads `scripts/?_action=create` (as AM's docs write it) as `scripts?_action=create`.
        .replace(/(?<=[^/])\/$/, '')
        .split('/')
        .slice(1)
        .map((segment) => decodeURIComponent(segment))
    )
  } catch {
    throw new HttpError(400, `The path ${path} is not a valid URL path`)
  }
}

type Opening = 'token' | 'serverinfo' | 'authenticate' | 'sessions'

export class Router implements Handler {
  readonly errorBody = errorBody

  readonly #options: RouterOptions
  readonly #logins: Logins
  readonly #resources: Resources

  constructor(options: RouterOptions) {
    this.#options = options
    this.#logins = new Logins(options)
    this.#resources = new Resources(options.transport, options.profile)
  }

  /** The routes anyone may call: serverinfo and the logins. */
  #open(segments: string[], method: string): Opening | undefined {
    // OAuth 2.0's endpoint sits beside /json, as in AM (root realm only, as Identity Cloud).
    if (segments.join('/') === 'oauth2/access_token') return 'token'
    const rest = segments.slice(1)
    if (rest[0] === 'serverinfo' && method === 'GET') return 'serverinfo'
    // /json/authenticate is the top-level realm's too.
    const path = rest.join('/')
    if ((path === 'realms/root/authenticate' || path === 'authenticate') && method === 'POST') {
      return 'authenticate'
    }
    if (path === 'realms/root/sessions' && method === 'POST') return 'sessions'
    return undefined
  }

  refusedUnread(request: Omit<ApiRequest, 'body'>): HttpError | undefined {
    let segments: string[]
    try {
      segments = decodeSegments(request.path)
    } catch {
      return undefined // handle() says what is wrong with the path
    }
    if (segments[0] !== 'json' || this.#open(segments, request.method)) return undefined
    if (this.#options.sessions.valid(this.#logins.tokenOf(request))) return undefined
    // Its body is not read: the connection ends with the answer.
    return new HttpError(401, 'Access Denied', { connection: 'close' })
  }

  async handle(request: ApiRequest): Promise<ApiResponse> {
    const segments = decodeSegments(request.path)
    if (segments.some((s) => s === '')) throw notFound()
    const rest = segments.slice(1)
    const api = parseApiVersion(header(request, 'accept-api-version'))
    switch (this.#open(segments, request.method)) {
      case 'token':
        return this.#logins.token(request)
      case 'serverinfo':
        return this.#logins.serverInfo(rest[1], api)
      case 'authenticate':
        return this.#logins.authenticate(request)
      case 'sessions':
        return this.#logins.session(request)
    }
    if (segments[0] !== 'json') throw notFound()
    if (!this.#options.sessions.valid(this.#logins.tokenOf(request))) {
      throw new HttpError(401, 'Access Denied')
    }

    const { profile } = this.#options
    if (rest.slice(0, 4).join('/') === 'global-config/services/scripting/contexts') {
      if (rest.length > 5) throw notFound()
      return scriptingContexts(profile, request, api, rest[4])
    }
    // /json/contexts/{id}, and the same below any realm.
    const contextsAt = rest.lastIndexOf('contexts')
    if (
      contextsAt >= 0 &&
      rest.length - contextsAt <= 2 &&
      (contextsAt === 0 || realmOf(rest.slice(0, contextsAt)) !== undefined)
    ) {
      return contextMetadata(profile, request, api, rest[contextsAt + 1])
    }

    const match = this.#resources.match(rest)
    if (!match) throw notFound()
    return this.#resources.handle(request, api, match)
  }
}
