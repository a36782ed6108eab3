import { AmshError } from '../errors.ts'
import type { JsonObject } from '../json.ts'
import { kindOf } from '../kinds/index.ts'
import type { Verb } from './types.ts'
import { withFieldsSet, writeFields } from './set-fields.ts'
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
    'update <Entity> --realm <path> --id <id> | --name <name> --body <json|@file> | --set field=value... [--rev <revision>]',
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
      name: 'set',
      type: 'string',
      value: 'field=value',
      repeatable: true,
      help: 'change one field and keep the rest (repeatable): the item is read, changed and written back at the revision read',
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
    const sets = invocation.lists?.set
    const bodyless = invocation.options.body === undefined
    // A kind's value option alone (--scriptFile) changes what it fills in, the rest as it is.
    const filled = (kindOf(target.entity).options ?? []).some(
      (option) =>
        option.type === 'string' &&
        option.verbs.includes('update') &&
        invocation.options[option.name] !== undefined
    )
    if (!sets && !(bodyless && filled)) {
      const body = (await checkedBody(invocation, target, def, 'update', ctx, true))!
      return ctx.transport.update(target, id, body, rev === undefined ? undefined : { rev })
    }
    if (!bodyless) {
      throw new AmshError('E_USAGE', 'give --body (the whole item) or --set (one field), not both')
    }
    // The item as it is, changed, written back. Scripts show no revision to write at, so where
    // the transport can, the read and the write are one transaction: a change another process
    // makes in between waits for it, rather than being overwritten unseen.
    const changeFields = async () => {
      const current = await ctx.transport.read(target, id)
      const set = sets ? withFieldsSet(current, sets, def.schema, target.entity.name) : undefined
      const start = set?.item ?? current
      const body = (await checkedBody(invocation, target, def, 'update', ctx, true, start))!
      return writeFields(ctx.transport, target, id, current, body, set?.fields ?? [], rev)
    }
    if (!ctx.transport.atomic) return changeFields()
    let written: JsonObject | undefined
    await ctx.transport.atomic(async () => {
      written = await changeFields()
      return true
    })
    return written!
  },
}
