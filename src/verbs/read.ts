import type { Verb } from './types.ts'
import { checkOptions, ITEM_OPTIONS, itemId, targetOf, VIEW_OPTIONS } from './common.ts'

export const read: Verb = {
  name: 'read',
  alias: 'r',
  summary: 'Read an entity by its id (a singleton without one)',
  usage: 'read <Entity> --realm <path> --id <id> | --name <name> [--decode]',
  takesEntity: true,
  options: [...ITEM_OPTIONS, ...VIEW_OPTIONS],
  async run(invocation, ctx) {
    checkOptions(this, invocation)
    const { target } = targetOf(invocation, 'read')
    return ctx.transport.read(target, await itemId(invocation, target, ctx))
  },
}
