import type { Verb } from './types.ts'
import {
  checkOptions,
  checkedBody,
  ITEM_OPTIONS,
  itemId,
  stringOption,
  targetOf,
} from './common.ts'

export const update: Verb = {
  name: 'update',
  alias: 'u',
  summary: 'Replace an entity (the whole body)',
  usage:
    'update <Entity> --realm <path> --id <id> | --name <name> --body <json|@file> [--rev <revision>]',
  takesEntity: true,
  options: [
    ...ITEM_OPTIONS,
    {
      name: 'body',
      type: 'string',
      value: 'json|@file',
      help: 'the whole entity as JSON, inline or @file.json',
    },
    {
      name: 'rev',
      type: 'string',
      help: 'replace it only if it is still at this revision (its _rev): a change made since fails with E_STALE',
    },
  ],
  async run(invocation, ctx) {
    checkOptions(this, invocation)
    const { target, def } = targetOf(invocation, 'update')
    const id = await itemId(invocation, target, ctx)
    const rev = stringOption(invocation, 'rev')
    const body = await checkedBody(invocation, target, def, 'update', ctx, true)
    return ctx.transport.update(target, id, body!, rev === undefined ? undefined : { rev })
  },
}
