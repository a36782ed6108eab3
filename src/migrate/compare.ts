import { isDeepStrictEqual } from 'node:util'
import { getEntity } from '../catalog/catalog.ts'
import type { JsonObject } from '../json.ts'
import { kindOf } from '../kinds/index.ts'
import { SERVER_FIELDS } from '../crest/stamps.ts'

// When two versions of an item are the same configuration. The fields a server writes itself
// (who changed it and when, its revision, its type description) say nothing about the
// configuration, and an import that rewrote an item for them alone would churn
// lastModifiedDate on every run: they are left out of every comparison and every write.

/** An item's body as it is compared and sent: normalised by its kind, server fields left out. */
export function comparable(
  entityName: string,
  body: JsonObject
): { body: JsonObject; notes: string[] } {
  const kind = kindOf(getEntity(entityName))
  const normalised = kind.normalise ? kind.normalise(body) : { body, notes: [] }
  const stamped = new Set([...SERVER_FIELDS, ...(kind.stamps ?? [])])
  const kept: JsonObject = {}
  for (const [key, value] of Object.entries(normalised.body)) {
    if (!stamped.has(key)) kept[key] = value
  }
  return { body: kept, notes: normalised.notes }
}

/**
 * The top-level fields whose values differ. For an import (`only: 'wanted'`) a field the file
 * does not hold is no difference: writing the file would leave the server's value as it is (an
 * AM 6.5 export has no evaluatorVersion). A diff compares both sides' fields.
 */
export function changedFields(
  wanted: JsonObject,
  current: JsonObject,
  only: 'wanted' | 'both' = 'both'
): string[] {
  const keys =
    only === 'wanted'
      ? Object.keys(wanted)
      : [...new Set([...Object.keys(wanted), ...Object.keys(current)])]
  return keys.filter((key) => !isDeepStrictEqual(wanted[key], current[key]))
}
