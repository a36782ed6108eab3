import { HttpError } from './crest.ts'

// Failed logins, counted per client address over a sliding window. Every way of logging in to
// `amsh serve` goes through here (a password, Amster's key, a service account's assertion,
// Janssen's client secret). A client that has failed `failures` times within the window is
// answered 429 at once, without its credentials being looked at, until the oldest failure leaves
// the window: so guessing in parallel gains nothing, since attempts still being checked count as
// failures until they are known not to be. Past the third failure in a row each answer also
// comes a little later.

/** Failed logins a client may make within the window (--login-failures). */
export const LOGIN_FAILURES = 10
/** The window failed logins are counted over (--login-window, in seconds). */
export const LOGIN_WINDOW_MS = 60 * 1000
/** Clients remembered at most: addresses past that are forgotten oldest first. */
const MAX_CLIENTS = 10_000

export interface ThrottleOptions {
  failures?: number
  windowMs?: number
  now?: () => number
  /** How long the nth failure in a row waits before it is answered (tests make it 0). */
  delayMs?: (failures: number) => number
}

/** One login attempt: say how it went (exactly once; `done` again is harmless). */
export interface Attempt {
  /** The credentials were wrong: counted, and answered after the delay. */
  failed(): Promise<void>
  /** The credentials were right: the run of failures in a row (not the window's count) ends. */
  succeeded(): void
  /** The request was refused before its credentials were checked, or the attempt is over. */
  done(): void
}

interface Client {
  /** When each failure within the window happened, oldest first. */
  failures: number[]
  /** Attempts begun and not yet done. */
  pending: number
  /** Failures since the last success, for the delay. */
  run: number
}

/** 250 ms more for each failure in a row past the third, at most 2 s. */
function defaultDelay(failures: number): number {
  return failures > 3 ? Math.min(2000, 250 * (failures - 3)) : 0
}

export class LoginThrottle {
  readonly #failures: number
  readonly #windowMs: number
  readonly #now: () => number
  readonly #delay: (failures: number) => number
  readonly #clients = new Map<string, Client>()

  constructor(options: ThrottleOptions = {}) {
    this.#failures = options.failures ?? LOGIN_FAILURES
    this.#windowMs = options.windowMs ?? LOGIN_WINDOW_MS
    this.#now = options.now ?? Date.now
    this.#delay = options.delayMs ?? defaultDelay
  }

  /**
   * Begins an attempt of the client at `address`, or refuses it (HttpError 429, with a
   * Retry-After) when its failures, those still being checked counted, have reached the limit.
   */
  begin(address: string | undefined): Attempt {
    const key = address ?? 'unknown'
    const client = this.#client(key)
    if (client.failures.length + client.pending >= this.#failures) {
      const oldest = client.failures[0]
      const wait =
        oldest === undefined ? 1 : Math.ceil((oldest + this.#windowMs - this.#now()) / 1000)
      const seconds = Math.max(1, wait)
      throw new HttpError(
        429,
        `Too many failed logins from ${key}: try again in ${seconds} second${seconds === 1 ? '' : 's'}`,
        { 'retry-after': String(seconds) }
      )
    }
    client.pending++
    let ended = false
    const end = () => {
      if (ended) return false
      ended = true
      client.pending--
      return true
    }
    return {
      failed: async () => {
        if (!end()) return
        client.failures.push(this.#now())
        const wait = this.#delay(++client.run)
        if (wait > 0) await new Promise((done) => setTimeout(done, wait))
      },
      succeeded: () => {
        if (end()) client.run = 0
      },
      done: () => {
        end()
      },
    }
  }

  /** The client's record, its failures older than the window dropped. */
  #client(key: string): Client {
    const since = this.#now() - this.#windowMs
    let client = this.#clients.get(key)
    if (client) {
      while (client.failures.length > 0 && client.failures[0]! <= since) client.failures.shift()
      return client
    }
    // A new address: forget those with nothing left to count first, then the oldest if need be.
    if (this.#clients.size >= MAX_CLIENTS) {
      for (const [old, record] of this.#clients) {
        if (record.pending === 0 && record.failures.every((at) => at <= since)) {
          this.#clients.delete(old)
        }
      }
      for (const old of this.#clients.keys()) {
        if (this.#clients.size < MAX_CLIENTS) break
        this.#clients.delete(old)
      }
    }
    client = { failures: [], pending: 0, run: 0 }
    this.#clients.set(key, client)
    return client
  }
}
