import { didYouMean } from '../did-you-mean.ts'
import { AmshError } from '../errors.ts'
import type { Verb } from './types.ts'
import { checkBody, checkScriptSource, loadBody, resolveTarget, stringOption } from './common.ts'

export const action: Verb = {
  name: 'action',
  summary: 'Run an action of an entity (Scripts: validate, createGlobal)',
  usage:
    'action <Entity> --realm <path> --actionName <name> [--body <json|@file>] [--scriptFile <path>] [--<input> <value>...]',
  options: {
    actionName: 'the action to run',
    body: "the action's input as JSON, inline or @file.json",
    scriptFile: 'a script source file: becomes the base64 "script" of the body',
    skipSourceCheck: 'createGlobal: store the script even if amsh cannot parse its source',
  },
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
    // Options the verb consumes itself; any other --name value is an input of the action.
    const own = new Set(['realm', 'global', ...Object.keys(this.options)])
    const params: Record<string, string> = {}
    for (const [option, value] of Object.entries(invocation.options)) {
      if (own.has(option)) continue
      if (value === true) throw new AmshError('E_USAGE', `--${option} needs a value`)
      params[option] = value
    }
    const loaded = await loadBody(invocation, ctx, def.schema !== undefined)
    if (loaded) {
      await checkBody(target, def.schema, loaded, ctx)
      // validate reports syntax errors as its result; an action that stores a script must not.
      if (def.mutates) await checkScriptSource(target, loaded, invocation)
    }
    return ctx.transport.action(target, name, loaded?.body, params)
  },
}
