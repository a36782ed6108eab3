import yargsParser from 'yargs-parser'
import { AmshError } from '../errors.ts'
import type { CommandScope } from './invocation.ts'
import { tokenize } from './tokenize.ts'

// `connect`, as Amster writes it (`connect [-i] [-k <key>] [-t <s>] <baseurl>`, options and URL
// in any order), plus amsh's own ways to log in and `connect local[:<path>]`.

export interface ConnectRequest {
  /** `https://am.example.com/am`, or `local` / `local:<path>`; absent with --profile. */
  target: string | undefined
  interactive: boolean
  privateKey?: string
  timeoutSeconds?: number
  username?: string
  passwordEnv?: string
  passwordFile?: string
  tokenEnv?: string
  saId?: string
  saJwkFile?: string
  profile?: string
  journey?: string
  caFile?: string
  insecure: boolean
  /** Only from a profile stored with --store-password-insecurely; never typed on a line. */
  password?: string
}

const VALUE_OPTIONS = {
  'private-key': 'privateKey',
  'connection-timeout': 'timeoutSeconds',
  username: 'username',
  'password-env': 'passwordEnv',
  'password-file': 'passwordFile',
  'token-env': 'tokenEnv',
  'sa-id': 'saId',
  'sa-jwk-file': 'saJwkFile',
  profile: 'profile',
  journey: 'journey',
  'ca-file': 'caFile',
} as const satisfies Record<string, keyof ConnectRequest>

const FLAGS = ['interactive', 'insecure']

/** How a field of the request is written on a `connect` line, for messages. */
export function connectOption(field: keyof ConnectRequest): string {
  if (field === 'target') return 'a URL'
  const option = Object.entries(VALUE_OPTIONS).find(([, name]) => name === field)?.[0]
  return `--${option ?? field}`
}

export const CONNECT_USAGE = `usage: connect [options] <baseurl>      e.g. connect https://am.example.com/am -k ~/.ssh/amster_rsa
       connect local[:<store file>]     back to the local store
  -k, --private-key <file|dir>  Amster key login (default: amster_rsa, id_rsa or id_ecdsa in ~/.ssh)
  -i, --interactive             ask for a user name and password
  -t, --connection-timeout <s>  seconds to wait for the server (default 10)
  --username <name> --password-env <VAR> | --password-file <file>   [--journey <tree>]
  --token-env <VAR>             a Bearer token from the environment
  --sa-id <id> --sa-jwk-file <file>   an Identity Cloud service account
  --profile <name>              a saved connection (amsh profile --help)
  --ca-file <pem>  --insecure   TLS: trust a private CA, or (loudly) trust anything`

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

/**
 * A `connect` line. As in Amster scripts (`connect amUrl -k amsterKey`), a bare word that names
 * a variable of the session stands for its value, the URL included.
 */
export function parseConnectLine(line: string, scope: CommandScope): ConnectRequest {
  const result = tokenize(line, scope.expand)
  if (!result.complete) throw new AmshError('E_PARSE', `incomplete command: ${result.why}`)
  const words = result.words
    .slice(1)
    .map((word) =>
      word.bare && IDENTIFIER.test(word.text) ? (scope.variable(word.text) ?? word.text) : word.text
    )
  return parseConnect(words)
}

export function parseConnect(words: string[]): ConnectRequest {
  const parsed = yargsParser.detailed(words, {
    boolean: FLAGS,
    string: Object.keys(VALUE_OPTIONS),
    alias: { interactive: ['i'], 'private-key': ['k'], 'connection-timeout': ['t'] },
    configuration: {
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'camel-case-expansion': false,
      'dot-notation': false,
      'boolean-negation': false,
      'duplicate-arguments-array': false,
      'strip-aliased': true,
      'unknown-options-as-args': true,
    },
  })
  if (parsed.error) throw new AmshError('E_PARSE', `connect: ${parsed.error.message}`)
  const { _: positionals, ...named } = parsed.argv
  const unknown = positionals.map(String).find((word) => word.startsWith('-'))
  if (unknown) {
    throw new AmshError('E_USAGE', `connect: unknown option ${unknown}\n${CONNECT_USAGE}`)
  }
  if (positionals.length > 1) {
    throw new AmshError(
      'E_USAGE',
      `connect takes one URL, not ${positionals.length} (${positionals.join(' ')})\n${CONNECT_USAGE}`
    )
  }
  const request: ConnectRequest = {
    target: positionals[0] === undefined ? undefined : String(positionals[0]),
    interactive: named.interactive === true,
    insecure: named.insecure === true,
  }
  for (const [option, field] of Object.entries(VALUE_OPTIONS)) {
    const value = named[option] as string | undefined
    if (value === undefined) continue
    if (value === '') throw new AmshError('E_USAGE', `connect: --${option} needs a value`)
    if (field === 'timeoutSeconds') {
      if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) {
        throw new AmshError('E_USAGE', `connect: -t takes a number of seconds, not "${value}"`)
      }
      request.timeoutSeconds = Number(value)
    } else {
      request[field] = value
    }
  }
  if (request.target === undefined && request.profile === undefined) {
    throw new AmshError('E_USAGE', `connect needs a URL or --profile\n${CONNECT_USAGE}`)
  }
  return request
}
