import type { Verb } from './types.ts'
import { checkOptions, stringOption, targetOf } from './common.ts'

export const del: Verb = {
  name: 'delete',
  summary: 'Delete an entity by its id',
  usage: 'delete <Entity> --realm <path> --id <id>',
  options: { id: 'the id of the entity' },
  async run(invocation, ctx) {
    checkOptions(this, invocation)
    const { target } = targetOf(invocation, 'delete')
    return ctx.transport.delete(target, stringOption(invocation, 'id', true))
  },
}
