import { resolve } from 'node:path'
import type { Product } from '../catalog/profiles.ts'
import { AmshError } from '../errors.ts'
import { readUserFile } from '../files.ts'
import { connectOption, type ConnectRequest } from '../parse/connect.ts'
import {
  findProfile,
  profileRequest,
  storedPassword,
  type ConnectionProfile,
} from '../config/connections.ts'
import type { Ask } from '../transport/am/login.ts'
import { localPlace, serverPlace, type Journal } from '../journal/journal.ts'
import { GuardedTransport } from '../transport/guard.ts'
import { JournalingTransport, type JournalPlace } from '../transport/journaling.ts'
import { openTransport } from '../transport/open.ts'
import type { Transport } from '../transport/types.ts'

// What `connect` connects to: the local store amsh started on, another store file, an AM
// server with one of the ways of logging in, or a Janssen server as an OAuth client. A connection is checked (logged in) before it
// replaces the one in use, so a failed `connect` leaves the session where it was. Every
// connection handed out, the start-up store's included, journals its changes (when there is a
// journal): this is the one place transports are wrapped for it.

export interface Connection {
  transport: Transport
  /** What the prompt shows (`am am.example.com>`); undefined for the store amsh started on. */
  label: string | undefined
  /** Whether the session closes it when it moves on (the start-up store belongs to the CLI). */
  owned: boolean
  /** The journal of its changes; undefined when there is none. */
  journal?: JournalPlace
}

export type { Ask } from '../transport/am/login.ts'

export interface ConnectorOptions {
  /** The store amsh started on: `connect local` goes back to it. */
  home: Connection
  product: Product
  env: NodeJS.ProcessEnv
  /** Why this run may not leave the start-up store (--atomic, --dry-run), if it may not now. */
  pinned?: string | (() => string | undefined)
  /** Records the changes of every connection, under its place; the home's is `homePlace`. */
  journal?: Journal
  homePlace?: string
  /** Prints the warning of --insecure, and --debug's exchanges. */
  warn(line: string): void
  /** --debug: show each HTTP exchange as a curl command. */
  debug: boolean
}

const DEFAULT_TIMEOUT_S = 10

export class Connector {
  readonly #options: ConnectorOptions
  readonly #home: Connection

  constructor(options: ConnectorOptions) {
    this.#options = options
    const { home, homePlace } = options
    this.#home =
      homePlace === undefined ? home : { ...home, ...this.#journaled(home.transport, homePlace) }
  }

  get home(): Connection {
    return this.#home
  }

  get journal(): Journal | undefined {
    return this.#options.journal
  }

  /** The transport with its changes journaled under `place`, when there is a journal. */
  #journaled(transport: Transport, place: string): Pick<Connection, 'transport' | 'journal'> {
    const { journal } = this.#options
    if (!journal) return { transport }
    const journaled = new JournalingTransport(transport, journal, place)
    return { transport: journaled, journal: journaled }
  }

  /**
   * `ask` gives the terminal of the line running now (at `connect`, and later when a profile
   * asks to confirm a change), or undefined when there is none.
   */
  async open(
    typed: ConnectRequest,
    baseDir: string,
    ask: () => Ask | undefined
  ): Promise<Connection> {
    const { request, profile } = await this.#fromProfile(typed)
    const target = request.target ?? ''
    const local = /^local(?::(.*))?$/.exec(target)
    if (local) {
      if (local[1] === undefined || local[1] === '') return this.#home
      this.#refusePinned(target)
      const path = resolve(baseDir, local[1])
      const store = await openTransport({ kind: 'local', path, product: this.#options.product })
      return { ...this.#journaled(store, localPlace(path)), label: `local:${path}`, owned: true }
    }
    this.#refusePinned(target)
    const { env, warn } = this.#options
    const url = parseBaseUrl(target)
    if (request.insecure) {
      warn(
        `amsh: WARNING: --insecure: the certificate of ${url.host} is not checked; anyone on the way can read and change this session, passwords included`
      )
    }
    const server = {
      kind: 'rest' as const,
      baseUrl: target,
      timeoutMs: (request.timeoutSeconds ?? DEFAULT_TIMEOUT_S) * 1000,
      tls: {
        ca:
          request.caFile === undefined
            ? undefined
            : readUserFile(resolve(baseDir, request.caFile), 'CA file'),
        insecure: request.insecure,
      },
      trace: this.#options.debug ? warn : undefined,
      login: request,
      baseDir,
      env,
    }
    const transport = await openTransport(
      request.flavour === 'jans'
        ? { ...server, flavour: 'jans' }
        : { ...server, flavour: 'am', ask: ask() }
    )
    const port = url.port ? `:${url.port}` : ''
    const label = `${url.hostname}${port}`
    // The journal sits inside a profile's guard: a change the guard refuses never reaches it.
    const journaled = this.#journaled(transport, serverPlace(target))
    if (!profile?.readOnly && !profile?.confirmWrites) return { ...journaled, label, owned: true }
    const guarded = new GuardedTransport(journaled.transport, {
      profile: profile.name,
      readOnly: profile.readOnly === true,
      confirmWrites: profile.confirmWrites === true,
      confirm: () => {
        const asker = ask()
        return asker && (async (question) => /^\s*y(es)?\s*$/i.test(await asker(question, false)))
      },
    })
    return {
      transport: guarded,
      journal: journaled.journal,
      label: `${label} (${profile.name})`,
      owned: true,
    }
  }

  /** `connect --profile <name>`: the saved connection, which no other option may amend. */
  async #fromProfile(
    typed: ConnectRequest
  ): Promise<{ request: ConnectRequest; profile?: ConnectionProfile }> {
    if (typed.profile === undefined) return { request: typed }
    const others = Object.entries(typed).filter(
      ([key, value]) => key !== 'profile' && value !== undefined && value !== false
    )
    if (others.length > 0) {
      throw new AmshError(
        'E_USAGE',
        `connect --profile ${typed.profile} takes no other options (${others.map(([key]) => connectOption(key as keyof ConnectRequest)).join(', ')}): the profile says how to connect; change it with amsh profile add --force`
      )
    }
    const { env, warn } = this.#options
    const { profile, warning } = await findProfile(typed.profile, env)
    if (warning) warn(`amsh: ${warning}`)
    return {
      request: { ...profileRequest(profile, env), password: storedPassword(profile) },
      profile,
    }
  }

  #refusePinned(target: string): void {
    const { pinned } = this.#options
    const why = typeof pinned === 'function' ? pinned() : pinned
    if (why) throw new AmshError('E_UNSUPPORTED', `connect ${target}: ${why}`)
  }
}

function parseBaseUrl(target: string): URL {
  let url: URL | undefined
  try {
    url = new URL(target)
  } catch {
    url = undefined
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new AmshError(
      'E_USAGE',
      `connect: "${target}" is not a server URL; write the base URL with its context path, e.g. https://am.example.com/am (or connect local)`
    )
  }
  return url
}
