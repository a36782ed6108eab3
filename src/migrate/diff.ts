import { createTwoFilesPatch } from 'diff'
import { getEntity } from '../catalog/catalog.ts'
import type { JsonObject } from '../json.ts'
import { kindOf } from '../kinds/index.ts'
import type { Scope } from '../transport/types.ts'
import { changedFields, comparable } from './compare.ts'
import type { ConfigItem } from './items.ts'

// Compares two sets of configuration (two servers, a server and an export, two exports) item by
// item: same, changed, or on one side only; a change is shown as a unified diff of the decoded
// source (what people review) and one of the other fields that changed.

export type DiffStatus = 'same' | 'changed' | 'onlyA' | 'onlyB'

export interface DiffEntry {
  status: DiffStatus
  entity: string
  scope: Scope
  id: string
  name?: string
  /** The fields that differ (the source field among them). */
  changed?: string[]
  /** The unified diff of the decoded source, when it changed. */
  sourceDiff?: string
  /** The unified diff of the other changed fields, as JSON. */
  fieldsDiff?: string
}

export interface DiffResult {
  entries: DiffEntry[]
  counts: Record<DiffStatus, number>
}

function key(item: Pick<ConfigItem, 'entity' | 'scope' | 'id'>): string {
  return `${item.entity}\u0000${item.scope.kind === 'global' ? '' : item.scope.realm}\u0000${item.id}`
}

/** Where an item lies, as diff labels name it: `realms/root-alpha/Scripts/<name>`. */
function label(item: ConfigItem, name: string | undefined): string {
  const where = item.scope.kind === 'global' ? 'global' : item.scope.realm
  return `${item.entity}${where === 'global' ? ' (global)' : ` ${where}`} ${name ?? item.id}`
}

function nameOf(item: ConfigItem): string | undefined {
  const field = getEntity(item.entity).nameField
  const name = field ? item.body[field] : undefined
  return typeof name === 'string' ? name : undefined
}

function pick(body: JsonObject, fields: string[]): JsonObject {
  return Object.fromEntries(fields.filter((f) => f in body).map((f) => [f, body[f]!]))
}

function compareOne(a: ConfigItem, b: ConfigItem, labels: [string, string]): DiffEntry {
  const left = comparable(a.entity, a.body).body
  const right = comparable(b.entity, b.body).body
  const changed = changedFields(left, right, 'both')
  const base = { entity: a.entity, scope: a.scope, id: a.id, name: nameOf(a) ?? nameOf(b) }
  if (changed.length === 0) return { status: 'same', ...base }
  const entry: DiffEntry = { status: 'changed', ...base, changed }
  const source = kindOf(getEntity(a.entity)).source
  const textA = source?.read(left)
  const textB = source?.read(right)
  let others = changed
  if (source && (textA || textB) && textA?.text !== textB?.text) {
    const name = label(a, base.name)
    entry.sourceDiff = createTwoFilesPatch(
      `${labels[0]}: ${name}`,
      `${labels[1]}: ${name}`,
      textA?.text ?? '',
      textB?.text ?? ''
    )
    // The source shows decoded; its encoded field is not shown again.
    others = changed.filter((field) => field !== source.field)
  }
  if (others.length > 0) {
    const name = label(a, base.name)
    entry.fieldsDiff = createTwoFilesPatch(
      `${labels[0]}: ${name}`,
      `${labels[1]}: ${name}`,
      `${JSON.stringify(pick(left, others), null, 2)}\n`,
      `${JSON.stringify(pick(right, others), null, 2)}\n`
    )
  }
  return entry
}

/** Compares the items of side A with those of side B, by entity, scope and id. */
export function diffItems(
  a: readonly ConfigItem[],
  b: readonly ConfigItem[],
  labels: [string, string]
): DiffResult {
  const right = new Map(b.map((item) => [key(item), item]))
  const entries: DiffEntry[] = []
  for (const item of a) {
    const other = right.get(key(item))
    if (other) {
      right.delete(key(item))
      entries.push(compareOne(item, other, labels))
    } else {
      entries.push({
        status: 'onlyA',
        entity: item.entity,
        scope: item.scope,
        id: item.id,
        name: nameOf(item),
      })
    }
  }
  for (const item of right.values()) {
    entries.push({
      status: 'onlyB',
      entity: item.entity,
      scope: item.scope,
      id: item.id,
      name: nameOf(item),
    })
  }
  const counts: Record<DiffStatus, number> = { same: 0, changed: 0, onlyA: 0, onlyB: 0 }
  for (const entry of entries) counts[entry.status]++
  return { entries, counts }
}
