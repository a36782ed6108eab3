import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Command, CommanderError, Option } from 'commander'
import {
  DEFAULT_PRODUCT,
  getProfile,
  parseProduct,
  PRODUCTS,
  type Product,
} from '../catalog/profiles.ts'
import { AmshError, toAmshError } from '../errors.ts'
import { turnLog } from '../output/buffered.ts'
import { amshHome } from '../paths.ts'
import { openTransport } from '../transport/open.ts'
import type { Transport } from '../transport/types.ts'
import { AmsterLogin } from './amster-login.ts'
import { AuthorizedKeys } from './authorized-keys.ts'
import { loadServiceAccount, TokenEndpoint, TOKEN_LIFETIME_S } from './oauth2.ts'
import { Router } from './router.ts'
import { isLoopback, serve } from './serve.ts'
import { TOKEN_PATH } from '../transport/jans/token.ts'
import { JansApi } from './jans/api.ts'
import { LOGIN_FAILURES, LOGIN_WINDOW_MS, LoginThrottle } from './throttle.ts'
import {
  adminPassword,
  ADMIN,
  IDLE_MS,
  MAX_SESSION_MS,
  Sessions,
  storedSecret,
  type SecretOwner,
} from './sessions.ts'

// `amsh serve`: the local store behind AM's REST API (or Janssen's), until SIGINT or SIGTERM.

/** The one client serve --flavour jans knows, unless AMSH_JANS_CLIENT_ID names another. */
const JANS_CLIENT = 'amsh-client'
const JANS_SECRET: SecretOwner = {
  variable: 'AMSH_JANS_CLIENT_SECRET',
  what: `the client secret of ${JANS_CLIENT}`,
  who: 'any client',
  noun: 'client secret',
}

interface ServeCliOptions {
  flavour: 'am' | 'jans'
  port: string
  host: string
  store?: string
  contextPath?: string
  product: string
  allowRemote?: boolean
  idleTimeout: string
  maxSessionTime: string
  loginFailures: string
  loginWindow: string
  authorizedKeys?: string
  serviceAccount?: string[]
  tokenLifetime: string
}

function command(): Command {
  return new Command('amsh serve')
    .description(
      "Serve the local store over AM's REST API (or Janssen's config-api for custom scripts), answering as that server does."
    )
    .addOption(
      new Option('--flavour <name>', "whose API to answer with: AM's, or Janssen's")
        .choices(['am', 'jans'])
        .default('am')
    )
    .option('--port <n>', 'the port to listen on (0: any free port)', '8080')
    .option('--host <address>', 'the address to listen on', '127.0.0.1')
    .option('--store <path>', 'the local store file (default: $AMSH_HOME/store.db)')
    .option('--context-path <path>', "where the paths start (AM's default /am, Janssen's none)")
    .addOption(
      new Option('--product <name>', 'the product to answer as')
        .choices(PRODUCTS)
        .default(DEFAULT_PRODUCT)
    )
    .option('--allow-remote', 'listen on an address other machines can reach')
    .option('--idle-timeout <seconds>', 'how long a session lives unused', String(IDLE_MS / 1000))
    .option(
      '--max-session-time <seconds>',
      'how long a session lives after its login, however it is used',
      String(MAX_SESSION_MS / 1000)
    )
    .option(
      '--login-failures <n>',
      'failed logins a client may make within the login window; past them it is answered 429',
      String(LOGIN_FAILURES)
    )
    .option(
      '--login-window <seconds>',
      'the window failed logins are counted over',
      String(LOGIN_WINDOW_MS / 1000)
    )
    .option(
      '--authorized-keys <file>',
      "public keys for Amster's key login (default: $AMSH_HOME/authorized_keys)"
    )
    .option(
      '--service-account <id>=<jwk file>',
      'an Identity Cloud service account and its public JWK (repeatable)',
      (spec: string, specs: string[] = []) => [...specs, spec]
    )
    .option(
      '--token-lifetime <seconds>',
      "how long a service account's access token lives",
      String(TOKEN_LIFETIME_S)
    )
    .helpOption('-h, --help', 'show this help')
    .exitOverride()
    .addHelpText(
      'after',
      `
Log in as AM clients do: POST <url>/json/realms/root/authenticate with the headers
X-OpenAM-Username: ${ADMIN} and X-OpenAM-Password: $AMSH_ADMIN_PASSWORD (or the password
generated on first start and kept in $AMSH_HOME/admin-password), or with a key as Amster
does (connect <url> -k <private key>) when its public half is a line of the authorized_keys
file (ssh-rsa or ecdsa-sha2-*; from="<cidr>,..." and subject="<user>,..." are honoured).
Service accounts get Bearer tokens at POST <url>/oauth2/access_token (RFC 7523), as from
Identity Cloud (connect <url> --sa-id <id> --sa-jwk-file <private JWK>).

With --flavour jans: Janssen's config-api for custom scripts below /jans-config-api/api/v1, and
client-credentials tokens at POST <url>${TOKEN_PATH} for the client $AMSH_JANS_CLIENT_ID
(default ${JANS_CLIENT}) with the secret $AMSH_JANS_CLIENT_SECRET (or the one generated on
first start and kept in $AMSH_HOME/jans-client-secret).`
    )
}

/** Failed logins, per client, as --login-failures and --login-window say. */
function throttleOf(options: ServeCliOptions): LoginThrottle {
  return new LoginThrottle({
    failures: Number(options.loginFailures),
    windowMs: Number(options.loginWindow) * 1000,
  })
}

/** AM's API: the administrator's sessions, Amster's key login, service accounts' tokens. */
function amRouter(
  store: Transport,
  product: Product,
  password: string,
  options: ServeCliOptions,
  accounts: ReturnType<typeof loadServiceAccount>[],
  home: string,
  log: (line: string) => void
): Router {
  const sessions = new Sessions(password, {
    idleMs: Number(options.idleTimeout) * 1000,
    maxMs: Number(options.maxSessionTime) * 1000,
    throttle: throttleOf(options),
  })
  const keys = new AuthorizedKeys(options.authorizedKeys ?? join(home, 'authorized_keys'), log)
  // Read now, so that a line it skips shows at start rather than at the first login.
  keys.keys()
  if (options.authorizedKeys !== undefined && !existsSync(options.authorizedKeys)) {
    log(
      `amsh serve: --authorized-keys ${options.authorizedKeys}: no such file (yet); no key can log in`
    )
  }
  return new Router({
    transport: store,
    profile: getProfile(product),
    sessions,
    amster: new AmsterLogin({ keys, log }),
    oauth2: new TokenEndpoint({
      accounts,
      sessions,
      lifetime: Number(options.tokenLifetime),
    }),
  })
}

export async function serveMain(argv: string[]): Promise<number> {
  const cli = command()
  try {
    cli.parse(argv, { from: 'user' })
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2
    throw err
  }
  const options = cli.opts<ServeCliOptions>()
  let store: Transport | undefined
  try {
    const product = parseProduct(options.product)
    if (!/^\d+$/.test(options.port) || Number(options.port) > 65535) {
      throw new AmshError('E_USAGE', `--port takes a port number (0-65535), not "${options.port}"`)
    }
    if (!isLoopback(options.host) && !options.allowRemote) {
      throw new AmshError(
        'E_USAGE',
        `--host ${options.host} is not a loopback address: anyone who can reach it could change the store; add --allow-remote if that is what you want`
      )
    }
    if (!/^[1-9]\d*$/.test(options.idleTimeout)) {
      throw new AmshError(
        'E_USAGE',
        `--idle-timeout takes a number of seconds (1 or more), not "${options.idleTimeout}"`
      )
    }
    for (const [option, value, what] of [
      ['--token-lifetime', options.tokenLifetime, 'a number of seconds'],
      ['--max-session-time', options.maxSessionTime, 'a number of seconds'],
      ['--login-failures', options.loginFailures, 'a number of failed logins'],
      ['--login-window', options.loginWindow, 'a number of seconds'],
    ] as const) {
      if (!/^[1-9]\d{0,8}$/.test(value)) {
        throw new AmshError('E_USAGE', `${option} takes ${what} (1 or more), not "${value}"`)
      }
    }
    const accounts = (options.serviceAccount ?? []).map(loadServiceAccount)
    const jans = options.flavour === 'jans'
    const asked = options.contextPath ?? (jans ? '' : '/am')
    const contextPath = `/${asked.replace(/^\/+|\/+$/g, '')}`.replace(/^\/$/, '')
    const home = amshHome()
    // Before the store: a server that will not start must not create one.
    const secret = jans
      ? storedSecret(join(home, 'jans-client-secret'), JANS_SECRET)
      : adminPassword(join(home, 'admin-password'))
    const storePath = options.store ?? join(home, 'store.db')
    store = await openTransport({ kind: 'local', path: storePath, product })
    const log = turnLog(process.stderr)
    const router = jans
      ? new JansApi({
          transport: store,
          client: { id: process.env.AMSH_JANS_CLIENT_ID || JANS_CLIENT, secret: secret.password },
          lifetime: Number(options.tokenLifetime),
          throttle: throttleOf(options),
        })
      : amRouter(store, product, secret.password, options, accounts, home, log)
    const { server, url } = await serve({
      router,
      host: options.host,
      port: Number(options.port),
      contextPath,
      log,
    })
    if (secret.generatedAt) {
      const what = jans ? `client secret of ${JANS_CLIENT}` : `${ADMIN} password`
      log(`amsh serve: generated the ${what} ${secret.password} (kept in ${secret.generatedAt})`)
    }
    log(`amsh serve: ${url} (store ${storePath}, answering as ${jans ? 'jans' : product})`)
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        server.close(() => resolve())
        server.closeAllConnections()
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
    log('amsh serve: stopped')
    return 0
  } catch (err) {
    const error = toAmshError(err)
    process.stderr.write(`${error.format()}\n`)
    return error.exitCode
  } finally {
    store?.close()
  }
}
