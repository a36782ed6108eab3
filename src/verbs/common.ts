import { resolve } from 'node:path'
import {
  getEntity,
  type CrudOperation,
  type EntityDef,
  type OperationDef,
  type ScopeDef,
} from '../catalog/catalog.ts'
import { describeSchemaErrors, schemaValidator, type BodyProblem } from '../catalog/schemas.ts'
import { normaliseRealm } from '../crest/realm.ts'
import { didYouMean } from '../did-you-mean.ts'
import { AmshError } from '../errors.ts'
import { readUserFile } from '../files.ts'
import { isJsonObject, type JsonObject } from '../json.ts'
import { kindOf } from '../kinds/index.ts'
import type { BodyContext, LoadedBody } from '../kinds/types.ts'
import type { View } from '../output/view.ts'
import type { Invocation } from '../parse/invocation.ts'
import { parseJson } from '../parse/json-body.ts'
import type { OptionSpec } from '../parse/options.ts'
import { realmsOf } from '../migrate/from-transport.ts'
import type { Scope, Target, Transport } from '../transport/types.ts'
import type { Verb, VerbContext } from './types.ts'

/** The options of every verb that takes an entity: where it applies. */
const SCOPE_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'realm',
    type: 'string',
    value: 'path',
    help: 'the realm to work in: / for the top level, /alpha for a sub-realm',
  },
  { name: 'global', type: 'boolean', help: 'work on the global configuration instead of a realm' },
]

/** What an invocation of `verb` may say: the scope, the verb's options and its entity kind's. */
export function optionsOf(verb: Verb, entity: EntityDef | undefined): readonly OptionSpec[] {
  // Asked for every command line: the list is made once per verb and entity.
  let byEntity = OPTION_LISTS.get(verb)
  if (!byEntity) OPTION_LISTS.set(verb, (byEntity = new Map()))
  let list = byEntity.get(entity)
  if (!list) {
    const own = verb.takesEntity ? [...SCOPE_OPTIONS, ...verb.options] : [...verb.options]
    const added = entity
      ? (kindOf(entity).options ?? []).filter((option) => option.verbs.includes(verb.name))
      : []
    list = [...own, ...added.filter((option) => !own.some((o) => o.name === option.name))]
    byEntity.set(entity, list)
  }
  return list
}

const OPTION_LISTS = new WeakMap<Verb, Map<EntityDef | undefined, readonly OptionSpec[]>>()

/** Every option of the invocation must be one the verb (or its entity's kind) knows. */
export function checkOptions(verb: Verb, invocation: Invocation): void {
  if (verb.extraOptions) return
  const entity = verb.takesEntity ? getEntity(invocation.entity) : undefined
  const known = optionsOf(verb, entity).map((option) => option.name)
  for (const name of Object.keys(invocation.options)) {
    if (!known.includes(name)) {
      throw new AmshError(
        'E_USAGE',
        `unknown option --${name} for ${verb.name}${didYouMean(name, known)}; ${verb.name} takes ${known.map((k) => `--${k}`).join(', ')}`
      )
    }
  }
}

function scopeOf(entity: EntityDef, invocation: Invocation): Scope {
  const { realm, global } = invocation.options
  const offered = Object.keys(entity.scopes)
  const hint = offered.includes('realm') ? '--realm <path> (e.g. --realm /)' : '--global'
  if (realm !== undefined && global !== undefined) {
    throw new AmshError('E_USAGE', 'give --realm or --global, not both')
  }
  if (global !== undefined) {
    if (!entity.scopes.global) {
      throw new AmshError('E_USAGE', `${entity.name} has no global operations; use ${hint}`)
    }
    return { kind: 'global' }
  }
  if (realm === undefined) {
    // An entity that lives in the global configuration alone needs no --global (Janssen's).
    if (!entity.scopes.realm && entity.scopes.global) return { kind: 'global' }
    throw new AmshError('E_USAGE', `say where: ${entity.name} needs ${hint}`)
  }
  if (realm === true)
    throw new AmshError('E_USAGE', '--realm needs a realm path, e.g. --realm /alpha')
  if (!entity.scopes.realm) {
    throw new AmshError('E_USAGE', `${entity.name} has no realm operations; use --global`)
  }
  return { kind: 'realm', realm: normaliseRealm(realm) }
}

/** The entity and scope an invocation names, with what the entity offers in that scope. */
export function resolveTarget(invocation: Invocation): { target: Target; offers: ScopeDef } {
  const entity = getEntity(invocation.entity)
  const scope = scopeOf(entity, invocation)
  return { target: { entity, scope }, offers: entity.scopes[scope.kind]! }
}

/** The target of a CRUD verb, checked against what the entity offers there. */
export function targetOf(
  invocation: Invocation,
  operation: CrudOperation
): { target: Target; def: OperationDef } {
  const { target, offers } = resolveTarget(invocation)
  const def = offers[operation]
  if (!def) {
    const verbs: string[] = (['create', 'read', 'update', 'delete', 'query'] as const).filter(
      (op) => offers[op]
    )
    if (offers.actions) verbs.push('action')
    const where = target.scope.kind === 'global' ? 'globally' : 'in a realm'
    throw new AmshError(
      'E_USAGE',
      `${target.entity.name} cannot ${operation} ${where}; it offers ${verbs.join(', ')}`
    )
  }
  return { target, def }
}

/** A string option's value; `required` makes its absence an error. */
export function stringOption(invocation: Invocation, name: string, required: true): string
export function stringOption(
  invocation: Invocation,
  name: string,
  required?: boolean
): string | undefined
export function stringOption(
  invocation: Invocation,
  name: string,
  required = false
): string | undefined {
  const value = invocation.options[name]
  if (value === true) throw new AmshError('E_USAGE', `--${name} needs a value`)
  if (value === undefined && required) {
    const what = invocation.entity ? `${invocation.verb} ${invocation.entity}` : invocation.verb
    throw new AmshError('E_USAGE', `${what} needs --${name}`)
  }
  return value
}

/**
 * The id a verb works on: `--id`, required for collections; a singleton has none, and says so
 * if one is given.
 */
export function idOption(invocation: Invocation, entity: EntityDef, required: true): string
export function idOption(
  invocation: Invocation,
  entity: EntityDef,
  required: boolean
): string | undefined
export function idOption(invocation: Invocation, entity: EntityDef, required: boolean) {
  if (entity.singleton) {
    if (invocation.options.id !== undefined) {
      throw new AmshError(
        'E_USAGE',
        `${entity.name} is one item per ${entity.scopes.realm ? 'realm' : 'deployment'}: it takes no --id`
      )
    }
    return ''
  }
  return stringOption(invocation, 'id', required)
}

/** --id, or --name for an entity with names: how a verb names the item it works on. */
export const ITEM_OPTIONS: OptionSpec[] = [
  { name: 'id', type: 'string', help: 'the id of the entity' },
  {
    name: 'name',
    type: 'string',
    help: 'the name of the entity instead of its id (unique in its scope, whatever its case)',
  },
]

/** How a read or a query is shown: options of the result's presentation, not of the request. */
export const VIEW_OPTIONS: OptionSpec[] = [
  {
    name: 'decode',
    type: 'boolean',
    help: "show each script's source as text instead of its wire form (base64); left out of tables",
  },
  {
    name: 'columns',
    type: 'string',
    value: 'a,b',
    help: "the columns of -o table, comma-separated (default: the entity's own, or the fields)",
  },
]

/** The view a command's options ask for (--decode, --columns). */
export function viewOf(invocation: Invocation): View {
  const columns = stringOption(invocation, 'columns')
  return {
    decode: invocation.options.decode === true,
    columns: columns
      ?.split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  }
}

/**
 * The id of the item a verb works on: --id, or the item --name names, found by a query (an
 * exact match first, then one whatever its case). A name that matches none, or several, fails
 * saying so.
 */
export async function itemId(
  invocation: Invocation,
  target: Target,
  ctx: VerbContext
): Promise<string> {
  const { entity } = target
  const name = stringOption(invocation, 'name')
  if (name === undefined || entity.singleton) return idOption(invocation, entity, true)
  if (invocation.options.id !== undefined) {
    throw new AmshError('E_USAGE', 'give --id or --name, not both')
  }
  const field = entity.nameField
  if (!field) throw new AmshError('E_USAGE', `${entity.name} items have no name: use --id`)
  const ids = async (filter: string, match: (value: unknown) => boolean) => {
    const found = await ctx.transport.query(target, { filter, fields: [field] })
    return found.result
      .filter((item) => match(item[field]))
      .map((item) => String(item[entity.idField]))
  }
  let matches = await ids(`${field} eq ${JSON.stringify(name)}`, (value) => value === name)
  if (matches.length === 0) {
    const lower = name.toLowerCase()
    matches = await ids(
      'true',
      (value) => typeof value === 'string' && value.toLowerCase() === lower
    )
  }
  const where = target.scope.kind === 'global' ? 'globally' : `in realm ${target.scope.realm}`
  if (matches.length === 0) {
    throw new AmshError('E_NOT_FOUND', `no ${entity.name} item is named "${name}" ${where}`)
  }
  if (matches.length > 1) {
    throw new AmshError(
      'E_CONFLICT',
      `${matches.length} ${entity.name} items are named "${name}" ${where} (ids ${matches.join(', ')}): use --id`
    )
  }
  return matches[0]!
}

/**
 * Goes on only when the user says so: asked at the prompt; in a batch, where no one can answer,
 * --yes must have said it. `what` says what would happen.
 */
export async function confirmed(ctx: VerbContext, what: string, yes: boolean): Promise<void> {
  if (yes) return
  if (!ctx.ask) throw new AmshError('E_USAGE', `${what}; in a batch, add --yes to confirm`)
  const answer = await ctx.ask(`${what}. Go on? [y/N] `, false)
  if (!/^y(es)?$/i.test(answer.trim())) {
    throw new AmshError('E_INTERRUPTED', `not confirmed (${what}); nothing was changed`)
  }
}

/** The kind's view of a command: its own options as given, for assembling and checking bodies. */
export function bodyContext(
  target: Target,
  operation: string,
  invocation: Invocation,
  ctx: VerbContext
): BodyContext {
  const own = new Set((kindOf(target.entity).options ?? []).map((option) => option.name))
  const options = Object.fromEntries(
    Object.entries(invocation.options).filter(([name]) => own.has(name))
  )
  return { entity: target.entity, operation, options, baseDir: ctx.baseDir, profile: ctx.profile }
}

/**
 * The request body from --body (inline JSON or @file), filled in by the entity's kind from its
 * own options (--scriptFile), then checked: the entity's JSON Schema, the kind's rules, the
 * source. Nothing unchecked is sent.
 */
export async function checkedBody(
  invocation: Invocation,
  target: Target,
  def: OperationDef,
  operation: string,
  ctx: VerbContext,
  required: boolean,
  /** The body to start from instead of --body's (an item read, with --set's changes). */
  start?: JsonObject
): Promise<JsonObject | undefined> {
  const kind = kindOf(target.entity)
  const bodyCtx = bodyContext(target, operation, invocation, ctx)
  const bodyOption = stringOption(invocation, 'body')
  let loaded: LoadedBody = { body: start ?? {}, origin: 'script' }
  if (start === undefined && bodyOption !== undefined) {
    let text = bodyOption
    let source = '--body'
    if (bodyOption.startsWith('@')) {
      source = resolve(ctx.baseDir, bodyOption.slice(1))
      text = readUserFile(source, 'body file')
    }
    const value = await parseJson(text, source)
    if (!isJsonObject(value)) {
      const what = Array.isArray(value) ? 'an array' : JSON.stringify(value)
      throw new AmshError('E_SCHEMA', `${source} must be a JSON object, not ${what}`)
    }
    loaded = { body: value, origin: 'script' }
  }
  const assembled = kind.assemble ? kind.assemble(loaded, bodyCtx) : loaded
  if (start === undefined && bodyOption === undefined && Object.keys(assembled.body).length === 0) {
    if (!required) return undefined
    const prompted =
      operation === 'create' && def.schema
        ? '; at the am> prompt, leave it out to be asked for each field'
        : ''
    throw new AmshError(
      'E_USAGE',
      `${invocation.verb} ${invocation.entity} needs --body (JSON, or @file.json)${prompted}`
    )
  }
  await checkBody(assembled, def, bodyCtx)
  return assembled.body
}

/**
 * Checks a body as every write is checked before it is sent: the operation's JSON Schema, the
 * kind's rules, the source. Throws E_SCHEMA (listing each problem with its JSON pointer) or
 * E_SYNTAX (the source's line:column).
 */
export async function checkBody(
  loaded: LoadedBody,
  def: OperationDef,
  bodyCtx: BodyContext
): Promise<void> {
  const kind = kindOf(bodyCtx.entity)
  const problems: BodyProblem[] = []
  if (def.schema) {
    const validate = await schemaValidator(def.schema)
    if (!validate(loaded.body)) problems.push(...describeSchemaErrors(validate.errors ?? []))
  }
  problems.push(...(kind.bodyProblems?.(loaded.body, bodyCtx) ?? []))
  if (problems.length > 0) {
    const lines = problems.map((p) => `${p.pointer} ${p.message}`)
    throw new AmshError(
      'E_SCHEMA',
      `the body has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}: ${lines.join('; ')}`,
      {
        details: { problems: problems.map((p) => ({ pointer: p.pointer, message: p.message })) },
      }
    )
  }
  await kind.checkSource?.(loaded, bodyCtx)
}

/**
 * A failure for a realm that does not exist, with the realm meant when one is close (`/alpah`:
 * did you mean "/alpha"?). The realms are asked of the transport only then; if it cannot say,
 * the failure is as it was.
 */
export async function withRealmHint(
  err: unknown,
  invocation: Invocation,
  transport: Transport
): Promise<unknown> {
  const realm = invocation.options.realm
  if (!(err instanceof AmshError) || err.code !== 'E_NOT_FOUND' || typeof realm !== 'string') {
    return err
  }
  if (!/realm not found/i.test(err.message)) return err
  try {
    const hint = didYouMean(normaliseRealm(realm), await realmsOf(transport))
    if (hint) err.message = `${err.message}: ${normaliseRealm(realm)}${hint}`
  } catch {
    // No list of realms to suggest from.
  }
  return err
}
