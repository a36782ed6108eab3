import { AmshError } from '../errors.ts'
import type { LoginRequest } from '../transport/am/login.ts'
import { parseInvocation, type Grammar } from './invocation.ts'
import type { OptionSpec } from './options.ts'

// `connect`, as Amster writes it (`connect [-i] [-k <key>] [-t <s>] <baseurl>`, options and URL
// in any order), plus amsh's own ways to log in and `connect local[:<path>]`.

/** Where to connect, and how to log in there (the AM transport's LoginRequest). */
export interface ConnectRequest extends LoginRequest {
  /** `https://am.example.com/am`, or `local` / `local:<path>`; absent with --profile. */
  target: string | undefined
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
  const option = CONNECT_OPTIONS.find((spec) => spec.field === field)?.name
  return `--${option ?? field}`
}

export const CONNECT_USAGE = `usage: connect [options] <baseurl>      e.g. connect https://am.example.com/am -k ~/.ssh/amster_rsa
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
  if (args.length > 1) {
    throw new AmshError(
      'E_USAGE',
      `connect takes one URL, not ${args.length} (${args.join(' ')})\n${CONNECT_USAGE}`
    )
  }
  const request: ConnectRequest = { target: args[0], interactive: false, insecure: false }
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
  return request
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
