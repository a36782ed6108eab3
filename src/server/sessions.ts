import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { AmshError } from '../errors.ts'
import { makePrivateDir } from '../files.ts'
import { LoginThrottle } from './throttle.ts'

// Who may call the server: the one administrator, `amadmin`, with a password from
// AMSH_ADMIN_PASSWORD or generated once and kept (mode 0600) in the amsh home; whoever Amster's
// key login or a service account's token exchange lets in. A login gives a session token,
// carried as AM's cookie, as a header of the cookie's name, or as a Bearer token.

export const ADMIN = 'amadmin'
/** How long a session lives without use, as AM's default maximum idle time. */
export const IDLE_MS = 30 * 60 * 1000
/** AM's default maximum session time: a session ends two hours after login, used or not. */
export const MAX_SESSION_MS = 120 * 60 * 1000

export interface AdminPassword {
  password: string
  /** Set when this start generated it: the server prints it once. */
  generatedAt?: string
}

/** Whose secret a stored secret is, for its variable's name and its messages. */
export interface SecretOwner {
  /** The environment variable that sets it. */
  variable: string
  /** `the amadmin password`. */
  what: string
  /** Who would get in with an empty one. */
  who: string
  /** What it is called: `password`. */
  noun: string
}

const ADMIN_SECRET: SecretOwner = {
  variable: 'AMSH_ADMIN_PASSWORD',
  what: `the ${ADMIN} password`,
  who: ADMIN,
  noun: 'password',
}

/**
 * A secret the server checks: its variable (set but empty is as unset), else the file's one
 * line, else a new one written there. Refused (E_USAGE): a secret of white space only, which
 * would let anyone in, and a file that other users can read (as ssh refuses such keys).
 */
export function storedSecret(
  file: string,
  owner: SecretOwner,
  env: NodeJS.ProcessEnv = process.env
): AdminPassword {
  const fromEnv = env[owner.variable]
  if (fromEnv) {
    if (fromEnv.trim() === '') {
      throw new AmshError(
        'E_USAGE',
        `${owner.variable} holds only white space, which is no ${owner.noun} for ${owner.who}: set it to a real one, or unset it to use ${file}`
      )
    }
    return { password: fromEnv }
  }
  if (existsSync(file)) return { password: readSecretFile(file, owner) }
  const password = randomBytes(18).toString('base64url')
  makePrivateDir(dirname(file), true)
  writeFileSync(file, `${password}\n`, { mode: 0o600 })
  chmodSync(file, 0o600)
  return { password, generatedAt: file }
}

/** The administrator's password (AMSH_ADMIN_PASSWORD, or the file): see storedSecret. */
export function adminPassword(file: string, env: NodeJS.ProcessEnv = process.env): AdminPassword {
  return storedSecret(file, ADMIN_SECRET, env)
}

function readSecretFile(file: string, owner: SecretOwner): string {
  let text: string
  let mode: number
  try {
    mode = statSync(file).mode
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new AmshError('E_IO', `cannot read ${file}: ${(err as Error).message}`, { cause: err })
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0')
    throw new AmshError(
      'E_USAGE',
      `${file} holds ${owner.what} but other users may read it (mode ${octal}): run chmod 600 ${file}`
    )
  }
  const password = text.trim()
  if (password === '') {
    throw new AmshError(
      'E_USAGE',
      `${file} is empty, and ${owner.who} would log in with no ${owner.noun}: write the ${owner.noun} into it, or delete it to have one generated, or set ${owner.variable}`
    )
  }
  return password
}

/** Whether a secret given equals the one kept, in time that does not tell how much matched. */
export function same(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

interface Session {
  user: string
  created: number
  lastUsed: number
  /** AM's AMCtxId: names the session in logs. */
  contextId: string
  /** An access token ends at a fixed time, used or not; a session once left idle, or at its maximum time. */
  expires?: number
}

export interface SessionOptions {
  now?: () => number
  /** How long a session lives unused (--idle-timeout). */
  idleMs?: number
  /** How long a session lives after its login, however it is used (--max-session-time). */
  maxMs?: number
  /** Failed logins, per client; one is made with its defaults when not given. */
  throttle?: LoginThrottle
}

export class Sessions {
  /** Every way of logging in counts its failures here (src/server/throttle.ts). */
  readonly throttle: LoginThrottle
  readonly #password: string
  readonly #sessions = new Map<string, Session>()
  readonly #now: () => number
  readonly #idleMs: number
  readonly #maxMs: number

  constructor(password: string, options: SessionOptions = {}) {
    this.#password = password
    this.#now = options.now ?? Date.now
    this.#idleMs = options.idleMs ?? IDLE_MS
    this.#maxMs = options.maxMs ?? MAX_SESSION_MS
    this.throttle = options.throttle ?? new LoginThrottle({ now: this.#now })
  }

  /**
   * A new session token, or undefined for wrong credentials. The caller counts the attempt
   * (this.throttle), so that it is refused before the password is looked at once too many failed.
   */
  login(username: string | undefined, password: string | undefined): string | undefined {
    if (username === ADMIN && password !== undefined && same(password, this.#password)) {
      return this.open(username)
    }
    return undefined
  }

  /**
   * A session for a user some other way of logging in let in; with `lifetimeMs`, an access token
   * that ends then however it is used.
   */
  open(user: string, lifetimeMs?: number): string {
    // Sessions nobody ends (each CLI run logs in anew) would otherwise pile up for good.
    for (const [old, session] of this.#sessions) {
      if (this.#ended(session)) this.#sessions.delete(old)
    }
    // 192 random bits from the operating system's CSPRNG: no token can be guessed or derived.
    const token =
      lifetimeMs === undefined
        ? `${randomBytes(24).toString('base64url')}.*AAJTSQACMDE.*`
        : randomBytes(32).toString('base64url')
    const now = this.#now()
    this.#sessions.set(token, {
      user,
      created: now,
      lastUsed: now,
      contextId: randomUUID(),
      ...(lifetimeMs === undefined ? {} : { expires: now + lifetimeMs }),
    })
    return token
  }

  /** Whether a token names a live session; using it keeps a session (not a token) alive. */
  valid(token: string | undefined): boolean {
    if (token === undefined) return false
    const session = this.#sessions.get(token)
    if (!session) return false
    if (this.#ended(session)) {
      this.#sessions.delete(token)
      return false
    }
    session.lastUsed = this.#now()
    return true
  }

  /** What AM's getSessionInfo tells of a live session (without keeping it alive); undefined if it is not one. */
  describe(token: string):
    | {
        user: string
        created: number
        lastUsed: number
        idleEnds: number
        maxEnds: number
        contextId: string
      }
    | undefined {
    const session = this.#sessions.get(token)
    if (!session || this.#ended(session)) return undefined
    const maxEnds = session.expires ?? session.created + this.#maxMs
    const idleEnds = session.expires ?? Math.min(session.lastUsed + this.#idleMs, maxEnds)
    return { ...session, idleEnds, maxEnds }
  }

  logout(token: string | undefined): boolean {
    return token !== undefined && this.#sessions.delete(token)
  }

  #ended(session: Session): boolean {
    const now = this.#now()
    return session.expires === undefined
      ? now - session.lastUsed > this.#idleMs || now - session.created >= this.#maxMs
      : now >= session.expires
  }
}
