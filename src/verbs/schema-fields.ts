import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { SERVER_FIELDS } from '../crest/stamps.ts'
import type { EntityDef } from '../catalog/catalog.ts'
import { isJsonObject, type JsonValue } from '../json.ts'
import { kindOf } from '../kinds/index.ts'
import { packageRoot } from '../paths.ts'

// An operation's JSON Schema read as a list of fields a person can set one at a time: by
// `--set field=value`, by the prompts of a create without --body, by `edit`'s field editor.
// A value typed as text is read as the schema types its field, so nothing changes type by
// accident (`level=10` a number where the field is an integer, `name=007` the text "007").

export interface FieldSchema {
  type?: string | string[]
  enum?: JsonValue[]
  description?: string
  default?: JsonValue
  items?: FieldSchema
}

export interface Field {
  name: string
  schema: FieldSchema
  required: boolean
}

const SCHEMAS = new Map<string, { properties?: Record<string, FieldSchema>; required?: string[] }>()

/** The top-level fields of the schema `schemaKey` (`CustomScripts/update`), in its order. */
export function schemaFields(schemaKey: string): Field[] {
  let schema = SCHEMAS.get(schemaKey)
  if (!schema) {
    schema = JSON.parse(
      readFileSync(join(packageRoot(), 'schemas', `${schemaKey}.json`), 'utf8')
    ) as NonNullable<typeof schema>
    SCHEMAS.set(schemaKey, schema)
  }
  const required = schema.required ?? []
  return Object.entries(schema.properties ?? {}).map(([name, field]) => ({
    name,
    schema: field,
    required: required.includes(name),
  }))
}

/**
 * The fields a person sets: the schema's, less those the server writes itself (revisions,
 * dates, the kind's stamps) and, when `withId` is false, the id.
 */
export function settableFields(schemaKey: string, entity: EntityDef, withId: boolean): Field[] {
  const stamps = new Set([...SERVER_FIELDS, ...(kindOf(entity).stamps ?? [])])
  return schemaFields(schemaKey).filter(
    (field) => !stamps.has(field.name) && (withId || field.name !== entity.idField)
  )
}

export function typesOf(field: FieldSchema): string[] {
  if (field.type !== undefined) return Array.isArray(field.type) ? field.type : [field.type]
  if (field.enum) return [...new Set(field.enum.map((v) => (v == null ? 'null' : typeof v)))]
  return ['string', 'number', 'boolean', 'object', 'array', 'null']
}

/** The value `text` stands for in a field of these types, or undefined when it fits none. */
export function valueFor(text: string, types: readonly string[]): JsonValue | undefined {
  if (types.includes('null') && text === 'null') return null
  if (types.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true'
  if (types.includes('integer') && /^-?\d{1,15}$/.test(text)) return Number(text)
  if (types.includes('number') && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) return Number(text)
  if (types.includes('object') || types.includes('array')) {
    try {
      const parsed = JSON.parse(text) as JsonValue
      if (types.includes('array') && Array.isArray(parsed)) return parsed
      if (types.includes('object') && isJsonObject(parsed)) return parsed
    } catch {
      // not JSON: perhaps one of the other types
    }
  }
  if (types.includes('string')) return text
  return undefined
}
