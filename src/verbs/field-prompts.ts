import { resolve } from 'node:path'
import type { OperationDef } from '../catalog/catalog.ts'
import { decodePointer } from '../crest/filter.ts'
import { AmshError } from '../errors.ts'
import { readUserFile } from '../files.ts'
import type { JsonObject, JsonValue } from '../json.ts'
import { kindOf } from '../kinds/index.ts'
import type { BodyContext, LoadedBody } from '../kinds/types.ts'
import type { Ask } from '../transport/am/login.ts'
import { checkBody } from './common.ts'
import { typesOf, valueFor, type Field } from './schema-fields.ts'

// A body built field by field at the prompt, as the Janssen CLI's menus build one: each field
// introduced by its schema (description, type, allowed values, default), each answer read as
// its type and checked at once, so a wrong answer is asked again rather than refused at the end.
// What is asked comes from the operation's JSON Schema alone: it works for any entity.

/** The person at the prompt: the question, and lines shown around it (stderr). */
export interface Prompter {
  ask: Ask
  notify(line: string): void
}

/** The words a boolean answer may be, the Janssen CLI's `_true` / `_false` among them. */
const BOOLEAN_WORDS = new Map([
  ...['true', '_true', 'yes', 'y'].map((word) => [word, true] as const),
  ...['false', '_false', 'no', 'n'].map((word) => [word, false] as const),
])

/** A value as the prompts show it: text bare, anything else as compact JSON, cut to fit a line. */
export function shown(value: JsonValue | undefined, width = 60): string {
  if (value === undefined) return ''
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  const line = text.replace(/\s*\n\s*/g, ' ')
  return line.length > width ? `${line.slice(0, width - 1)}…` : line
}

function isSource(field: Field, ctx: BodyContext): boolean {
  return kindOf(ctx.entity).source?.field === field.name
}

/** Choices as lines of at most 100 characters, indented. */
function wrapped(choices: readonly string[]): string {
  const lines: string[] = []
  for (const choice of choices) {
    const last = lines.length - 1
    if (last >= 0 && lines[last]!.length + choice.length + 2 <= 100) lines[last] += `, ${choice}`
    else lines.push(`  ${choice}`)
  }
  return lines.join('\n')
}

/** An array of strings, which may be typed as a list separated by commas. */
function listOfText(field: Field): boolean {
  return typesOf(field.schema).includes('array') && field.schema.items?.type === 'string'
}

/** The line that introduces a field: «description. Type: ...», and the values it allows. */
function introduction(field: Field, ctx: BodyContext): string {
  const { description, enum: allowed } = field.schema
  const about = description ? `${description.replace(/\.$/, '')}. ` : ''
  if (isSource(field, ctx)) return `«${about}Type: a file to read the source from»`
  const types = typesOf(field.schema).filter((type) => type !== 'null')
  if (listOfText(field)) types.splice(types.indexOf('array'), 1, 'array of text')
  const values = allowed
    ? `; one of:\n${wrapped(allowed.map((v, i) => `${i + 1}) ${shown(v)}`))}`
    : ''
  return `«${about}Type: ${types.join(' or ')}${values}»`
}

/** What a person may type for a field, for the question asked again after a wrong answer. */
function acceptedForms(field: Field): string {
  const { enum: allowed } = field.schema
  if (allowed)
    return `Please enter one of the values listed, or its number from 1 to ${allowed.length}`
  const types = typesOf(field.schema).filter((type) => type !== 'null')
  const forms: Record<string, string> = {
    boolean: 'true, false (or _true, _false, yes, no)',
    integer: 'a whole number, e.g. 10',
    number: 'a number, e.g. 1.5',
    array: listOfText(field) ? 'values separated by commas, or a JSON array' : 'a JSON array',
    object: 'a JSON object, e.g. {"key": "value"}',
    string: 'any text',
  }
  const nullable = typesOf(field.schema).includes('null') ? '; null for none' : ''
  return `Please enter a(n) ${types.join(' or ')} value: ${types.map((type) => forms[type] ?? type).join('; ')}${nullable}`
}

/** The value an answer stands for in the field, or undefined when it is none of its types. */
function answerValue(text: string, field: Field): JsonValue | undefined {
  const { enum: allowed } = field.schema
  if (allowed) {
    const choice = /^\d{1,4}$/.test(text) ? allowed[Number(text) - 1] : undefined
    if (choice !== undefined && !allowed.includes(Number(text))) return choice
    return valueFor(text, typesOf(field.schema))
  }
  const types = typesOf(field.schema)
  if (types.includes('boolean')) {
    const word = BOOLEAN_WORDS.get(text.toLowerCase())
    if (word !== undefined) return word
  }
  if (listOfText(field) && !text.startsWith('[')) {
    return text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '')
  }
  return valueFor(text, types)
}

/** The draft as its kind makes it before any check (Janssen's Java names read as its wire's). */
export function canonical(draft: LoadedBody, ctx: BodyContext): LoadedBody {
  const kind = kindOf(ctx.entity)
  return kind.assemble ? kind.assemble(draft, ctx) : draft
}

/** The top-level field a JSON pointer points into ('' for the body as a whole). */
function fieldOf(pointer: string): string {
  const path = decodePointer(pointer)
  return Array.isArray(path) ? (path[0] ?? '') : ''
}

/**
 * The problems of a body as every write checks it (its schema, its kind's rules, its source),
 * each with the field it is in; the source's syntax is checked once the schema finds nothing.
 * `loaded` is the body as its kind makes it (canonical).
 */
export async function problemsOf(
  loaded: LoadedBody,
  def: OperationDef,
  ctx: BodyContext
): Promise<{ field: string; message: string }[]> {
  const kind = kindOf(ctx.entity)
  try {
    await checkBody(loaded, def, ctx)
    return []
  } catch (err) {
    if (!(err instanceof AmshError)) throw err
    const listed = err.details?.problems
    if (err.code === 'E_SCHEMA' && Array.isArray(listed)) {
      return (listed as { pointer: string; message: string }[]).map((p) => ({
        field: fieldOf(p.pointer),
        message: `${p.pointer} ${p.message}`,
      }))
    }
    if (err.code === 'E_SYNTAX') return [{ field: kind.source?.field ?? '', message: err.message }]
    throw err
  }
}

/** The draft with the field set: a source from the file named, anything else as the value. */
function withField(draft: LoadedBody, field: Field, value: JsonValue, ctx: BodyContext) {
  const source = kindOf(ctx.entity).source
  if (source && isSource(field, ctx) && typeof value === 'string') {
    const path = resolve(ctx.baseDir, value)
    return { body: source.write(draft.body, readUserFile(path, 'script file')), origin: path }
  }
  return { ...draft, body: { ...draft.body, [field.name]: value } }
}

/**
 * Asks for one field until the answer fits it (its type, then the checks of the whole body that
 * point into it) and returns the draft with it set; an empty answer takes `fallback` (the
 * schema's default, or the value an edit started from) or, for a field that may be left out,
 * leaves it out. Ctrl-C rejects with E_INTERRUPTED.
 */
export async function askField(
  prompter: Prompter,
  draft: LoadedBody,
  field: Field,
  def: OperationDef,
  ctx: BodyContext,
  fallback: JsonValue | undefined = field.schema.default
): Promise<LoadedBody> {
  const source = isSource(field, ctx)
  const allowed = field.schema.enum
  prompter.notify(introduction(field, ctx))
  const offered = source ? 'keep' : shown(fallback, 40)
  const question = `${field.name}${field.required ? ' (required)' : ''}${fallback === undefined ? '' : `  [${offered}]`}: `
  for (;;) {
    const text = (await prompter.ask(question, false)).trim()
    if (text === '') {
      if (fallback === undefined && field.required) {
        prompter.notify(`${field.name} is required: ${acceptedForms(field)}`)
        continue
      }
      if (source || fallback === undefined) return draft
      return { ...draft, body: { ...draft.body, [field.name]: fallback } }
    }
    const value = source ? text : answerValue(text, field)
    if (value === undefined) {
      prompter.notify(acceptedForms(field))
      continue
    }
    let next: LoadedBody
    try {
      next = withField(draft, field, value, ctx)
    } catch (err) {
      if (!(err instanceof AmshError)) throw err
      prompter.notify(err.message)
      continue
    }
    const loaded = canonical(next, ctx)
    if (allowed && !allowed.includes(loaded.body[field.name] ?? null)) {
      prompter.notify(`"${text}" is not one of the values listed. ${acceptedForms(field)}`)
      continue
    }
    const problems = (await problemsOf(loaded, def, ctx)).filter((p) => p.field === field.name)
    if (problems.length === 0) return next
    for (const problem of problems) prompter.notify(problem.message)
  }
}

/**
 * A whole body asked for field by field, starting from what the command's options filled in
 * (`start`: --scriptFile's source, --id) and asking the rest in the schema's order; then, until
 * the body passes the checks of a write, the fields the remaining problems point at again.
 */
export async function askedBody(
  prompter: Prompter,
  start: LoadedBody,
  fields: readonly Field[],
  def: OperationDef,
  ctx: BodyContext
): Promise<JsonObject> {
  prompter.notify(
    `New ${ctx.entity.name}: answer for each field (Enter takes the [default] or leaves the field out; Ctrl-C abandons, and nothing is saved).`
  )
  let draft = start
  const asked = fields.filter((field) => !Object.hasOwn(start.body, field.name))
  for (const field of asked) draft = await askField(prompter, draft, field, def, ctx)
  for (;;) {
    const problems = await problemsOf(canonical(draft, ctx), def, ctx)
    if (problems.length === 0) return draft.body
    const again = asked.filter((field) => problems.some((p) => p.field === field.name))
    if (again.length === 0) {
      throw new AmshError(
        'E_SCHEMA',
        `the body has problems no answer can mend: ${problems.map((p) => p.message).join('; ')}`
      )
    }
    for (const field of again) {
      for (const problem of problems.filter((p) => p.field === field.name))
        prompter.notify(problem.message)
      draft = await askField(prompter, draft, field, def, ctx, draft.body[field.name])
    }
  }
}
