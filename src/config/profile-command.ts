import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { Command, CommanderError, Option } from 'commander'
import { AmshError, toAmshError } from '../errors.ts'
import { expandHome } from '../paths.ts'
import { hideAnswer } from '../shell/hidden-answer.ts'
import {
  checkUrl,
  describeAuth,
  ENV_NAME,
  findProfile,
  loadProfiles,
  profilesFile,
  PROFILE_NAME,
  redactProfile,
  removeProfile,
  saveProfile,
  type ConnectionProfile,
  type ProfileAuth,
} from './connections.ts'

// `amsh profile add|list|show|remove`: the connection profiles of connections.ts, managed from
// the command line. Everything a flag gets wrong is refused here, with the flag's name, before
// anything is written.

interface AddOptions {
  username?: string
  passwordEnv?: string
  passwordFile?: string
  storePasswordInsecurely?: boolean
  password?: string
  tokenEnv?: string
  privateKey?: string
  saId?: string
  saJwkFile?: string
  flavour?: string
  clientId?: string
  clientSecretEnv?: string
  clientSecretFile?: string
  journey?: string
  caFile?: string
  insecure?: boolean
  connectionTimeout?: string
  readOnly?: boolean
  confirmWrites?: boolean
  force?: boolean
}

const out = (text: string) => process.stdout.write(`${text}\n`)
const err = (text: string) => process.stderr.write(`${text}\n`)

function program(): Command {
  const root = new Command('amsh profile')
    .description('Saved connections to AM: where, how to log in, and how careful to be.')
    .helpOption('-h, --help', 'show this help')
    .showHelpAfterError('(amsh profile --help, or amsh profile <command> --help)')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) })
    .addHelpText(
      'after',
      `
Use one with amsh --profile <name>, AMSH_PROFILE=<name>, or connect --profile <name>:
any part of a name or URL that picks out one profile will do.

Profiles are kept in ${profilesFile()} (mode 0600). A profile names
where its secrets are (environment variables, files) and never holds them, unless you
say --store-password-insecurely.

Examples:
  amsh profile add prod https://am.example.com/am --username amadmin --password-env AM_PASSWORD --confirm-writes
  amsh profile add dev http://localhost:8080/am -k ~/.ssh/amster_rsa
  amsh profile add aic https://tenant.forgeblocks.com/am --sa-id <id> --sa-jwk-file sa.jwk --read-only
  amsh profile add jans https://jans.example.com --flavour jans --client-id <id> --client-secret-env JANS_SECRET
  amsh profile list`
    )

  root
    .command('add')
    .description('save a connection (an existing name needs --force)')
    .argument('<name>', 'letters, digits, ".", "_" and "-"')
    .argument('<url>', "AM's base URL with its context path, e.g. https://am.example.com/am")
    .option('-k, --private-key <file|dir>', 'Amster key login (the default, from ~/.ssh)')
    .option('--username <name>', 'password login as this user')
    .option('--password-env <VAR>', 'the password is in this environment variable')
    .option('--password-file <file>', 'the password is in this file')
    .option(
      '--store-password-insecurely',
      'read the password from stdin and keep it in the profile, in plain text'
    )
    .addOption(new Option('--password <password>').hideHelp())
    .option('--journey <tree>', 'the authentication journey of a password login')
    .option('--token-env <VAR>', 'a Bearer token from this environment variable')
    .option('--sa-id <id>', 'an Identity Cloud service account (with --sa-jwk-file)')
    .option('--sa-jwk-file <file>', "the service account's private JWK")
    .addOption(
      new Option('--flavour <flavour>', "the server's wire flavour (default am)").choices([
        'am',
        'jans',
      ])
    )
    .option('--client-id <id>', 'Janssen: the OAuth client (client_credentials), with:')
    .option('--client-secret-env <VAR>', "the client's secret is in this environment variable")
    .option('--client-secret-file <file>', "the client's secret is in this file")
    .option('--ca-file <pem>', 'trust this private CA')
    .option('--insecure', 'trust any certificate (anyone on the way can read the session)')
    .option('-t, --connection-timeout <seconds>', 'seconds to wait for the server')
    .option('--read-only', 'refuse every command that writes')
    .option('--confirm-writes', 'at the prompt, ask before each command that writes')
    .option('-f, --force', 'replace the profile of that name')
    .action(async (name: string, url: string, options: AddOptions) => add(name, url, options))

  root
    .command('list')
    .description('the profiles, one per line')
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['table', 'json'])
        .default('table')
    )
    .action(async (options: { output: string }) => list(options.output === 'json'))

  root
    .command('show')
    .description('one profile as JSON (a stored password shows as "***")')
    .argument('<name>', 'its name, or a part of its name or URL that picks out one')
    .action(async (query: string) => show(query))

  root
    .command('remove')
    .description('forget a profile')
    .argument('<name>', 'its exact name')
    .action(async (name: string) => remove(name))

  return root
}

export async function profileMain(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: 'user' })
    return 0
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2
    const amsh = toAmshError(error)
    err(amsh.format())
    return amsh.exitCode
  }
}

async function add(name: string, url: string, options: AddOptions): Promise<void> {
  if (!PROFILE_NAME.test(name)) {
    throw new AmshError(
      'E_USAGE',
      `profile add: "${name}" is not a profile name; use letters, digits, ".", "_" and "-"`
    )
  }
  const checked = checkUrl(url)
  if (typeof checked === 'string') throw new AmshError('E_USAGE', `profile add: ${checked}`)
  if (options.password !== undefined) {
    throw new AmshError(
      'E_USAGE',
      'profile add: --password would leave the password in your shell history and the profile in plain text; use --password-env <VAR> or --password-file <file> (or, if you must, --store-password-insecurely, which reads it from stdin)'
    )
  }
  const profile: ConnectionProfile = { name, url: checked.href, auth: await auth(options) }
  if (options.flavour === 'jans') profile.flavour = 'jans'
  if (options.caFile !== undefined) profile.caFile = path(options.caFile, '--ca-file')
  if (options.insecure) profile.insecure = true
  if (options.connectionTimeout !== undefined) {
    const seconds = options.connectionTimeout
    if (!/^\d+(\.\d+)?$/.test(seconds) || Number(seconds) <= 0) {
      throw new AmshError('E_USAGE', `profile add: -t takes a number of seconds, not "${seconds}"`)
    }
    profile.timeoutSeconds = Number(seconds)
  }
  if (options.readOnly) profile.readOnly = true
  if (options.confirmWrites) profile.confirmWrites = true
  checkCombinations(profile)
  for (const [flag, file] of files(profile)) {
    if (!existsSync(file)) err(`amsh: note: ${flag} ${file} does not exist (yet)`)
  }

  const { file, replaced } = await saveProfile(profile, process.env, {
    replace: options.force === true,
  })
  if (profile.auth.method === 'password' && profile.auth.password !== undefined) {
    err(
      `amsh: WARNING: the password of profile "${name}" is kept in plain text in ${file} (mode 0600): anyone who can read that file, or a backup of it, can log in`
    )
  }
  out(
    `${replaced ? 'replaced' : 'saved'} profile "${name}": ${profile.url}, ${describeAuth(profile.auth)}`
  )
}

/** The one way of logging in the flags name, as `connect` reads them. */
async function auth(options: AddOptions): Promise<ProfileAuth> {
  const first = (flags: [string, unknown][]) =>
    flags.find(([, value]) => value !== undefined && value !== false)?.[0]
  const ways = [
    first([['--private-key', options.privateKey]]),
    first([
      ['--username', options.username],
      ['--password-env', options.passwordEnv],
      ['--password-file', options.passwordFile],
      ['--store-password-insecurely', options.storePasswordInsecurely],
    ]),
    first([['--token-env', options.tokenEnv]]),
    first([
      ['--sa-id', options.saId],
      ['--sa-jwk-file', options.saJwkFile],
    ]),
    first([
      ['--client-id', options.clientId],
      ['--client-secret-env', options.clientSecretEnv],
      ['--client-secret-file', options.clientSecretFile],
    ]),
  ].filter((way): way is string => way !== undefined)
  if (ways.length > 1) {
    throw new AmshError(
      'E_USAGE',
      `profile add: choose one way to log in, not ${ways.join(' and ')}`
    )
  }
  const way = ways[0]
  if (options.flavour === 'jans' || way?.startsWith('--client-')) {
    if (way !== undefined && !way.startsWith('--client-')) {
      throw new AmshError(
        'E_USAGE',
        `profile add --flavour jans logs in as an OAuth client (--client-id), not with ${way}`
      )
    }
    return clientLogin(options)
  }
  if (options.tokenEnv !== undefined) {
    refuseJourney(options, '--token-env')
    return { method: 'token', tokenEnv: envName(options.tokenEnv, '--token-env', 'AM_TOKEN') }
  }
  if (options.saId !== undefined || options.saJwkFile !== undefined) {
    refuseJourney(options, '--sa-id')
    if (options.saId === undefined || options.saJwkFile === undefined) {
      throw new AmshError(
        'E_USAGE',
        'profile add: a service account needs both --sa-id and --sa-jwk-file'
      )
    }
    return {
      method: 'service-account',
      saId: options.saId,
      saJwkFile: path(options.saJwkFile, '--sa-jwk-file'),
    }
  }
  if (way !== undefined && way !== '--private-key') {
    const sources = [
      options.passwordEnv !== undefined && '--password-env',
      options.passwordFile !== undefined && '--password-file',
      options.storePasswordInsecurely === true && '--store-password-insecurely',
    ].filter((source): source is string => source !== false)
    if (sources.length > 1) {
      throw new AmshError(
        'E_USAGE',
        `profile add: the password comes from one place, not ${sources.join(' and ')}`
      )
    }
    const login: ProfileAuth = { method: 'password', username: options.username ?? 'amadmin' }
    if (options.passwordEnv !== undefined) {
      login.passwordEnv = envName(options.passwordEnv, '--password-env', 'AM_PASSWORD')
    }
    if (options.passwordFile !== undefined) {
      login.passwordFile = path(options.passwordFile, '--password-file')
    }
    if (options.storePasswordInsecurely) login.password = await readPassword()
    if (options.journey !== undefined) login.journey = options.journey
    return login
  }
  refuseJourney(options, way ?? 'the Amster key login')
  return options.privateKey === undefined
    ? { method: 'amster-key' }
    : { method: 'amster-key', privateKey: path(options.privateKey, '--private-key') }
}

/** Janssen's one way: an OAuth client, whose secret is in one place. */
function clientLogin(options: AddOptions): ProfileAuth {
  refuseJourney(options, '--client-id')
  if (options.flavour !== 'jans') {
    throw new AmshError(
      'E_USAGE',
      'profile add: --client-id is for a Janssen server: add --flavour jans'
    )
  }
  if (options.clientId === undefined || options.clientId === '') {
    throw new AmshError(
      'E_USAGE',
      'profile add --flavour jans needs --client-id <id> and --client-secret-env <VAR> or --client-secret-file <file>'
    )
  }
  if ((options.clientSecretEnv === undefined) === (options.clientSecretFile === undefined)) {
    throw new AmshError(
      'E_USAGE',
      'profile add: the client secret comes from one place: --client-secret-env <VAR> or --client-secret-file <file>'
    )
  }
  const login: ProfileAuth = { method: 'client-credentials', clientId: options.clientId }
  if (options.clientSecretEnv !== undefined) {
    login.clientSecretEnv = envName(options.clientSecretEnv, '--client-secret-env', 'JANS_SECRET')
  }
  if (options.clientSecretFile !== undefined) {
    login.clientSecretFile = path(options.clientSecretFile, '--client-secret-file')
  }
  return login
}

function refuseJourney(options: AddOptions, way: string): void {
  if (options.journey !== undefined) {
    throw new AmshError(
      'E_USAGE',
      `profile add: --journey applies to a password login (--username), not to ${way}`
    )
  }
}

function envName(value: string, flag: string, example: string): string {
  if (!ENV_NAME.test(value)) {
    throw new AmshError(
      'E_USAGE',
      `profile add: ${flag} takes the name of an environment variable (e.g. ${example}), not its value`
    )
  }
  return value
}

/** Absolute: a profile is used from any folder. */
function path(value: string, flag: string): string {
  if (value === '') throw new AmshError('E_USAGE', `profile add: ${flag} needs a value`)
  return resolve(expandHome(value))
}

/** The files a profile names, by flag: one not there yet is fine, but worth a word. */
function files(profile: ConnectionProfile): [string, string][] {
  const { auth } = profile
  const named: [string, string | undefined][] = [
    ['--ca-file', profile.caFile],
    ['--private-key', auth.method === 'amster-key' ? auth.privateKey : undefined],
    ['--password-file', auth.method === 'password' ? auth.passwordFile : undefined],
    ['--sa-jwk-file', auth.method === 'service-account' ? auth.saJwkFile : undefined],
    [
      '--client-secret-file',
      auth.method === 'client-credentials' ? auth.clientSecretFile : undefined,
    ],
  ]
  return named.filter((entry): entry is [string, string] => entry[1] !== undefined)
}

function checkCombinations(profile: ConnectionProfile): void {
  const usage = (message: string) => new AmshError('E_USAGE', `profile add: ${message}`)
  if (profile.caFile !== undefined && profile.insecure) {
    throw usage('--ca-file trusts one CA, --insecure trusts anything: choose one')
  }
  if (profile.url.startsWith('http:') && (profile.caFile !== undefined || profile.insecure)) {
    const flag = profile.insecure ? '--insecure' : '--ca-file'
    throw usage(`${flag} is about TLS certificates, and ${profile.url} is plain http`)
  }
  if (profile.readOnly && profile.confirmWrites) {
    throw usage('--read-only refuses every write, so --confirm-writes would never ask: choose one')
  }
}

/**
 * The password for --store-password-insecurely: asked without echo at a terminal, else all of
 * stdin but its final newline (as --password-file reads a file).
 */
async function readPassword(): Promise<string> {
  const password = process.stdin.isTTY
    ? await askHidden('Password to store: ')
    : readFileSync(0, 'utf8').replace(/\r?\n$/, '')
  if (password === '') {
    throw new AmshError(
      'E_USAGE',
      'profile add: --store-password-insecurely reads the password from stdin, and it was empty'
    )
  }
  return password
}

async function askHidden(question: string): Promise<string> {
  const { createInterface } = await import('node:readline')
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true })
  hideAnswer(rl, question)
  return new Promise((done, fail) => {
    let answered = false
    rl.on('SIGINT', () => rl.close())
    rl.on('close', () => {
      if (!answered) {
        process.stderr.write('\n')
        fail(new AmshError('E_INTERRUPTED', 'profile add: no password given; nothing was saved'))
      }
    })
    rl.question(question, (answer) => {
      answered = true
      rl.close()
      done(answer)
    })
  })
}

async function list(json: boolean): Promise<void> {
  const { file, profiles, warning } = await loadProfiles()
  if (warning !== undefined) err(warning)
  if (json) {
    out(JSON.stringify(profiles.map(redactProfile), null, 2))
    return
  }
  if (profiles.length === 0) {
    err(`no profiles yet (${file}); add one with amsh profile add <name> <url>`)
    return
  }
  const rows = [
    ['NAME', 'URL', 'AUTH', 'FLAGS'],
    ...profiles.map((p) => [p.name, p.url, describeAuth(p.auth), flags(p)]),
  ]
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  for (const row of rows) {
    out(
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
        .join('  ')
    )
  }
}

function flags(profile: ConnectionProfile): string {
  const set = [
    profile.readOnly && 'read-only',
    profile.confirmWrites && 'confirm-writes',
    profile.insecure && 'insecure',
    profile.caFile !== undefined && 'ca-file',
    profile.timeoutSeconds !== undefined && `timeout ${profile.timeoutSeconds}s`,
  ].filter((flag): flag is string => typeof flag === 'string')
  return set.length === 0 ? '-' : set.join(', ')
}

async function show(query: string): Promise<void> {
  const { profile, warning } = await findProfile(query)
  if (warning !== undefined) err(warning)
  out(JSON.stringify(redactProfile(profile), null, 2))
}

async function remove(name: string): Promise<void> {
  const { url } = await removeProfile(name)
  out(`removed profile "${name}"${url === undefined ? '' : ` (${url})`}`)
}
