import { kindOf } from '../kinds/index.ts'
import type { LoadedBody } from '../kinds/types.ts'
import type { Verb } from './types.ts'
import { askedBody } from './field-prompts.ts'
import { settableFields } from './schema-fields.ts'
import { bodyContext, checkOptions, checkedBody, idOption, targetOf } from './common.ts'

export const create: Verb = {
  name: 'create',
  alias: 'c',
  summary: 'Create an entity',
  usage: 'create <Entity> --realm <path> [--id <id>] --body <json|@file>',
  details:
    'At the am> prompt, a create without --body asks for each field its JSON Schema names, in order: its description, type, allowed values and default; a wrong answer is asked again, and Ctrl-C abandons the create with nothing saved.',
  takesEntity: true,
  options: [
    {
      name: 'id',
      type: 'string',
      help: 'the id of the new entity (the server makes one up when left out)',
    },
    {
      name: 'body',
      type: 'string',
      value: 'json|@file',
      help: 'the entity as JSON, inline or @file.json (left out at the prompt: asked field by field)',
    },
  ],
  async run(invocation, ctx) {
    checkOptions(this, invocation)
    const { target, def } = targetOf(invocation, 'create')
    const id = idOption(invocation, target.entity, false)
    let start
    if (invocation.options.body === undefined && ctx.ask && def.schema) {
      // What the options fill in (--scriptFile's source) is not asked for.
      const bodyCtx = bodyContext(target, 'create', invocation, ctx)
      const kind = kindOf(target.entity)
      const empty: LoadedBody = { body: {}, origin: 'script' }
      const filled = kind.assemble ? kind.assemble(empty, bodyCtx) : empty
      const fields = settableFields(def.schema, target.entity, id === undefined)
      start = await askedBody({ ask: ctx.ask, notify: ctx.notify }, filled, fields, def, bodyCtx)
    }
    const body = await checkedBody(invocation, target, def, 'create', ctx, true, start)
    return ctx.transport.create(target, body!, id || undefined)
  },
}
