import type { Verb } from './types.ts'
import { checkOptions, idOption, targetOf } from './common.ts'

export const read: Verb = {
  name: 'read',
  alias: 'r',
  summary: 'Read an entity by its id (a singleton without one)',
  usage: 'read <Entity> --realm <path> --id <id>',
  takesEntity: true,
  options: [{ name: 'id', type: 'string', help: 'the id of the entity' }],
  async run(invocation, ctx) {
    checkOptions(this, invocation)
    const { target } = targetOf(invocation, 'read')
    return ctx.transport.read(target, idOption(invocation, target.entity, true))
  },
}
