import { entityMessage, type EntityDef } from '../../catalog/catalog.ts'
import { analyseScript, encodeScript, type ScriptIssue } from './fields.ts'
import { AmshError } from '../../errors.ts'
import type { JsonObject, JsonValue } from '../../json.ts'
import type { WriteContext } from '../types.ts'

// AM's rules for a script resource, applied by the local store so that it answers as AM does
// (research/am-rest.md §2): required fields, language and context names, evaluator versions,
// base64 sources, and the server-owned fields. Messages are AM's, from commands/Scripts.json.

function invalid(entity: EntityDef, key: string, values: Record<string, string> = {}): AmshError {
  return new AmshError('E_INVALID', entityMessage(entity, key, values))
}

/** An issue in AM's words (its own messages where AM has one). */
function amError(issue: ScriptIssue, body: JsonObject, entity: EntityDef): AmshError {
  switch (issue.kind) {
    case 'unknownLanguage':
      return invalid(entity, 'unknownLanguage', { value: issue.value })
    case 'unknownContext':
      return invalid(entity, 'unknownContext', { value: issue.value })
    case 'badEncoding':
      return invalid(entity, 'badEncoding')
    case 'languageNotAllowed':
      return new AmshError(
        'E_INVALID',
        `Scripting language ${issue.language} is not supported for script type ${issue.context}`
      )
    case 'versionFixed':
      return new AmshError(
        'E_INVALID',
        `Script type ${String(body.context)} is evaluator version ${issue.fixed} only (the request asks for ${issue.asked})`
      )
    case 'versionChanged':
      return new AmshError(
        'E_INVALID',
        `The evaluator version of a script cannot be changed after it is created (it is ${issue.stored}, the request asks for ${issue.asked})`
      )
    case 'versionNotAllowed':
      return new AmshError(
        'E_INVALID',
        `Evaluator version ${issue.version} is not supported for ${issue.language} scripts of type ${issue.context} (supported: ${issue.allowed.join(', ')})`
      )
  }
}

/** The fields a client sends, checked and normalised as AM does; the source decoded. */
function clientFields(
  body: JsonObject,
  ctx: WriteContext,
  storedVersion: string | undefined
): JsonObject {
  const { entity, profile } = ctx
  for (const field of ['name', 'script', 'language', 'context']) {
    const value = body[field]
    if (value == null) throw invalid(entity, `missing:${field}`)
    if (typeof value !== 'string') {
      throw new AmshError('E_INVALID', `${field} must be a string, not ${JSON.stringify(value)}`)
    }
  }
  const name = body.name as string
  if (name.trim() === '') throw invalid(entity, 'missing:name')

  const analysis = analyseScript(body, profile, storedVersion)
  const [issue] = analysis.issues
  if (issue) throw amError(issue, body, entity)

  const description = body.description
  return {
    name,
    description: typeof description === 'string' ? description : null,
    script: analysis.source!,
    language: analysis.language!,
    context: analysis.context!,
    evaluatorVersion: analysis.evaluatorVersion!,
  }
}

interface Origin {
  default: JsonValue
  createdBy: JsonValue
  creationDate: JsonValue
}

/** The stored document (without _id), in AM's field order. */
function assemble(fields: JsonObject, ctx: WriteContext, origin: Origin): JsonObject {
  return {
    name: fields.name!,
    description: fields.description!,
    script: fields.script!,
    default: origin.default,
    language: fields.language!,
    context: fields.context!,
    createdBy: origin.createdBy,
    creationDate: origin.creationDate,
    lastModifiedBy: ctx.user,
    lastModifiedDate: ctx.now,
    evaluatorVersion: fields.evaluatorVersion!,
  }
}

export function scriptForCreate(
  body: JsonObject,
  ctx: WriteContext,
  isDefault = false
): JsonObject {
  return assemble(clientFields(body, ctx, undefined), ctx, {
    default: isDefault,
    createdBy: ctx.user,
    creationDate: ctx.now,
  })
}

/** A replacement for `stored`: the creation fields, `default` and evaluatorVersion stay. */
export function scriptForUpdate(
  body: JsonObject,
  stored: JsonObject,
  ctx: WriteContext
): JsonObject {
  return assemble(
    clientFields(
      body,
      ctx,
      typeof stored.evaluatorVersion === 'string' ? stored.evaluatorVersion : undefined
    ),
    ctx,
    {
      default: stored.default ?? false,
      createdBy: stored.createdBy ?? 'null',
      creationDate: stored.creationDate ?? 0,
    }
  )
}

/** The wire representation of a stored script: the source base64-encoded again. */
export function presentScript(doc: JsonObject): JsonObject {
  return typeof doc.script === 'string' ? { ...doc, script: encodeScript(doc.script) } : doc
}
