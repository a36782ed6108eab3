import {
  chmodSync,
  closeSync,
  fchmodSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs'
import { basename, dirname, isAbsolute, join } from 'node:path'
import type { ErrorObject } from 'ajv'
import { describeSchemaErrors, schemaValidator, type BodyProblem } from '../catalog/schemas.ts'
import { didYouMean } from '../did-you-mean.ts'
import { AmshError } from '../errors.ts'
import { isJsonObject, jsonPointer, type JsonObject } from '../json.ts'
import type { ConnectRequest, ServerFlavour } from '../parse/connect.ts'
import { parseJson } from '../parse/json-body.ts'
import { configDir, expandHome } from '../paths.ts'
import { crypto } from '../lazy-builtins.ts'

// Connection profiles: named server connections (AM's, or Janssen's with "flavour": "jans") kept
// in $XDG_CONFIG_HOME/amsh/profiles.json. A
// profile says where and how to log in, and names where the secrets are (environment variables,
// files) rather than holding them; the one exception is a password the user stored on purpose
// with --store-password-insecurely. schemas/connection-profiles.json is the file's shape.

/** How a profile logs in: the login options of `connect`, with secrets only by reference. */
export type ProfileAuth =
  /** Amster's key login; without privateKey, amster_rsa, id_rsa or id_ecdsa in ~/.ssh. */
  | { method: 'amster-key'; privateKey?: string }
  /** With none of passwordEnv, passwordFile and password, amsh asks at the terminal. */
  | {
      method: 'password'
      username: string
      passwordEnv?: string
      passwordFile?: string
      /** Plain text, only with --store-password-insecurely. */
      password?: string
      journey?: string
    }
  | { method: 'token'; tokenEnv: string }
  | { method: 'service-account'; saId: string; saJwkFile: string }
  /** Janssen's: an OAuth client with the client_credentials grant; one of the secret sources. */
  | {
      method: 'client-credentials'
      clientId: string
      clientSecretEnv?: string
      clientSecretFile?: string
    }

export type AuthMethod = ProfileAuth['method']

export interface ConnectionProfile {
  name: string
  /** AM's base URL with its context path (Janssen's without), without a trailing slash. */
  url: string
  /** The server's wire flavour; AM's when absent. */
  flavour?: ServerFlavour
  auth: ProfileAuth
  /** Paths are absolute or start with ~/ (a profile is used from any folder). */
  caFile?: string
  insecure?: boolean
  timeoutSeconds?: number
  /** Refuse every command that writes. */
  readOnly?: boolean
  /** At the prompt, ask before each command that writes. */
  confirmWrites?: boolean
}

export interface LoadedProfiles {
  /** The profiles file, whether it exists or not. */
  file: string
  /** Sorted by name. */
  profiles: ConnectionProfile[]
  /** Set when others may read the file (its mode is looser than 0600). */
  warning?: string
}

export interface FoundProfile {
  profile: ConnectionProfile
  file: string
  warning?: string
}

export const PROFILE_NAME = /^[A-Za-z0-9._-]+$/
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

const FILE_NAME = 'profiles.json'
const SCHEMA = 'connection-profiles'

export function profilesFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), FILE_NAME)
}

/** All profiles; none when the file does not exist yet. */
export async function loadProfiles(env: NodeJS.ProcessEnv = process.env): Promise<LoadedProfiles> {
  const file = profilesFile(env)
  const document = await readDocument(file)
  if (document === undefined) return { file, profiles: [] }
  const profiles = await validateDocument(document, file)
  const warning = modeWarning(file, profiles)
  return warning === undefined ? { file, profiles } : { file, profiles, warning }
}

/**
 * Adds a profile, or replaces the one of that name (unless `replace` is false: then E_CONFLICT).
 * The file is written whole to a temporary file that then takes its place, so a crash or a full
 * disk never leaves half a file.
 */
export async function saveProfile(
  profile: ConnectionProfile,
  env: NodeJS.ProcessEnv = process.env,
  options: { replace?: boolean } = {}
): Promise<{ file: string; replaced: ConnectionProfile | undefined }> {
  const { file, profiles } = await loadProfiles(env)
  const replaced = profiles.find((p) => p.name === profile.name)
  if (replaced && options.replace === false) {
    throw new AmshError(
      'E_CONFLICT',
      `profile "${profile.name}" already exists (${replaced.url}); add --force to replace it`
    )
  }
  const next = [...profiles.filter((p) => p.name !== profile.name), profile]
  // The same checks as reading: what amsh writes, amsh can read back.
  const checked = await validateDocument(toDocument(next), `cannot save profile "${profile.name}"`)
  writeAtomically(file, serialize(toDocument(checked)))
  return { file, replaced }
}

/**
 * Removes the profile of exactly that name. Only the file's JSON has to be sound, not the
 * profiles in it: this is how the broken entries of a hand-edited file go away.
 */
export async function removeProfile(
  name: string,
  env: NodeJS.ProcessEnv = process.env
): Promise<{ file: string; url: string | undefined }> {
  const file = profilesFile(env)
  const document = await readDocument(file)
  // A file whose very shape is wrong says so, rather than "no such profile".
  if (document !== undefined && !isJsonObject(document.profiles)) {
    await validateDocument(document, file)
  }
  const entries = document === undefined ? undefined : (document.profiles as JsonObject)
  if (entries === undefined || !Object.hasOwn(entries, name)) {
    const names = entries === undefined ? [] : Object.keys(entries)
    throw new AmshError(
      'E_NOT_FOUND',
      `there is no profile named "${name}"${didYouMean(name, names)}; ${known(names)}`
    )
  }
  const entry = entries[name]
  // The rest is written back as it was, right or wrong: each broken entry can go in its turn.
  const rest = Object.fromEntries(Object.entries(entries).filter(([key]) => key !== name))
  writeAtomically(file, serialize({ ...document, profiles: rest }))
  const url = isJsonObject(entry) && typeof entry.url === 'string' ? entry.url : undefined
  return { file, url }
}

/**
 * The profile a `--profile` or AMSH_PROFILE value names: the profile of exactly that name, else
 * the one whose name or URL is that (ignoring case), else the one whose name or URL holds it.
 */
export async function findProfile(
  query: string,
  env: NodeJS.ProcessEnv = process.env
): Promise<FoundProfile> {
  const { file, profiles, warning } = await loadProfiles(env)
  const profile = matchProfile(query, profiles, file)
  return warning === undefined ? { profile, file } : { profile, file, warning }
}

/** findProfile over profiles already loaded; `file` only names where they came from in errors. */
export function matchProfile(
  query: string,
  profiles: readonly ConnectionProfile[],
  file = 'the profiles file'
): ConnectionProfile {
  if (query.trim() === '') {
    throw new AmshError('E_USAGE', 'a profile is chosen by its name, or part of its name or URL')
  }
  const exact = profiles.find((p) => p.name === query)
  if (exact) return exact
  const lower = query.toLowerCase()
  const bare = lower.replace(/\/+$/, '')
  const tiers = [
    profiles.filter((p) => p.name.toLowerCase() === lower || p.url.toLowerCase() === bare),
    profiles.filter(
      (p) => p.name.toLowerCase().includes(lower) || p.url.toLowerCase().includes(lower)
    ),
  ]
  for (const matches of tiers) {
    if (matches.length === 1) return matches[0]!
    if (matches.length > 1) {
      const listed = matches.map((p) => `${p.name} (${p.url})`)
      throw new AmshError(
        'E_USAGE',
        `profile "${query}" matches ${listed.slice(0, -1).join(', ')} and ${listed.at(-1)}; give more of the name`,
        { details: { matches: matches.map((p) => p.name) } }
      )
    }
  }
  if (profiles.length === 0) {
    throw new AmshError(
      'E_USAGE',
      `no profile matches "${query}": there are no profiles yet (${file}); add one with amsh profile add <name> <url>`
    )
  }
  throw new AmshError(
    'E_USAGE',
    `no profile matches "${query}"; ${known(profiles.map((p) => p.name))}`
  )
}

function known(names: string[]): string {
  return names.length === 0
    ? 'there are no profiles yet (amsh profile add <name> <url>)'
    : `the profiles are ${[...names].sort().join(', ')}`
}

/**
 * The `connect` request a profile stands for, so `--profile x` goes through the connector as
 * `connect <url> ...` would. A stored password is not in it: see storedPassword().
 */
export function profileRequest(
  profile: ConnectionProfile,
  env: NodeJS.ProcessEnv = process.env
): ConnectRequest {
  const path = (value: string | undefined) =>
    value === undefined ? undefined : expandHome(value, env)
  const request: ConnectRequest = {
    target: profile.url,
    interactive: false,
    insecure: profile.insecure === true,
  }
  if (profile.flavour !== undefined && profile.flavour !== 'am') request.flavour = profile.flavour
  if (profile.timeoutSeconds !== undefined) request.timeoutSeconds = profile.timeoutSeconds
  if (profile.caFile !== undefined) request.caFile = path(profile.caFile)
  const { auth } = profile
  switch (auth.method) {
    case 'amster-key':
      if (auth.privateKey !== undefined) request.privateKey = path(auth.privateKey)
      break
    case 'password':
      request.username = auth.username
      if (auth.passwordEnv !== undefined) request.passwordEnv = auth.passwordEnv
      if (auth.passwordFile !== undefined) request.passwordFile = path(auth.passwordFile)
      if (auth.journey !== undefined) request.journey = auth.journey
      break
    case 'token':
      request.tokenEnv = auth.tokenEnv
      break
    case 'service-account':
      request.saId = auth.saId
      request.saJwkFile = path(auth.saJwkFile)
      break
    case 'client-credentials':
      request.clientId = auth.clientId
      if (auth.clientSecretEnv !== undefined) request.clientSecretEnv = auth.clientSecretEnv
      if (auth.clientSecretFile !== undefined) {
        request.clientSecretFile = path(auth.clientSecretFile)
      }
      break
  }
  return request
}

/** The password stored with --store-password-insecurely, if this profile has one. */
export function storedPassword(profile: ConnectionProfile): string | undefined {
  return profile.auth.method === 'password' ? profile.auth.password : undefined
}

/** A profile as it may be shown: a stored password is "***". */
export function redactProfile(profile: ConnectionProfile): JsonObject {
  const entry = toEntry(profile)
  const auth = entry.auth as JsonObject
  if (auth.password !== undefined) auth.password = '***'
  return { name: profile.name, ...entry }
}

/** How a profile logs in, in a few words (`password amadmin (env AM_PASSWORD)`). */
export function describeAuth(auth: ProfileAuth): string {
  switch (auth.method) {
    case 'amster-key':
      return `amster key (${auth.privateKey ?? '~/.ssh'})`
    case 'password': {
      const from =
        auth.passwordEnv !== undefined
          ? `env ${auth.passwordEnv}`
          : auth.passwordFile !== undefined
            ? `file ${auth.passwordFile}`
            : auth.password !== undefined
              ? 'stored'
              : 'asked'
      const journey = auth.journey === undefined ? '' : `, journey ${auth.journey}`
      return `password ${auth.username} (${from}${journey})`
    }
    case 'token':
      return `token (env ${auth.tokenEnv})`
    case 'service-account':
      return `service account ${auth.saId} (${auth.saJwkFile})`
    case 'client-credentials': {
      const from =
        auth.clientSecretEnv !== undefined
          ? `env ${auth.clientSecretEnv}`
          : `file ${auth.clientSecretFile ?? '?'}`
      return `client ${auth.clientId} (${from})`
    }
  }
}

// ---- the file

async function readDocument(file: string): Promise<JsonObject | undefined> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return undefined
    const reason = code === 'EISDIR' ? 'it is a folder' : (err as Error).message
    throw new AmshError('E_IO', `cannot read the connection profiles ${file}: ${reason}`)
  }
  const value = await parseJson(text, file)
  if (!isJsonObject(value)) {
    throw invalid(file, [{ pointer: '/', message: 'must be an object: {"profiles": {...}}' }])
  }
  return value
}

/** A readable layout that stays put: profiles by name, each one's fields in a fixed order. */
function toDocument(profiles: readonly ConnectionProfile[]): JsonObject {
  const sorted = [...profiles].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return { profiles: Object.fromEntries(sorted.map((p) => [p.name, toEntry(p)])) }
}

const AUTH_ORDER = [
  'method',
  'username',
  'passwordEnv',
  'passwordFile',
  'password',
  'journey',
  'privateKey',
  'tokenEnv',
  'saId',
  'saJwkFile',
  'clientId',
  'clientSecretEnv',
  'clientSecretFile',
]

function toEntry(profile: ConnectionProfile): JsonObject {
  const fields = profile.auth as unknown as Record<string, JsonObject[string] | undefined>
  const known = [...AUTH_ORDER, ...Object.keys(fields).filter((key) => !AUTH_ORDER.includes(key))]
  const auth: JsonObject = {}
  for (const key of known) {
    const value = fields[key]
    if (value !== undefined) auth[key] = value
  }
  const entry: JsonObject = { url: profile.url }
  if (profile.flavour !== undefined) entry.flavour = profile.flavour
  entry.auth = auth
  if (profile.caFile !== undefined) entry.caFile = profile.caFile
  if (profile.insecure !== undefined) entry.insecure = profile.insecure
  if (profile.timeoutSeconds !== undefined) entry.timeoutSeconds = profile.timeoutSeconds
  if (profile.readOnly !== undefined) entry.readOnly = profile.readOnly
  if (profile.confirmWrites !== undefined) entry.confirmWrites = profile.confirmWrites
  return entry
}

/** An entry that passed the schema, as a profile. */
function fromEntry(name: string, entry: JsonObject): ConnectionProfile {
  return { name, ...(structuredClone(entry) as unknown as Omit<ConnectionProfile, 'name'>) }
}

function serialize(document: JsonObject): string {
  return `${JSON.stringify(document, null, 2)}\n`
}

/** Schema first (shape), then what a schema says badly: names, URLs, paths, one password. */
async function validateDocument(
  document: JsonObject,
  source: string
): Promise<ConnectionProfile[]> {
  const validate = await schemaValidator(SCHEMA)
  const problems = validate(document) ? [] : describe(validate.errors ?? [])
  if (!isJsonObject(document.profiles)) throw invalid(source, problems)
  const profiles: ConnectionProfile[] = []
  for (const [name, entry] of Object.entries(document.profiles)) {
    const at = jsonPointer('profiles', name)
    // An entry the schema refused has the wrong shape for the checks below; one list of all
    // the problems still beats making the user fix them one run at a time.
    const shapeless = problems.some((p) => p.pointer === at || p.pointer.startsWith(`${at}/`))
    if (!PROFILE_NAME.test(name)) {
      problems.push({
        pointer: at,
        message: 'is not a profile name: use letters, digits, ".", "_" and "-"',
      })
    }
    if (shapeless) continue
    const profile = fromEntry(name, entry as JsonObject)
    const url = checkUrl(profile.url)
    if (typeof url === 'string') problems.push({ pointer: `${at}/url`, message: url })
    else profile.url = url.href
    const paths: [string, string | undefined][] = [
      ['caFile', profile.caFile],
      [
        'auth/privateKey',
        profile.auth.method === 'amster-key' ? profile.auth.privateKey : undefined,
      ],
      [
        'auth/passwordFile',
        profile.auth.method === 'password' ? profile.auth.passwordFile : undefined,
      ],
      [
        'auth/saJwkFile',
        profile.auth.method === 'service-account' ? profile.auth.saJwkFile : undefined,
      ],
      [
        'auth/clientSecretFile',
        profile.auth.method === 'client-credentials' ? profile.auth.clientSecretFile : undefined,
      ],
    ]
    for (const [field, path] of paths) {
      if (path !== undefined && !isAbsolute(path) && path !== '~' && !path.startsWith('~/')) {
        problems.push({
          pointer: `${at}/${field}`,
          message: `must be an absolute path or start with ~/ (a profile is used from any folder), not "${path}"`,
        })
      }
    }
    const { auth } = profile
    // Janssen's config-api takes OAuth client tokens only, and AM no such client login.
    const jans = profile.flavour === 'jans'
    if (jans !== (auth.method === 'client-credentials')) {
      problems.push({
        pointer: `${at}/auth/method`,
        message: jans
          ? `is "${auth.method}", but a "flavour": "jans" profile logs in as an OAuth client: "client-credentials" with clientId`
          : `"client-credentials" is Janssen's login: add "flavour": "jans" to the profile`,
      })
    }
    if (auth.method === 'client-credentials') {
      const sources = (['clientSecretEnv', 'clientSecretFile'] as const).filter(
        (key) => auth[key] !== undefined
      )
      if (sources.length !== 1) {
        problems.push({
          pointer: `${at}/auth`,
          message:
            sources.length === 0
              ? 'needs the client secret: clientSecretEnv or clientSecretFile'
              : 'takes one of clientSecretEnv and clientSecretFile, not both',
        })
      }
    }
    if (auth.method === 'password') {
      const sources = (['passwordEnv', 'passwordFile', 'password'] as const).filter(
        (key) => auth[key] !== undefined
      )
      if (sources.length > 1) {
        problems.push({
          pointer: `${at}/auth`,
          message: `takes one of passwordEnv, passwordFile and password, not ${sources.join(' and ')}`,
        })
      }
    }
    profiles.push(profile)
  }
  if (problems.length > 0) {
    throw invalid(
      source,
      problems.sort((a, b) => (a.pointer < b.pointer ? -1 : 1))
    )
  }
  return profiles.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** The URL amsh keeps (no trailing slash), or why it cannot be a base URL. */
export function checkUrl(text: string): { href: string } | string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return `"${text}" is not a URL; write AM's base URL with its context path, e.g. https://am.example.com/am`
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `"${text}" is not an http(s) URL; write AM's base URL, e.g. https://am.example.com/am`
  }
  if (url.username !== '' || url.password !== '') {
    return `"${url.protocol}//${url.host}${url.pathname}" carries a user name or password: the URL is stored in plain text; log in with --username and --password-env or --password-file instead`
  }
  if (url.search !== '' || url.hash !== '') {
    return `"${text}" has a query or fragment; write only AM's base URL, e.g. https://am.example.com/am`
  }
  return { href: `${url.origin}${url.pathname.replace(/\/+$/, '')}` }
}

/** What a person can act on: the field, and what it should be. */
const PATTERN_MESSAGES: Record<string, string> = {
  url: "must be an http(s) URL: AM's base URL, e.g. https://am.example.com/am",
  passwordEnv:
    'must be the name of an environment variable (letters, digits and _), not the password itself',
  tokenEnv:
    'must be the name of an environment variable (letters, digits and _), not the token itself',
  clientSecretEnv:
    'must be the name of an environment variable (letters, digits and _), not the secret itself',
}

function describe(errors: ErrorObject[]): BodyProblem[] {
  // An if/then adds "must match then" on top of the error inside the then: that one says it all.
  const useful = errors.filter((error) => error.keyword !== 'if')
  return describeSchemaErrors(useful).map((problem, i) => {
    if (useful[i]!.keyword !== 'pattern') return problem
    const field = problem.pointer.split('/').at(-1) ?? ''
    return { ...problem, message: PATTERN_MESSAGES[field] ?? problem.message }
  })
}

/** `where` is the file read, or what was being done ("cannot save profile …"). */
function invalid(where: string, problems: BodyProblem[]): AmshError {
  const lines = problems.map((p) => `  ${p.pointer}: ${p.message}`).join('\n')
  const saving = where.startsWith('cannot ')
  const name = /^\/profiles\/([^/]+)/.exec(problems[0]?.pointer ?? '')?.[1]
  const fix = saving
    ? ''
    : name === undefined
      ? '\nfix it in an editor'
      : `\nfix it in an editor, or drop that profile with: amsh profile remove ${shellWord(unpointer(name))}`
  const heading = saving ? `${where}:` : `${where} is not a valid connection profiles file:`
  return new AmshError('E_USAGE', `${heading}\n${lines}${fix}`, {
    details: { where, problems: problems.map((p) => ({ ...p })) },
  })
}

function shellWord(text: string): string {
  return PROFILE_NAME.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`
}

function unpointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~')
}

/** The warning for a file others may read, else undefined (and never on Windows: no modes). */
function modeWarning(file: string, profiles: readonly ConnectionProfile[]): string | undefined {
  if (process.platform === 'win32') return undefined
  let mode: number
  try {
    mode = statSync(file).mode & 0o777
  } catch {
    return undefined
  }
  if ((mode & 0o077) === 0) return undefined
  const holds = profiles.some((p) => storedPassword(p) !== undefined)
    ? 'it holds a stored password'
    : 'it says where your secrets are'
  return `amsh: WARNING: ${file} can be read by others (mode ${mode.toString(8).padStart(4, '0')}) and ${holds}; chmod 600 ${file}`
}

function writeAtomically(file: string, text: string): void {
  const dir = dirname(file)
  // A profiles.json that is a link (a dotfiles repository) stays one: write where it points.
  let target = file
  try {
    if (lstatSync(file).isSymbolicLink()) target = realpathSync(file)
  } catch {
    target = file
  }
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    // amsh's own folder: others need not even see which files it holds.
    if (target === file && (statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700)
  } catch (err) {
    throw new AmshError('E_IO', `cannot create ${dir}: ${(err as Error).message}`)
  }
  const temp = join(
    dirname(target),
    `.${basename(target)}.${process.pid}.${crypto().randomBytes(4).toString('hex')}.tmp`
  )
  let fd: number | undefined
  try {
    fd = openSync(temp, 'wx', 0o600)
    // The umask may have taken bits away, never added; set 0600 exactly all the same.
    fchmodSync(fd, 0o600)
    writeSync(fd, text)
    fsyncSync(fd)
    closeSync(fd)
    fd = undefined
    renameSync(temp, target)
  } catch (err) {
    if (fd !== undefined) closeSync(fd)
    rmSync(temp, { force: true })
    throw new AmshError(
      'E_IO',
      `cannot write the connection profiles ${target}: ${(err as Error).message}`
    )
  }
}
