import { didYouMean } from '../did-you-mean.ts'
import { AmshError } from '../errors.ts'
import type { Verb } from './types.ts'
import { checkedBody, optionsOf, resolveTarget, stringOption } from './common.ts'

export const action: Verb = {
  name: 'action',
  alias: 'a',
  summary: 'Run an action of an entity (Scripts: validate, createGlobal)',
  usage:
    'action <Entity> --realm <path> --actionName <name> [--body <json|@file>] [--<input> <value>...]',
  takesEntity: true,
  options: [
    { name: 'actionName', type: 'string', help: 'the action to run' },
    {
      name: 'body',
      type: 'string',
      value: 'json|@file',
      help: "the action's input as JSON, inline or @file.json",
    },
  ],
  extraOptions: true,
  async run(invocation, ctx) {
    const { target, offers } = resolveTarget(invocation)
    const name = stringOption(invocation, 'actionName', true)
    const actions = offers.actions ?? {}
    const def = actions[name]
    if (!def) {
      const known = Object.keys(actions)
      throw new AmshError(
        'E_USAGE',
        `${target.entity.name} has no action "${name}"${didYouMean(name, known)}; its actions: ${known.join(', ') || 'none'}`
      )
    }
    // Options the verb and the entity's kind consume; any other --name value is an input of the action.
    const own = new Set(optionsOf(this, target.entity).map((option) => option.name))
    const params: Record<string, string> = {}
    for (const [option, value] of Object.entries(invocation.options)) {
      if (own.has(option)) continue
      if (value === true) throw new AmshError('E_USAGE', `--${option} needs a value`)
      params[option] = value
    }
    const body = await checkedBody(invocation, target, def, name, ctx, def.schema !== undefined)
    return ctx.transport.action(target, name, body, params)
  },
}
