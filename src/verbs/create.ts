import type { Verb } from './types.ts'
import { checkOptions, checkedWrite } from './common.ts'

export const create: Verb = {
  name: 'create',
  summary: 'Create an entity',
  usage: 'create <Entity> --realm <path> [--id <id>] --body <json|@file> [--scriptFile <path>]',
  options: {
    id: 'the id of the new entity (the server makes one up when left out)',
    body: 'the entity as JSON, inline or @file.json',
    scriptFile: 'a script source file: becomes the base64 "script" of the body',
    skipSourceCheck: 'store the script even if amsh cannot parse its source',
  },
  async run(invocation, ctx) {
    checkOptions(this, invocation)
    const { target, id, body } = await checkedWrite(invocation, ctx, 'create')
    return ctx.transport.create(target, body, id)
  },
}
