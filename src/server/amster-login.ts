import { randomBytes, randomUUID } from 'node:crypto'
import { compactVerify, decodeProtectedHeader, SignJWT } from 'jose'
import type { JsonObject } from '../json.ts'
import {
  allowsAddress,
  allowsSubject,
  type AuthorizedKey,
  type AuthorizedKeys,
} from './authorized-keys.ts'

// The amsterService journey (research/amster.md §2.1): the first step hands out a nonce in a
// HiddenValueCallback; the second brings it back in a JWT signed with a private key whose public
// half is in authorized_keys, its `kid` that key's SSH blob. What it proves is the JWT's `sub`.

/** How long a step may wait for its answer: AM's default for a journey. */
const STEP_MS = 5 * 60 * 1000
/** Steps nobody finishes are forgotten past this many, oldest first. */
const MAX_PENDING = 1000

interface Pending {
  nonce: string
  expires: number
}

export interface AmsterLoginOptions {
  keys: AuthorizedKeys
  /** Why a login was refused: the client hears only AM's "Authentication Failed". */
  log(line: string): void
  now?: () => number
}

export class AmsterLogin {
  readonly #keys: AuthorizedKeys
  readonly #log: (line: string) => void
  readonly #now: () => number
  readonly #pending = new Map<string, Pending>()
  /** Signs the authIds, which AM sends as JWTs; what makes one valid is its entry here. */
  readonly #secret = randomBytes(32)

  constructor(options: AmsterLoginOptions) {
    this.#keys = options.keys
    this.#log = options.log
    this.#now = options.now ?? Date.now
  }

  /** The first step: an authId and the callback that carries the nonce. */
  async start(): Promise<JsonObject> {
    const now = this.#now()
    for (const [id, step] of this.#pending) {
      if (step.expires <= now || this.#pending.size >= MAX_PENDING) this.#pending.delete(id)
    }
    const nonce = randomUUID()
    const expires = now + STEP_MS
    const authId = await new SignJWT({
      otk: randomBytes(16).toString('base64url'),
      authIndexType: 'service',
      authIndexValue: 'amsterService',
      realm: '/',
    })
      .setProtectedHeader({ typ: 'JWT', alg: 'HS256' })
      .setExpirationTime(Math.floor(expires / 1000))
      .sign(this.#secret)
    this.#pending.set(authId, { nonce, expires })
    return {
      authId,
      callbacks: [
        {
          type: 'HiddenValueCallback',
          output: [
            { name: 'value', value: nonce },
            { name: 'id', value: 'jwt' },
          ],
          input: [{ name: 'IDToken1', value: 'jwt' }],
        },
      ],
    }
  }

  /** The second step: the user the JWT proves, or undefined (and the reason logged). */
  async finish(body: JsonObject, address: string | undefined): Promise<string | undefined> {
    const refuse = (why: string) => {
      this.#log(`amsh serve: amsterService: refused a login from ${address ?? '?'}: ${why}`)
      return undefined
    }
    const authId = body.authId
    const step = typeof authId === 'string' ? this.#pending.get(authId) : undefined
    // One answer per step, right or wrong: a nonce is never good twice.
    if (typeof authId === 'string') this.#pending.delete(authId)
    if (!step) return refuse('the authId is not one this server handed out, or was used')
    if (step.expires <= this.#now()) return refuse('the step timed out')
    const jwt = callbackValue(body)
    if (jwt === undefined) return refuse('no JWT in the HiddenValueCallback (IDToken1)')

    let kid: unknown
    try {
      kid = decodeProtectedHeader(jwt).kid
    } catch {
      return refuse('IDToken1 is not a JWT')
    }
    const candidates = this.#keys.keys().filter((key) => key.blob === kid)
    if (candidates.length === 0) {
      return refuse(`no key in ${this.#keys.file} is the one the JWT names (kid)`)
    }
    let why = ''
    for (const key of candidates) {
      const claims = await verified(jwt, key)
      if (!claims) {
        why = `the signature does not verify with the key of ${key.where}`
        continue
      }
      const { sub, nonce } = claims
      if (nonce !== step.nonce) {
        why = 'the nonce is not the one this step handed out'
        continue
      }
      if (typeof sub !== 'string' || sub === '') {
        why = 'the JWT names no subject (sub)'
        continue
      }
      if (!allowsSubject(key, sub)) {
        why = `${key.where}: subject="${key.subject!.join(',')}" does not allow ${sub}`
        continue
      }
      if (!allowsAddress(key, address)) {
        why = `${key.where}: from="${key.from!.join(',')}" does not allow ${address ?? 'an unknown address'}`
        continue
      }
      return sub
    }
    return refuse(why)
  }
}

/** What the client put in the HiddenValueCallback's input. */
function callbackValue(body: JsonObject): string | undefined {
  const callbacks = Array.isArray(body.callbacks) ? body.callbacks : []
  for (const callback of callbacks) {
    if (typeof callback !== 'object' || callback == null || Array.isArray(callback)) continue
    if (callback.type !== 'HiddenValueCallback' || !Array.isArray(callback.input)) continue
    for (const input of callback.input) {
      const value = (input as { value?: unknown } | null)?.value
      if (typeof value === 'string' && value !== 'jwt' && value !== '') return value
    }
  }
  return undefined
}

async function verified(jwt: string, key: AuthorizedKey): Promise<JsonObject | undefined> {
  try {
    const { payload } = await compactVerify(jwt, key.key, { algorithms: [key.alg] })
    const claims: unknown = JSON.parse(new TextDecoder().decode(payload))
    return typeof claims === 'object' && claims != null && !Array.isArray(claims)
      ? (claims as JsonObject)
      : undefined
  } catch {
    return undefined
  }
}
