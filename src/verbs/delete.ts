import type { Verb } from './types.ts'
import { checkOptions, idOption, targetOf } from './common.ts'

export const del: Verb = {
  name: 'delete',
  alias: 'd',
  summary: 'Delete an entity by its id',
  usage: 'delete <Entity> --realm <path> --id <id>',
  takesEntity: true,
  options: [{ name: 'id', type: 'string', help: 'the id of the entity' }],
  async run(invocation, ctx) {
    checkOptions(this, invocation)
    const { target } = targetOf(invocation, 'delete')
    return ctx.transport.delete(target, idOption(invocation, target.entity, true))
  },
}
