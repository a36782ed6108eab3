import type { EntityDef } from '../catalog/catalog.ts'
import { AmshError } from '../errors.ts'
import type { JsonObject } from '../json.ts'
import { kindOf } from '../kinds/index.ts'
import type { LoadedBody } from '../kinds/types.ts'
import type { Verb } from './types.ts'
import { askField, canonical, problemsOf, shown, type Prompter } from './field-prompts.ts'
import { settableFields, type Field } from './schema-fields.ts'
import { editSource } from './edit-source.ts'
import { writeFields } from './set-fields.ts'
import { bodyContext, checkOptions, ITEM_OPTIONS, itemId, targetOf } from './common.ts'

// The Janssen CLI's field editor, for any entity with an update schema: the item is read once,
// changed field by field in memory, and written back at `s` as one change of the fields that
// differ (a JSON Patch where the server takes one, else the whole item at the revision read).

const MENU = '«q: quit, v: view, s: save, l: list fields, #: edit field #»'

function changedFields(current: JsonObject, edited: JsonObject, fields: readonly Field[]) {
  return fields
    .map((field) => field.name)
    .filter((name) => JSON.stringify(current[name]) !== JSON.stringify(edited[name]))
}

function lineCount(text: string): number {
  return text === '' ? 0 : text.replace(/\n$/, '').split('\n').length
}

/** The item as `v` shows it: its JSON, with a source shown as the text it is, below. */
function view(body: JsonObject, target: EntityDef): string[] {
  const source = kindOf(target).source
  const text = source?.read(body)?.text
  if (!source || text === undefined) return [JSON.stringify(body, null, 2)]
  const placeholder = { ...body, [source.field]: `(${lineCount(text)} lines, shown below)` }
  return [JSON.stringify(placeholder, null, 2), `${source.field}:`, text]
}

function listing(body: JsonObject, fields: readonly Field[], target: EntityDef) {
  const source = kindOf(target).source
  const width = Math.max(...fields.map((field) => field.name.length))
  return fields.map((field, i) => {
    const read = source?.field === field.name ? source.read(body)?.text : undefined
    let value = Object.hasOwn(body, field.name) ? shown(body[field.name]) : '(not set)'
    if (read !== undefined) value = `(${lineCount(read)} lines of source)`
    return `${String(i + 1).padStart(3)} ${field.name.padEnd(width)}  ${value}`
  })
}

export const edit: Verb = {
  name: 'edit',
  summary: 'Change an entity field by field at the prompt, then save it as one change',
  usage: 'edit <Entity> --realm <path> --id <id> | --name <name> [--fields | --source]',
  details: [
    'The field editor of the Janssen CLI, built from the entity\'s JSON Schema: "l" lists the fields with',
    'numbers and current values, a number edits that field (its current value as the default), "v" shows',
    'the whole item, "s" checks it as every write is checked and saves what changed as one update (a JSON',
    'Patch over Janssen), "q" leaves without saving. A batch cannot answer: use update --body or --set.',
    'For Scripts, edit opens the decoded source in $EDITOR instead (with its extension); on save it is',
    'checked and written back, or re-opened or discarded when it does not parse. --fields and --source',
    'choose either for any entity.',
  ].join('\n'),
  takesEntity: true,
  options: [
    ...ITEM_OPTIONS,
    {
      name: 'fields',
      type: 'boolean',
      help: 'the field editor, whatever the entity edits by default',
    },
    { name: 'source', type: 'boolean', help: "the item's source in $EDITOR (or $VISUAL)" },
  ],
  async run(invocation, ctx) {
    checkOptions(this, invocation)
    const { target, def } = targetOf(invocation, 'update')
    const { entity } = target
    if (!ctx.ask) {
      throw new AmshError(
        'E_USAGE',
        `edit asks its questions at the am> prompt; in a batch, use update ${entity.name} with --body (the whole item) or --set field=value`
      )
    }
    if (!def.schema) {
      throw new AmshError(
        'E_USAGE',
        `${entity.name} has no schema to edit it by: use update --body`
      )
    }
    const prompter: Prompter = { ask: ctx.ask, notify: ctx.notify }
    const id = await itemId(invocation, target, ctx)
    const current = await ctx.transport.read(target, id)
    const fields = settableFields(def.schema, entity, false)
    const bodyCtx = bodyContext(target, 'update', invocation, ctx)
    if (invocation.options.fields === true && invocation.options.source === true) {
      throw new AmshError('E_USAGE', 'give --fields or --source, not both')
    }
    const mode = invocation.options.source
      ? 'source'
      : invocation.options.fields
        ? 'fields'
        : (entity.edit ?? 'fields')
    if (mode === 'source') {
      return editSource(target, def, id, current, bodyCtx, { ...ctx, ask: ctx.ask })
    }
    let draft: LoadedBody = { body: current, origin: 'script' }
    const name = entity.nameField ? current[entity.nameField] : undefined
    ctx.notify(`Editing ${entity.name} ${id}${typeof name === 'string' ? ` (${name})` : ''}.`)
    for (;;) {
      ctx.notify(MENU)
      const choice = (await ctx.ask('Selection: ', false)).trim().toLowerCase()
      const changed = changedFields(current, draft.body, fields)
      if (choice === 'q') {
        const dropped = changed.length
          ? `${changed.length} change${changed.length > 1 ? 's' : ''} dropped, `
          : ''
        throw new AmshError('E_INTERRUPTED', `quit the editor: ${dropped}nothing was saved`)
      } else if (choice === 'l') {
        for (const line of listing(draft.body, fields, entity)) ctx.notify(line)
      } else if (choice === 'v') {
        for (const line of view(draft.body, entity)) ctx.notify(line)
      } else if (choice === 's') {
        if (changed.length === 0) {
          ctx.notify('nothing changed: nothing was written')
          return current
        }
        const wanted = canonical(draft, bodyCtx)
        const problems = await problemsOf(wanted, def, bodyCtx)
        if (problems.length === 0) {
          return writeFields(ctx.transport, target, id, current, wanted.body, changed)
        }
        ctx.notify(`not saved: ${problems.map((p) => p.message).join('; ')}`)
      } else if (/^\d{1,4}$/.test(choice) && fields[Number(choice) - 1]) {
        const field = fields[Number(choice) - 1]!
        draft = await askField(prompter, draft, field, def, bodyCtx, draft.body[field.name])
      } else {
        ctx.notify(
          `"${choice}" is none of the choices: q, v, s, l, or a field number from 1 to ${fields.length}`
        )
      }
    }
  },
}
