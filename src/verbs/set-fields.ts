import { AmshError } from '../errors.ts'
import { jsonPointer, type JsonObject } from '../json.ts'
import type { JsonPatchOperation, Target, Transport } from '../transport/types.ts'
import { schemaFields, typesOf, valueFor } from './schema-fields.ts'

// `update ... --set field=value`: one field changed, the rest of the item as it is. A field the
// schema does not name, or a value of the wrong type, is refused.

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
  // A Map, so that no name (`__proto__`) finds what the schema does not hold.
  const fields = new Map(
    (schemaKey ? schemaFields(schemaKey) : []).map((field) => [field.name, field.schema])
  )
  const next: JsonObject = { ...current }
  for (const set of sets) {
    const equals = set.indexOf('=')
    if (equals <= 0) {
      throw new AmshError('E_USAGE', `--set takes field=value, not "${set}"`)
    }
    const name = set.slice(0, equals)
    const text = set.slice(equals + 1)
    const field = fields.get(name)
    if (!field) {
      const known = [...fields.keys()]
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
        `--set ${name}=${text}: ${jsonPointer(name)} must be of type ${types.join(' or ')}, and "${text}" is not one`
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

/**
 * Writes back an item read as `current` with its `fields` changed as `wanted` has them: as a
 * JSON Patch of those fields to a server that takes one (Janssen's), otherwise whole, at the
 * revision read, so a change made since is refused rather than lost.
 */
export function writeFields(
  transport: Transport,
  target: Target,
  id: string,
  current: JsonObject,
  wanted: JsonObject,
  fields: readonly string[],
  rev = typeof current._rev === 'string' ? current._rev : undefined
): Promise<JsonObject> {
  if (fields.length > 0 && transport.patch) {
    return transport.patch(target, id, patchOf(current, wanted, fields))
  }
  return transport.update(target, id, wanted, rev === undefined ? undefined : { rev })
}
