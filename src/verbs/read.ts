import type { Verb } from './types.ts'
import { checkOptions, stringOption, targetOf } from './common.ts'

export const read: Verb = {
  name: 'read',
  summary: 'Read an entity by its id',
  usage: 'read <Entity> --realm <path> --id <id>',
  options: { id: 'the id of the entity' },
  async run(invocation, ctx) {
    checkOptions(this, invocation)
    const { target } = targetOf(invocation, 'read')
    return ctx.transport.read(target, stringOption(invocation, 'id', true))
  },
}
