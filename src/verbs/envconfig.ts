import { resolve } from 'node:path'
import { AmshError } from '../errors.ts'
import { checkOptions } from './common.ts'
import type { Verb } from './types.ts'

export const envconfig: Verb = {
  name: 'envconfig',
  summary: "Load values for import-config's &{expressions} from .json and .properties files",
  usage: 'envconfig <dir|file>',
  takesEntity: false,
  options: [],
  positionals: 1,
  details:
    'A folder gives all its .json files (nested objects as dotted names) and .properties files. An expression takes its value from, strongest first: the environment (SMTP_PORT for smtp.port), a variable of the session (smtpPort), -D smtp.port=..., then these files.',
  async run(invocation, ctx) {
    checkOptions(this, invocation)
    const path = invocation.args?.[0]
    if (path === undefined)
      throw new AmshError('E_USAGE', 'envconfig needs a folder or a file: envconfig <dir|file>')
    const { loadExpressionFiles } = await import('../migrate/expressions.ts')
    const loaded = loadExpressionFiles(resolve(ctx.baseDir, path))
    for (const [token, value] of loaded) ctx.expressions.files.set(token, value)
    return { loaded: loaded.size, from: resolve(ctx.baseDir, path) }
  },
}
