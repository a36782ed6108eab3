import { resolve } from 'node:path'
import { AmshError } from '../../errors.ts'
import { readUserFile } from '../../files.ts'
import { SCRIPT_SCOPES, type ClientCredentials } from './token.ts'

// How a `connect jans` (or a saved profile with "flavour": "jans") names its OAuth client: the
// id on the line, the secret only by reference (an environment variable or a file), so that it
// is in no history, batch file or profile.

export interface JansLoginRequest {
  clientId?: string
  clientSecretEnv?: string
  clientSecretFile?: string
}

/** The client and its secret; the scopes are those of the custom scripts resource. */
export function clientCredentials(
  request: JansLoginRequest,
  baseDir: string,
  env: NodeJS.ProcessEnv
): ClientCredentials {
  const { clientId, clientSecretEnv, clientSecretFile } = request
  if (clientId === undefined || clientId === '') {
    throw new AmshError(
      'E_USAGE',
      'connect jans needs --client-id <id> and --client-secret-env <VAR> or --client-secret-file <file>'
    )
  }
  if (clientSecretEnv !== undefined && clientSecretFile !== undefined) {
    throw new AmshError(
      'E_USAGE',
      'connect jans: give --client-secret-env or --client-secret-file, not both'
    )
  }
  let clientSecret: string
  if (clientSecretEnv !== undefined) {
    const value = env[clientSecretEnv]
    if (value === undefined || value === '') {
      throw new AmshError(
        'E_USAGE',
        `connect: the environment variable ${clientSecretEnv} (the client secret) is not set`
      )
    }
    clientSecret = value
  } else if (clientSecretFile !== undefined) {
    clientSecret = readUserFile(resolve(baseDir, clientSecretFile), 'client secret file').replace(
      /\r?\n$/,
      ''
    )
  } else {
    throw new AmshError(
      'E_USAGE',
      `connect jans --client-id ${clientId} needs the secret: --client-secret-env <VAR> or --client-secret-file <file>`
    )
  }
  return { clientId, clientSecret, scopes: SCRIPT_SCOPES }
}
