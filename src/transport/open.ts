import type { Product } from '../catalog/profiles.ts'
import type { Ask, LoginRequest } from './am/login.ts'
import type { JansLoginRequest } from './jans/login.ts'
import { LocalStore } from './local/store.ts'
import type { Transport } from './types.ts'

// The one place transports are opened: the CLI's start-up store, `connect`, and `amsh serve` all
// come here. A server is reached through its wire flavour (`am`: AM, PingAM, Identity Cloud and
// amsh serve; `jans`: Janssen's config-api and amsh serve --flavour jans) and logged in to
// before the transport is handed back, so bad credentials show when connecting rather than at
// the first command.

/** What every server connection says, whatever its flavour. */
interface ServerSpec {
  kind: 'rest'
  /** The server's base URL (AM's with its context path: https://am.example.com/am). */
  baseUrl: string
  timeoutMs: number
  tls: { ca?: string; insecure?: boolean }
  /** --debug: each exchange as a curl command. */
  trace?: (line: string) => void
  /** Where files the login names resolve (a key, a password file). */
  baseDir: string
  env: NodeJS.ProcessEnv
}

export type TransportSpec =
  | {
      kind: 'local'
      /** A file path, or ':memory:'. */
      path: string
      product: Product
      /** A copy in memory of the store (a dry run): the file is never written. */
      snapshot?: boolean
    }
  | (ServerSpec & {
      flavour: 'am'
      login: LoginRequest
      /** The terminal to ask a password on, when there is one. */
      ask: Ask | undefined
    })
  | (ServerSpec & {
      flavour: 'jans'
      /** The OAuth client the token is asked for (client_credentials). */
      login: JansLoginRequest
    })

export async function openTransport(
  spec: Extract<TransportSpec, { kind: 'local' }>
): Promise<LocalStore>
export async function openTransport(spec: TransportSpec): Promise<Transport>
export async function openTransport(spec: TransportSpec): Promise<Transport> {
  if (spec.kind === 'local') {
    return new LocalStore({ path: spec.path, product: spec.product, snapshot: spec.snapshot })
  }
  if (spec.flavour === 'jans') return openJans(spec)
  // The REST client and jose load when a server is named: most runs never need them.
  const [{ AmTransport }, { credentials }] = await Promise.all([
    import('./am/transport.ts'),
    import('./am/login.ts'),
  ])
  const transport = new AmTransport({
    baseUrl: spec.baseUrl,
    timeoutMs: spec.timeoutMs,
    tls: spec.tls,
    trace: spec.trace,
    credentials: await credentials(spec.login, spec.baseDir, spec.env, spec.ask),
  })
  return loggedIn(transport)
}

/** The transport once it has logged in, so bad credentials show at connect; closed if not. */
async function loggedIn<T extends Transport & { login(): Promise<void> }>(
  transport: T
): Promise<T> {
  try {
    await transport.login()
  } catch (err) {
    transport.close()
    throw err
  }
  return transport
}

async function openJans(spec: Extract<TransportSpec, { flavour: 'jans' }>): Promise<Transport> {
  const [{ JansTransport }, { clientCredentials }] = await Promise.all([
    import('./jans/transport.ts'),
    import('./jans/login.ts'),
  ])
  const transport = new JansTransport({
    baseUrl: spec.baseUrl,
    timeoutMs: spec.timeoutMs,
    tls: spec.tls,
    trace: spec.trace,
    client: clientCredentials(spec.login, spec.baseDir, spec.env),
  })
  return loggedIn(transport)
}
