import { AmshError } from '../errors.ts'
import type { LoginRequest } from '../transport/am/login.ts'
import type { JansLoginRequest } from '../transport/jans/login.ts'
import { parseInvocation, type Grammar } from './invocation.ts'
import type { OptionSpec } from './options.ts'

// `connect`, as Amster writes it (`connect [-i] [-k <key>] [-t <s>] <baseurl>`, options and URL
// in any order), plus amsh's own ways to log in, `connect local[:<path>]`, and a server of
// another wire flavour named before its URL (`connect jans https://jans.example.com ...`).

/** The wire flavours a server may be named with; a bare URL is AM's. */
export const SERVER_FLAVOURS = ['am', 'jans'] as const
export type ServerFlavour = (typeof SERVER_FLAVOURS)[number]

/** Where to connect, and how to log in there (the AM or Janssen transport's login request). */
export interface ConnectRequest extends LoginRequest, JansLoginRequest {
  /** `https://am.example.com/am`, or `local` / `local:<path>`; absent with --profile. */
  target: string | undefined
  /** The server's wire flavour when the line names one (`connect jans <url>`); AM's otherwise. */
  flavour?: ServerFlavour
  timeoutSeconds?: number
  profile?: string
  caFile?: string
  insecure: boolean
}

/** A connect option, with the field of the request it fills. */
type ConnectOption = OptionSpec & { field: keyof ConnectRequest }

/** connect's options, as the verb registry declares them. */
export const CONNECT_OPTIONS: readonly ConnectOption[] = [
  {
    name: 'private-key',
    field: 'privateKey',
    type: 'string',
    aliases: ['k'],
    value: 'file|dir',
    help: 'Amster key login (default: amster_rsa, id_rsa or id_ecdsa in ~/.ssh)',
  },
  {
    name: 'interactive',
    field: 'interactive',
    type: 'boolean',
    aliases: ['i'],
    help: 'ask for a user name and password',
  },
  {
    name: 'connection-timeout',
    field: 'timeoutSeconds',
    type: 'string',
    aliases: ['t'],
    value: 's',
    help: 'seconds to wait for the server (default 10)',
  },
  {
    name: 'username',
    field: 'username',
    type: 'string',
    value: 'name',
    help: 'log in as this user, with:',
  },
  {
    name: 'password-env',
    field: 'passwordEnv',
    type: 'string',
    value: 'VAR',
    help: 'the password from an environment variable',
  },
  {
    name: 'password-file',
    field: 'passwordFile',
    type: 'string',
    value: 'file',
    help: 'the password from a file',
  },
  {
    name: 'journey',
    field: 'journey',
    type: 'string',
    value: 'tree',
    help: 'log in through this journey',
  },
  {
    name: 'token-env',
    field: 'tokenEnv',
    type: 'string',
    value: 'VAR',
    help: 'a Bearer token from the environment',
  },
  {
    name: 'sa-id',
    field: 'saId',
    type: 'string',
    value: 'id',
    help: 'an Identity Cloud service account, with:',
  },
  {
    name: 'sa-jwk-file',
    field: 'saJwkFile',
    type: 'string',
    value: 'file',
    help: "the service account's private JWK",
  },
  {
    name: 'client-id',
    field: 'clientId',
    type: 'string',
    value: 'id',
    help: 'connect jans: the OAuth client (client_credentials), with:',
  },
  {
    name: 'client-secret-env',
    field: 'clientSecretEnv',
    type: 'string',
    value: 'VAR',
    help: "the client's secret from an environment variable",
  },
  {
    name: 'client-secret-file',
    field: 'clientSecretFile',
    type: 'string',
    value: 'file',
    help: "the client's secret from a file",
  },
  {
    name: 'profile',
    field: 'profile',
    type: 'string',
    value: 'name',
    help: 'a saved connection (amsh profile --help)',
  },
  {
    name: 'ca-file',
    field: 'caFile',
    type: 'string',
    value: 'pem',
    help: 'TLS: trust a private CA',
  },
  {
    name: 'insecure',
    field: 'insecure',
    type: 'boolean',
    help: 'TLS: (loudly) trust any certificate',
  },
]

/** How a field of the request is written on a `connect` line, for messages. */
export function connectOption(field: keyof ConnectRequest): string {
  if (field === 'target') return 'a URL'
  if (field === 'flavour') return 'a flavour'
  const option = CONNECT_OPTIONS.find((spec) => spec.field === field)?.name
  return `--${option ?? field}`
}

export const CONNECT_USAGE = `usage: connect [options] <baseurl>      e.g. connect https://am.example.com/am -k ~/.ssh/amster_rsa
       connect jans <baseurl> --client-id <id> --client-secret-env <VAR>   a Janssen server
       connect local[:<store file>]     back to the local store`

/** The request a parsed `connect` line makes, checked. */
export function connectRequest(
  options: Record<string, string | true>,
  args: readonly string[]
): ConnectRequest {
  const known = new Set(CONNECT_OPTIONS.map((option) => option.name))
  const unknown = Object.keys(options).find((name) => !known.has(name))
  if (unknown !== undefined) {
    throw new AmshError('E_USAGE', `connect: unknown option --${unknown}\n${CONNECT_USAGE}`)
  }
  const named = SERVER_FLAVOURS.find((flavour) => flavour === args[0])
  const urls = named === undefined ? args : args.slice(1)
  if (urls.length > 1) {
    throw new AmshError(
      'E_USAGE',
      `connect takes one URL, not ${urls.length} (${urls.join(' ')})\n${CONNECT_USAGE}`
    )
  }
  if (named !== undefined && urls.length === 0) {
    throw new AmshError(
      'E_USAGE',
      `connect ${named} needs the server's base URL, e.g. connect ${named} ${named === 'jans' ? 'https://jans.example.com' : 'https://am.example.com/am'}\n${CONNECT_USAGE}`
    )
  }
  const request: ConnectRequest = { target: urls[0], interactive: false, insecure: false }
  if (named !== undefined) request.flavour = named
  const fields = request as unknown as Record<string, string | number | boolean | undefined>
  for (const { name, field, type } of CONNECT_OPTIONS) {
    const value = options[name]
    if (type === 'boolean') {
      fields[field] = value === true
      continue
    }
    if (value === undefined) continue
    if (value === true || value === '') {
      throw new AmshError('E_USAGE', `connect: --${name} needs a value`)
    }
    if (field === 'timeoutSeconds') {
      if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) {
        throw new AmshError('E_USAGE', `connect: -t takes a number of seconds, not "${value}"`)
      }
      request.timeoutSeconds = Number(value)
    } else {
      fields[field] = value
    }
  }
  if (request.target === undefined && request.profile === undefined) {
    throw new AmshError('E_USAGE', `connect needs a URL or --profile\n${CONNECT_USAGE}`)
  }
  checkLoginFits(request)
  return request
}

/** AM's ways of logging in, which a Janssen client cannot use, and the other way round. */
const AM_LOGIN: readonly (keyof ConnectRequest)[] = [
  'privateKey',
  'interactive',
  'username',
  'passwordEnv',
  'passwordFile',
  'journey',
  'tokenEnv',
  'saId',
  'saJwkFile',
]
const JANS_LOGIN: readonly (keyof ConnectRequest)[] = [
  'clientId',
  'clientSecretEnv',
  'clientSecretFile',
]

/** Refuses login options of the other flavour, which would otherwise be silently ignored. */
function checkLoginFits(request: ConnectRequest): void {
  const given = (fields: readonly (keyof ConnectRequest)[]) =>
    fields.filter((field) => request[field] !== undefined && request[field] !== false)
  if (request.flavour === 'jans') {
    const wrong = given(AM_LOGIN)
    if (wrong.length > 0) {
      throw new AmshError(
        'E_USAGE',
        `connect jans logs in as an OAuth client (--client-id with --client-secret-env or --client-secret-file), not with ${wrong.map(connectOption).join(', ')}`
      )
    }
    return
  }
  const wrong = given(JANS_LOGIN)
  if (wrong.length > 0 && request.profile === undefined) {
    throw new AmshError(
      'E_USAGE',
      `${wrong.map(connectOption).join(', ')} ${wrong.length > 1 ? 'are' : 'is'} for a Janssen server: connect jans <baseurl> --client-id <id> --client-secret-env <VAR>`
    )
  }
}

const GRAMMAR: Grammar = {
  verb: 'connect',
  takesEntity: false,
  options: CONNECT_OPTIONS,
  positionals: Number.MAX_SAFE_INTEGER,
}

/** The words after `connect` (a profile's stored form of them too) as a request. */
export function parseConnect(words: string[]): ConnectRequest {
  const invocation = parseInvocation(
    [{ text: 'connect', bare: true }, ...words.map((text) => ({ text, bare: false }))],
    () => GRAMMAR
  )
  return connectRequest(invocation.options, invocation.args ?? [])
}
