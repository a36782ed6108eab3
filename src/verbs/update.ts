import type { Verb } from './types.ts'
import { checkOptions, checkedWrite } from './common.ts'

export const update: Verb = {
  name: 'update',
  summary: 'Replace an entity (the whole body)',
  usage: 'update <Entity> --realm <path> --id <id> --body <json|@file> [--scriptFile <path>]',
  options: {
    id: 'the id of the entity',
    body: 'the whole entity as JSON, inline or @file.json',
    scriptFile: 'a script source file: becomes the base64 "script" of the body',
    skipSourceCheck: 'store the script even if amsh cannot parse its source',
  },
  async run(invocation, ctx) {
    checkOptions(this, invocation)
    const { target, id, body } = await checkedWrite(invocation, ctx, 'update')
    return ctx.transport.update(target, id!, body)
  },
}
