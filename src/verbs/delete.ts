import type { Verb } from './types.ts'
import { kindOf } from '../kinds/index.ts'
import { checkOptions, confirmed, ITEM_OPTIONS, itemId, targetOf } from './common.ts'

export const del: Verb = {
  name: 'delete',
  alias: 'd',
  summary: 'Delete an entity by its id',
  usage: 'delete <Entity> --realm <path> --id <id> | --name <name> [--yes]',
  takesEntity: true,
  options: [
    ...ITEM_OPTIONS,
    {
      name: 'yes',
      type: 'boolean',
      help: 'delete without asking, for entities whose deletes are confirmed (needed in a batch)',
    },
  ],
  async run(invocation, ctx) {
    checkOptions(this, invocation)
    const { target } = targetOf(invocation, 'delete')
    const id = await itemId(invocation, target, ctx)
    if (kindOf(target.entity).confirmDelete) {
      const what = `this deletes ${target.entity.name} ${id}`
      await confirmed(ctx, what, invocation.options.yes === true)
    }
    return ctx.transport.delete(target, id)
  },
}
