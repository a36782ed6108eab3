import type { Verb } from './types.ts'
import { checkOptions, checkedBody, idOption, targetOf } from './common.ts'

export const create: Verb = {
  name: 'create',
  alias: 'c',
  summary: 'Create an entity',
  usage: 'create <Entity> --realm <path> [--id <id>] --body <json|@file>',
  takesEntity: true,
  options: [
    {
      name: 'id',
      type: 'string',
      help: 'the id of the new entity (the server makes one up when left out)',
    },
    {
      name: 'body',
      type: 'string',
      value: 'json|@file',
      help: 'the entity as JSON, inline or @file.json',
    },
  ],
  async run(invocation, ctx) {
    checkOptions(this, invocation)
    const { target, def } = targetOf(invocation, 'create')
    const id = idOption(invocation, target.entity, false)
    const body = await checkedBody(invocation, target, def, 'create', ctx, true)
    return ctx.transport.create(target, body!, id || undefined)
  },
}
