import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { AmshError } from '../errors.ts'
import { isJsonObject, jsonPointer, type JsonObject, type JsonValue } from '../json.ts'
import type { JsonPatchOperation } from '../transport/types.ts'
import { packageRoot } from '../paths.ts'

// `update ... --set field=value`: one field changed, the rest of the item as it is. A value is
// read as the entity's JSON Schema types the field (`level=10` a number where the field is an
// integer, `name=007` the text "007" where it is a string), so no value changes type by
// accident; a field the schema does not name, or a value of the wrong type, is refused.

interface FieldSchema {
  type?: string | string[]
  enum?: JsonValue[]
}

function properties(schemaKey: string): Record<string, FieldSchema> {
  const schema = JSON.parse(
    readFileSync(join(packageRoot(), 'schemas', `${schemaKey}.json`), 'utf8')
  ) as { properties?: Record<string, FieldSchema> }
  return schema.properties ?? {}
}

function typesOf(field: FieldSchema): string[] {
  if (field.type !== undefined) return Array.isArray(field.type) ? field.type : [field.type]
  if (field.enum) return [...new Set(field.enum.map((v) => (v == null ? 'null' : typeof v)))]
  return ['string', 'number', 'boolean', 'object', 'array', 'null']
}

/** The value `text` stands for in a field of these types, or undefined when it fits none. */
function valueFor(text: string, types: string[]): JsonValue | undefined {
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

/**
 * `current` with each `field=value` of `sets` set, in order, and the fields set. Throws E_USAGE
 * naming the field and what it takes.
 */
export function withFieldsSet(
  current: JsonObject,
  sets: readonly string[],
  schemaKey: string | undefined,
  entity: string
): { item: JsonObject; fields: string[] } {
  const fields = schemaKey ? properties(schemaKey) : {}
  const next: JsonObject = { ...current }
  for (const set of sets) {
    const equals = set.indexOf('=')
    if (equals <= 0) {
      throw new AmshError('E_USAGE', `--set takes field=value, not "${set}"`)
    }
    const name = set.slice(0, equals)
    const text = set.slice(equals + 1)
    const field = fields[name]
    if (!field) {
      const known = Object.keys(fields)
      throw new AmshError(
        'E_USAGE',
        `--set ${name}: ${entity} has no field ${name}${known.length ? `; its fields: ${known.join(', ')}` : ''}`
      )
    }
    const types = typesOf(field)
    const value = valueFor(text, types)
    if (value === undefined) {
      throw new AmshError(
        'E_USAGE',
        `--set ${name}=${text}: ${name} takes ${types.join(' or ')}, and "${text}" is not one`
      )
    }
    next[name] = value
  }
  return { item: next, fields: [...new Set(sets.map((set) => set.slice(0, set.indexOf('='))))] }
}

/** The RFC 6902 patch that makes `current`'s `fields` what `wanted` holds. */
export function patchOf(
  current: JsonObject,
  wanted: JsonObject,
  fields: readonly string[]
): JsonPatchOperation[] {
  return fields.map((name) => ({
    op: name in current ? 'replace' : 'add',
    path: jsonPointer(name),
    value: wanted[name] ?? null,
  }))
}
