import { getEntity, type EntityDef } from '../catalog/catalog.ts'
import type { Profile } from '../catalog/profiles.ts'
import { parentRealm, realmId, realmLineage } from '../crest/realm.ts'
import { toAmshError, type ErrorCode } from '../errors.ts'
import type { JsonObject } from '../json.ts'
import { kindOf } from '../kinds/index.ts'
import type { Scope, Transport } from '../transport/types.ts'
import { checkBody } from '../verbs/common.ts'
import { changedFields, comparable } from './compare.ts'
import { members, realmEntity, realmsOf, sharedIds } from './from-transport.ts'
import type { ConfigItem, ReadResult } from './items.ts'

// The plan of an import: for each item read from the files, what writing it to the target
// would do, decided before anything is written. An item equal to the target's is left alone
// (so a re-import writes nothing and touches no lastModifiedDate); one whose name another id
// holds is a conflict the user settles; every body to be written is checked as a command's
// would be. The entries come out in the order they must be written: realms (parents first),
// the global configuration, then what lives in realms, libraries before the scripts that
// require() them.

export type PlanAction = 'create' | 'update' | 'delete' | 'unchanged' | 'conflict' | 'failed'

export interface PlanEntry {
  action: PlanAction
  entity: string
  scope: Scope
  id: string
  name?: string
  /** The file the item came from (`(implied)` for a realm the files need, `(target)` for a delete). */
  file: string
  /** What is sent, for create and update. */
  body?: JsonObject
  /** The fields an update changes. */
  changed?: string[]
  /** How the item was normalised on its way (each shown in the plan). */
  notes: string[]
  /** Why a conflict or failure. */
  reason?: string
  code?: ErrorCode
  /** Entries of a lower wave are written first; those of one wave may be written together. */
  wave: number
}

export type NameConflictPolicy = 'fail' | 'rename' | 'adopt'

export interface PlanOptions {
  onNameConflict: NameConflictPolicy
  /** Whether realms the files need and the target lacks may be created. */
  createRealms: boolean
  /** Also delete what the target holds, of the entities and scopes the import holds, that the files do not. */
  clean: boolean
  profile: Profile
  baseDir: string
}

export interface Plan {
  entries: PlanEntry[]
  skipped: ReadResult['skipped']
}

const WAVE = { realms: 0, global: 100, cleanRealm: 199, realm: 200, cleanRealms: 10_000 }

function scopeKey(entity: string, scope: Scope): string {
  return `${entity}\u0000${scope.kind === 'global' ? '' : scope.realm}`
}

function where(scope: Scope): string {
  return scope.kind === 'global' ? 'the global configuration' : `realm ${scope.realm}`
}

/** What the target holds of an entity in a scope, by id and by name (lower-cased, as AM compares). */
interface TargetIndex {
  byId: Map<string, JsonObject>
  byName: Map<string, string>
  /** Ids listed in a realm that are global items (a realm's query lists the global scripts). */
  shared: Set<string>
}

/**
 * What the target holds of an entity in a scope. A realm this import creates holds nothing yet
 * but what every realm lists: the global items of the entity's `alsoLists` (the global scripts).
 */
async function indexOf(
  transport: Transport,
  entity: EntityDef,
  scope: Scope,
  absentRealm: boolean
): Promise<TargetIndex> {
  const index: TargetIndex = { byId: new Map(), byName: new Map(), shared: new Set() }
  const add = (body: JsonObject) => {
    const id = String(body[entity.idField])
    index.byId.set(id, body)
    const name = entity.nameField ? body[entity.nameField] : undefined
    if (typeof name === 'string') index.byName.set(name.toLowerCase(), id)
  }
  if (entity.singleton) {
    if (absentRealm) return index
    try {
      index.byId.set('', await transport.read({ entity, scope }, ''))
    } catch (err) {
      if (toAmshError(err).code !== 'E_NOT_FOUND') throw err
    }
    return index
  }
  if (scope.kind === 'realm') index.shared = await sharedIds(transport, entity)
  if (!absentRealm) {
    for await (const body of members(transport, entity, scope)) add(body)
  } else if (index.shared.size > 0) {
    // The new realm will list the global items as the top-level realm lists them now.
    for await (const body of members(transport, entity, { kind: 'realm', realm: '/' })) {
      if (index.shared.has(String(body[entity.idField]))) add(body)
    }
  }
  return index
}

/** Levels of `require()` depth within one group, so that a library is written before its users. */
function dependencyLevels(entity: EntityDef, items: ConfigItem[]): Map<ConfigItem, number> {
  const kind = kindOf(entity)
  const levels = new Map<ConfigItem, number>()
  if (!kind.dependsOn || !entity.nameField) {
    for (const item of items) levels.set(item, 0)
    return levels
  }
  const byName = new Map<string, ConfigItem>()
  for (const item of items) {
    const name = item.body[entity.nameField]
    if (typeof name === 'string') byName.set(name, item)
  }
  const visiting = new Set<ConfigItem>()
  const level = (item: ConfigItem): number => {
    const known = levels.get(item)
    if (known !== undefined) return known
    if (visiting.has(item)) return 0 // a cycle: the order among its members cannot help
    visiting.add(item)
    let deepest = -1
    for (const name of kind.dependsOn!(item.body)) {
      const dependency = byName.get(name)
      if (dependency && dependency !== item) deepest = Math.max(deepest, level(dependency))
    }
    visiting.delete(item)
    levels.set(item, deepest + 1)
    return deepest + 1
  }
  for (const item of items) level(item)
  return levels
}

function realmDepth(path: string): number {
  return path === '/' ? 0 : path.split('/').length - 1
}

function renamed(name: string, id: string): string {
  return `${name} (${id.slice(0, 8)})`
}

export async function planImport(
  transport: Transport,
  read: ReadResult,
  options: PlanOptions
): Promise<Plan> {
  const entries: PlanEntry[] = read.problems.map((problem) => ({
    action: 'failed',
    entity: '?',
    scope: { kind: 'global' },
    id: '',
    file: problem.file,
    notes: [],
    reason: problem.message,
    code: problem.code,
    wave: -1,
  }))
  const items = [...read.items]

  // Realms first: the ones the files hold, and the ones their items need.
  const realms = realmEntity()
  const held = new Set(await realmsOf(transport))
  const missing = new Set<string>()
  if (realms) {
    const imported = new Set(
      items.filter((i) => i.entity === realms.name).map((i) => kindOf(realms).realmPath!(i.body))
    )
    const needed = new Map<string, number>()
    // Each realm counts the files below it, for the plan's "(implied: 3 files in realm /a)".
    for (const item of items) {
      if (item.scope.kind !== 'realm') continue
      for (const up of realmLineage(item.scope.realm)) needed.set(up, (needed.get(up) ?? 0) + 1)
    }
    for (const path of imported) {
      for (const up of realmLineage(path)) if (!needed.has(up)) needed.set(up, 0)
    }
    for (const [path, count] of needed) {
      if (held.has(path) || imported.has(path)) continue
      if (!options.createRealms) {
        missing.add(path)
        continue
      }
      items.push({
        entity: realms.name,
        scope: { kind: 'global' },
        id: realmId(path),
        body: {
          name: path.slice(path.lastIndexOf('/') + 1),
          active: true,
          parentPath: parentRealm(path),
          aliases: [],
        },
        file: `(implied: ${count} file${count === 1 ? '' : 's'} in realm ${path})`,
      })
    }
  }

  const groups = new Map<string, { entity: EntityDef; scope: Scope; items: ConfigItem[] }>()
  for (const item of items) {
    const key = scopeKey(item.entity, item.scope)
    let group = groups.get(key)
    if (!group)
      groups.set(key, (group = { entity: getEntity(item.entity), scope: item.scope, items: [] }))
    group.items.push(item)
  }

  for (const { entity, scope, items: group } of groups.values()) {
    const isRealms = entity === realms
    const baseWave = isRealms ? WAVE.realms : scope.kind === 'global' ? WAVE.global : WAVE.realm
    const fail = (item: ConfigItem, code: ErrorCode, reason: string) =>
      entries.push({
        action: 'failed',
        entity: entity.name,
        scope,
        id: item.id,
        file: item.file,
        notes: item.normalised ?? [],
        reason,
        code,
        wave: baseWave,
      })
    if (scope.kind === 'realm' && missing.has(scope.realm)) {
      for (const item of group) {
        fail(
          item,
          'E_NOT_FOUND',
          `realm ${scope.realm} does not exist on the target; import its global/Realms file too, or create it first`
        )
      }
      continue
    }
    if (transport.carries && !transport.carries(entity)) {
      for (const item of group) {
        fail(
          item,
          'E_UNSUPPORTED',
          `the target has no ${entity.name} (its server speaks another API than ${entity.wire.flavour}'s)`
        )
      }
      continue
    }
    const absentRealm = scope.kind === 'realm' && !held.has(scope.realm)
    let index: TargetIndex
    try {
      index = await indexOf(transport, entity, scope, absentRealm)
    } catch (err) {
      const error = toAmshError(err)
      for (const item of group)
        fail(
          item,
          error.code,
          `cannot read ${entity.name} in ${where(scope)} on the target: ${error.message}`
        )
      continue
    }
    const levels = dependencyLevels(entity, group)
    const kind = kindOf(entity)
    const planned = new Map<string, string>() // lower-cased name → id, of this import's own items
    const seenIds = new Map<string, { file: string; body: JsonObject }>()
    for (const item of group) {
      const wave = isRealms ? realmDepth(kind.realmPath!(item.body)) : baseWave + levels.get(item)!
      const { body: wanted, notes: normalised } = comparable(entity.name, item.body)
      const notes = [...(item.normalised ?? []), ...normalised]
      const name =
        entity.nameField && typeof wanted[entity.nameField] === 'string'
          ? (wanted[entity.nameField] as string)
          : undefined
      const entry: PlanEntry = {
        action: 'unchanged',
        entity: entity.name,
        scope,
        id: item.id,
        name,
        file: item.file,
        notes,
        wave,
      }
      const twin = seenIds.get(item.id)
      if (twin) {
        // Exports laid side by side often repeat an item; the same content twice is no conflict.
        const same = changedFields(wanted, twin.body, 'both').length === 0
        entries.push({
          ...entry,
          action: same ? 'unchanged' : 'conflict',
          ...(same
            ? { notes: [...notes, `the same as ${twin.file}, which is imported`] }
            : {
                reason: `${entity.name} ${item.id} is also in ${twin.file}, with other content; import one of them`,
                code: 'E_CONFLICT',
              }),
        })
        continue
      }
      seenIds.set(item.id, { file: item.file, body: wanted })
      let existing = index.byId.get(item.id)
      if (!existing && name !== undefined) {
        const lower = name.toLowerCase()
        const other = index.byName.get(lower) ?? planned.get(lower)
        if (other !== undefined && other !== item.id) {
          const holder = index.byName.has(lower) ? 'the target' : 'another file of the import'
          if (options.onNameConflict === 'fail') {
            entries.push({
              ...entry,
              action: 'conflict',
              code: 'E_CONFLICT',
              reason: `name "${name}" is taken in ${where(scope)} by ${other} (in ${holder}), while the file's ${entity.name} is ${item.id}; --on-name-conflict rename imports it under a new name, adopt imports it into ${other}`,
            })
            continue
          }
          if (options.onNameConflict === 'adopt' && index.byId.has(other)) {
            entry.id = other
            entry.notes = [
              ...notes,
              `adopted into ${other}, which holds the name "${name}" on the target (the file's id is ${item.id})`,
            ]
            wanted[entity.idField] = other
            existing = index.byId.get(other)
          } else {
            const fresh = renamed(name, item.id)
            entry.notes = [...notes, `renamed "${fresh}": "${name}" is taken by ${other}`]
            wanted[entity.nameField!] = fresh
            entry.name = fresh
          }
        }
      }
      if (!existing && entity.singleton && absentRealm) {
        // A realm made by this import comes with its singletons: the file's replaces them.
        entry.notes = [
          ...notes,
          `the realm is made by this import; this replaces its ${entity.name} as made`,
        ]
        Object.assign(entry, { action: 'update', body: wanted })
      } else if (existing) {
        const changed = changedFields(wanted, comparable(entity.name, existing).body, 'wanted')
        if (changed.length === 0) {
          entries.push(entry)
          continue
        }
        Object.assign(entry, { action: 'update', changed, body: wanted })
      } else {
        const refusal = kind.neverCreated?.(wanted)
        if (refusal) {
          entries.push({
            ...entry,
            action: 'conflict',
            code: 'E_NOT_FOUND',
            reason: `${entity.name} ${item.id} is not on the target, and ${refusal}`,
          })
          continue
        }
        Object.assign(entry, { action: 'create', body: wanted })
      }
      if (entry.name !== undefined) planned.set(entry.name.toLowerCase(), entry.id)
      const operation = entry.action === 'create' ? 'create' : 'update'
      const def = entity.scopes[scope.kind]?.[operation]
      if (!def) {
        entries.push({
          ...entry,
          action: 'failed',
          code: 'E_UNSUPPORTED',
          reason: `${entity.name} cannot be ${operation}d in ${where(scope)}`,
        })
        continue
      }
      try {
        await checkBody({ body: wanted, origin: item.file }, def, {
          entity,
          operation,
          options: {},
          baseDir: options.baseDir,
          profile: options.profile,
        })
      } catch (err) {
        const error = toAmshError(err)
        entries.push({ ...entry, action: 'failed', code: error.code, reason: error.message })
        continue
      }
      entries.push(entry)
    }
    if (options.clean && !entity.singleton && entity.scopes[scope.kind]?.delete) {
      for (const [id, body] of index.byId) {
        if (seenIds.has(id) || index.shared.has(id) || kind.neverCreated?.(body)) continue
        if (isRealms && kind.realmPath!(body) === '/') continue
        const name = entity.nameField ? body[entity.nameField] : undefined
        entries.push({
          action: 'delete',
          entity: entity.name,
          scope,
          id,
          name: typeof name === 'string' ? name : undefined,
          file: '(target)',
          notes: [],
          wave: isRealms ? WAVE.cleanRealms - realmDepth(kind.realmPath!(body)) : WAVE.cleanRealm,
        })
      }
    }
  }
  entries.sort((a, b) => a.wave - b.wave)
  return { entries, skipped: read.skipped }
}

/** How many entries of each action the plan holds. */
export function counts(entries: readonly PlanEntry[]): Record<PlanAction, number> {
  const result: Record<PlanAction, number> = {
    create: 0,
    update: 0,
    delete: 0,
    unchanged: 0,
    conflict: 0,
    failed: 0,
  }
  for (const entry of entries) result[entry.action]++
  return result
}
