import { resolve } from 'node:path'
import { AmshError } from '../../errors.ts'
import { readUserFile } from '../../files.ts'
import { expandHome } from '../../paths.ts'
import {
  AmsterKeyLogin,
  BearerToken,
  PasswordLogin,
  ServiceAccount,
  type Credentials,
} from './auth.ts'

// Which of AM's ways of logging in a `connect` (or a saved profile) names, and the credentials
// for it: a Bearer token, a service account, a password (asked for at a terminal when none is
// given), or Amster's key login, which is what Amster does when nothing else is said.

/** What a connection says about logging in. */
export interface LoginRequest {
  interactive: boolean
  privateKey?: string
  username?: string
  passwordEnv?: string
  passwordFile?: string
  tokenEnv?: string
  saId?: string
  saJwkFile?: string
  journey?: string
  /** Only from a profile stored with --store-password-insecurely; never typed on a line. */
  password?: string
}

/** Asks the person at the terminal; hidden answers are not echoed. */
export type Ask = (question: string, hidden: boolean) => Promise<string>

function fromEnv(env: NodeJS.ProcessEnv, name: string, what: string): string {
  const value = env[name]
  if (value === undefined || value === '') {
    throw new AmshError('E_USAGE', `connect: the environment variable ${name} (${what}) is not set`)
  }
  return value
}

/** The one way of logging in the options name; Amster's key login when they name none. */
export async function credentials(
  request: LoginRequest,
  baseDir: string,
  env: NodeJS.ProcessEnv,
  ask: Ask | undefined
): Promise<Credentials> {
  const ways = [
    request.privateKey !== undefined && '-k',
    request.interactive && '-i',
    (request.username !== undefined ||
      request.passwordEnv !== undefined ||
      request.passwordFile !== undefined) &&
      '--username',
    request.tokenEnv !== undefined && '--token-env',
    (request.saId !== undefined || request.saJwkFile !== undefined) && '--sa-id',
  ].filter((way): way is string => way !== false)
  if (ways.length > 1) {
    throw new AmshError('E_USAGE', `connect: choose one way to log in, not ${ways.join(' and ')}`)
  }
  if (request.tokenEnv !== undefined) {
    return new BearerToken(fromEnv(env, request.tokenEnv, 'the token'))
  }
  if (request.saId !== undefined || request.saJwkFile !== undefined) {
    if (request.saId === undefined || request.saJwkFile === undefined) {
      throw new AmshError(
        'E_USAGE',
        'connect: a service account needs both --sa-id and --sa-jwk-file'
      )
    }
    return new ServiceAccount(request.saId, resolve(baseDir, request.saJwkFile))
  }
  if (request.password !== undefined) {
    return new PasswordLogin(request.username ?? 'amadmin', request.password, request.journey)
  }
  if (request.interactive) {
    if (!ask) {
      throw new AmshError(
        'E_USAGE',
        'connect -i asks for a password, but there is no terminal to ask on; use --password-env or --password-file'
      )
    }
    const username = request.username ?? ((await ask('User Name: ', false)) || 'amadmin')
    return new PasswordLogin(username, await ask('Password: ', true), request.journey)
  }
  if (
    request.username !== undefined ||
    request.passwordEnv !== undefined ||
    request.passwordFile !== undefined
  ) {
    const username = request.username ?? 'amadmin'
    if (request.passwordEnv !== undefined && request.passwordFile !== undefined) {
      throw new AmshError('E_USAGE', 'connect: give --password-env or --password-file, not both')
    }
    let password: string
    if (request.passwordEnv !== undefined) {
      password = fromEnv(env, request.passwordEnv, 'the password')
    } else if (request.passwordFile !== undefined) {
      password = readUserFile(resolve(baseDir, request.passwordFile), 'password file').replace(
        /\r?\n$/,
        ''
      )
    } else if (ask) {
      password = await ask('Password: ', true)
    } else {
      throw new AmshError(
        'E_USAGE',
        'connect --username needs --password-env <VAR> or --password-file <file> outside a terminal'
      )
    }
    return new PasswordLogin(username, password, request.journey)
  }
  return new AmsterKeyLogin(resolve(baseDir, request.privateKey ?? expandHome('~/.ssh', env)))
}
