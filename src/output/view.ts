import { findEntity } from '../catalog/catalog.ts'
import { isJsonObject, type JsonObject, type JsonValue } from '../json.ts'
import { kindOf } from '../kinds/index.ts'

// What a command asks of how its result is shown, beyond the format: scripts' sources decoded
// (--decode) and a table's columns (--columns). The verbs return the data as the server has
// it; this is applied to it on its way to the screen, never to what is stored or sent.

export interface View {
  /** Each item's source as text, in place of its wire form (base64 for AM's scripts). */
  decode?: boolean
  /** The columns of a table, in order. */
  columns?: readonly string[]
}

/** The field that holds the entity's sources, if its items have any. */
export function sourceFieldOf(entity: string | undefined): string | undefined {
  const def = entity ? findEntity(entity) : undefined
  return def ? kindOf(def).source?.field : undefined
}

/**
 * The value with each item's source decoded, and a note for each source that is not all UTF-8
 * (shown with its odd bytes escaped). Items without a source, and values that are not items,
 * pass unchanged.
 */
export function decodedSources(
  value: unknown,
  entity: string | undefined
): { value: unknown; notes: string[] } {
  const def = entity ? findEntity(entity) : undefined
  const source = def ? kindOf(def).source : undefined
  if (!def || !source) return { value, notes: [] }
  const notes: string[] = []
  const decodeOne = (item: JsonValue): JsonValue => {
    if (!isJsonObject(item)) return item
    const shown = source.display(item)
    if (!shown) return item
    if (shown.escaped) {
      const id = item[def.idField] ?? item[def.nameField ?? ''] ?? '?'
      notes.push(
        `the source of ${def.name} ${String(id)} is not all UTF-8: bytes that are not are shown as \\xNN`
      )
    }
    return { ...item, [source.field]: shown.text } satisfies JsonObject
  }
  const decoded = Array.isArray(value)
    ? (value as JsonValue[]).map(decodeOne)
    : isJsonObject(value)
      ? decodeOne(value)
      : value
  return { value: decoded, notes }
}
