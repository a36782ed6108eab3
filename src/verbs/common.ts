import { extname, resolve } from 'node:path'
import {
  getEntity,
  type CrudOperation,
  type EntityDef,
  type OperationDef,
  type ScopeDef,
} from '../catalog/catalog.ts'
import { describeSchemaErrors, schemaValidator, type BodyProblem } from '../catalog/schemas.ts'
import { decodeScript, encodeScript, scriptFieldProblems } from '../catalog/script-fields.ts'
import { checkSource, type ScriptLanguage } from '../catalog/syntax/index.ts'
import { normaliseRealm } from '../crest/realm.ts'
import { didYouMean } from '../did-you-mean.ts'
import { AmshError } from '../errors.ts'
import { readUserFile } from '../files.ts'
import { isJsonObject, type JsonObject } from '../json.ts'
import type { Invocation } from '../parse/invocation.ts'
import { parseJson } from '../parse/json-body.ts'
import type { Scope, Target } from '../transport/types.ts'
import type { Verb, VerbContext } from './types.ts'

const SCOPE_OPTIONS: Record<string, string> = {
  realm: 'the realm to work in: / for the top level, /alpha for a sub-realm',
  global: 'work on the global configuration instead of a realm',
}

/** Every option of the invocation must be one the verb knows. */
export function checkOptions(verb: Verb, invocation: Invocation): void {
  if (verb.extraOptions) return
  const known = [...Object.keys(SCOPE_OPTIONS), ...Object.keys(verb.options)]
  for (const name of Object.keys(invocation.options)) {
    if (!known.includes(name)) {
      throw new AmshError(
        'E_USAGE',
        `unknown option --${name} for ${verb.name}${didYouMean(name, known)}; ${verb.name} takes ${known.map((k) => `--${k}`).join(', ')}`
      )
    }
  }
}

export function scopeOptionHelp(): Record<string, string> {
  return SCOPE_OPTIONS
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
    const verbs = (['create', 'read', 'update', 'delete', 'query'] as const).filter(
      (op) => offers[op]
    )
    if (offers.actions) verbs.push('action' as never)
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
  required?: false
): string | undefined
export function stringOption(
  invocation: Invocation,
  name: string,
  required: boolean
): string | undefined
export function stringOption(
  invocation: Invocation,
  name: string,
  required = false
): string | undefined {
  const value = invocation.options[name]
  if (value === true) throw new AmshError('E_USAGE', `--${name} needs a value`)
  if (value === undefined && required) {
    throw new AmshError('E_USAGE', `${invocation.verb} ${invocation.entity} needs --${name}`)
  }
  return value
}

const LANGUAGE_BY_EXTENSION: Record<string, string> = {
  '.js': 'JAVASCRIPT',
  '.mjs': 'JAVASCRIPT',
  '.cjs': 'JAVASCRIPT',
  '.groovy': 'GROOVY',
}

export interface LoadedBody {
  body: JsonObject
  /** Where the script source came from, for error positions: the --scriptFile or "script". */
  scriptOrigin: string
}

/**
 * The request body from --body (inline JSON or @file) and --scriptFile (a source file that
 * becomes the base64 `script`, and sets `language` from its extension when the body has none).
 */
export async function loadBody(
  invocation: Invocation,
  ctx: VerbContext,
  required: boolean
): Promise<LoadedBody | undefined> {
  const bodyOption = stringOption(invocation, 'body')
  const scriptFile = stringOption(invocation, 'scriptFile')
  if (bodyOption === undefined && scriptFile === undefined) {
    if (required)
      throw new AmshError(
        'E_USAGE',
        `${invocation.verb} ${invocation.entity} needs --body (JSON, or @file.json)`
      )
    return undefined
  }
  let body: JsonObject = {}
  if (bodyOption !== undefined) {
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
    body = value
  }
  let scriptOrigin = 'script'
  if (scriptFile !== undefined) {
    const path = resolve(ctx.baseDir, scriptFile)
    body = { ...body, script: encodeScript(readUserFile(path, 'script file')) }
    const language = LANGUAGE_BY_EXTENSION[extname(path).toLowerCase()]
    if (body.language === undefined && language) body.language = language
    scriptOrigin = path
  }
  return { body, scriptOrigin }
}

/** Schema and product-profile problems, all of them, as one E_SCHEMA error. */
export async function checkBody(
  target: Target,
  schemaKey: string | undefined,
  loaded: LoadedBody,
  ctx: VerbContext
): Promise<void> {
  const problems: BodyProblem[] = []
  if (schemaKey) {
    const validate = await schemaValidator(schemaKey)
    if (!validate(loaded.body)) problems.push(...describeSchemaErrors(validate.errors ?? []))
  }
  if (target.entity.behaviour === 'scripts')
    problems.push(...scriptFieldProblems(loaded.body, ctx.profile))
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
}

/** A script's source must parse before it is sent anywhere, unless the user says otherwise. */
export async function checkScriptSource(
  target: Target,
  loaded: LoadedBody,
  invocation: Invocation
): Promise<void> {
  if (target.entity.behaviour !== 'scripts' || invocation.options.skipSourceCheck) return
  const { body } = loaded
  const language = typeof body.language === 'string' ? body.language.toUpperCase() : ''
  if (typeof body.script !== 'string' || (language !== 'JAVASCRIPT' && language !== 'GROOVY')) {
    return
  }
  const source = decodeScript(body.script)
  if (source === undefined) return
  const problems = await checkSource(language as ScriptLanguage, source)
  const first = problems[0]
  if (!first) return
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''
  throw new AmshError(
    'E_SYNTAX',
    `${language} source does not parse at ${loaded.scriptOrigin}:${first.line}:${first.column}: ${first.message}${more} (to store it anyway, add --skipSourceCheck)`,
    {
      details: {
        problems: problems.map((p) => ({ line: p.line, column: p.column, message: p.message })),
      },
    }
  )
}

/** The target and the fully checked body of a create or update: nothing unchecked is sent. */
export async function checkedWrite(
  invocation: Invocation,
  ctx: VerbContext,
  operation: 'create' | 'update'
): Promise<{ target: Target; id: string | undefined; body: JsonObject }> {
  const { target, def } = targetOf(invocation, operation)
  // An update names what it replaces; a create may leave the id to the server.
  const id = stringOption(invocation, 'id', operation === 'update')
  const loaded = (await loadBody(invocation, ctx, true))!
  await checkBody(target, def.schema, loaded, ctx)
  await checkScriptSource(target, loaded, invocation)
  return { target, id, body: loaded.body }
}
