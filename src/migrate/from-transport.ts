import { entityNames, getEntity, type EntityDef, type ScopeKind } from '../catalog/catalog.ts'
import { AmshError, toAmshError } from '../errors.ts'
import type { JsonObject } from '../json.ts'
import { kindOf } from '../kinds/index.ts'
import type { Scope, Transport } from '../transport/types.ts'
import type { ConfigItem, ReadProblem } from './items.ts'
import { itemFile, realmFolder } from './layout.ts'

// Reads the configuration a transport holds as ConfigItems, entity by entity and scope by scope,
// for an export (written as files) or a diff (compared with another side). Items stream out as
// they are read, so a store of 100,000 scripts is never held whole; a failure is the failure of
// one entity in one scope, reported, and the rest is still read.

/** What to read: Amster's --realms, --realmEntities and --globalEntities; undefined is all. */
export interface Selection {
  realms?: readonly string[]
  realmEntities?: readonly string[]
  globalEntities?: readonly string[]
  /** A named realm the transport lacks holds nothing (a diff), rather than failing (an export). */
  missingRealmsEmpty?: boolean
}

const PAGE = 500

/**
 * The entities that can travel in a scope: those that can be read there (a singleton) or listed
 * (a collection), and written back (created or updated). A view that cannot be written
 * (Libraries, derived from Scripts) is not configuration of its own.
 */
export function migratable(scope: ScopeKind): EntityDef[] {
  return entityNames()
    .map((name) => getEntity(name))
    .filter((entity) => {
      const offers = entity.scopes[scope]
      if (!offers) return false
      const readable = entity.singleton ? offers.read : offers.query
      return readable !== undefined && (offers.create !== undefined || offers.update !== undefined)
    })
}

/** The entities named by an --xxxEntities list (checked against the catalog), or all of them. */
function chosen(
  transport: Transport,
  scope: ScopeKind,
  names: readonly string[] | undefined
): EntityDef[] {
  // What the server has not (Janssen's scripts on AM) is no failure of an export of all.
  const all = migratable(scope).filter((entity) => transport.carries?.(entity) ?? true)
  if (names === undefined) return all
  return names.map((name) => {
    const entity = getEntity(name)
    if (!all.includes(entity)) {
      const where = scope === 'global' ? '--globalEntities' : '--realmEntities'
      throw new AmshError(
        'E_USAGE',
        `${where}: ${entity.name} cannot be exported ${scope === 'global' ? 'globally' : 'from a realm'}; those that can: ${all.map((e) => e.name).join(' ')}`
      )
    }
    return entity
  })
}

/** The entity whose items are the realms themselves, if the catalog has one. */
export function realmEntity(): EntityDef | undefined {
  return migratable('global').find((entity) => kindOf(entity).realmPath !== undefined)
}

/** Every item of a collection in a scope, a page at a time. */
export async function* members(
  transport: Transport,
  entity: EntityDef,
  scope: Scope
): AsyncGenerator<JsonObject> {
  const target = { entity, scope }
  let offset = 0
  let cookie: string | undefined
  let firstOfLast: unknown
  for (;;) {
    // By the last page's cookie where the server gives one: it need not skip what came before.
    const page = await transport.query(target, {
      filter: 'true',
      pageSize: PAGE,
      ...(cookie === undefined ? { pagedResultsOffset: offset } : { pagedResultsCookie: cookie }),
    })
    const first = page.result[0]?.[entity.idField]
    // A server that ignores paging answers everything (or the same page) every time.
    if (offset > 0 && first !== undefined && first === firstOfLast) return
    firstOfLast = first
    yield* page.result
    if (page.result.length < PAGE || page.result.length > PAGE) return
    offset += page.result.length
    cookie = page.pagedResultsCookie ?? undefined
  }
}

/**
 * The ids of the global items a realm's query of `entity` also lists (its `alsoLists`: the
 * global scripts among a realm's Scripts); none when it lists none, or the server cannot say.
 */
export async function sharedIds(transport: Transport, entity: EntityDef): Promise<Set<string>> {
  const ids = new Set<string>()
  if (!entity.alsoLists) return ids
  const shared = getEntity(entity.alsoLists)
  try {
    for await (const body of members(transport, shared, { kind: 'global' })) {
      ids.add(String(body[shared.idField]))
    }
  } catch {
    // A server without the global entity lists no global items apart.
  }
  return ids
}

/** The realm paths a transport holds, top level first. */
export async function realmsOf(transport: Transport): Promise<string[]> {
  const entity = realmEntity()
  if (!entity) return ['/']
  const paths: string[] = []
  for await (const body of members(transport, entity, { kind: 'global' })) {
    paths.push(kindOf(entity).realmPath!(body))
  }
  return paths.sort()
}

/** An item as it is filed: Amster leaves `_rev` out of its files. */
function asItem(entity: EntityDef, scope: Scope, body: JsonObject): ConfigItem {
  const { _rev, ...data } = body
  const id = entity.singleton ? '' : String(body[entity.idField] ?? '')
  const kind = kindOf(entity)
  const name = entity.singleton
    ? undefined
    : kind.realmPath
      ? realmFolder(kind.realmPath(data))
      : id
  return { entity: entity.name, scope, id, body: data, file: itemFile(scope, entity.name, name) }
}

/** A failure of the reader's consumer (a full disk): it ends the reading, unlike a server's. */
class ConsumerFailed {
  constructor(readonly error: unknown) {}
}

async function handOver(reading: TransportReading, item: ConfigItem): Promise<void> {
  try {
    await reading.item(item)
  } catch (err) {
    throw new ConsumerFailed(err)
  }
}

export interface TransportReading {
  /** Called for each item, in a stable order; awaited, so a slow writer slows the reading. */
  item(item: ConfigItem): Promise<void> | void
  problem(problem: ReadProblem): void
}

/**
 * Reads what `selection` names from the transport. Realm-scoped collections that also list the
 * global items of another entity (a realm's Scripts list the GlobalScripts) leave those to it.
 */
export async function readTransport(
  transport: Transport,
  selection: Selection,
  reading: TransportReading
): Promise<void> {
  const globalEntities = chosen(transport, 'global', selection.globalEntities)
  const realmEntities = chosen(transport, 'realm', selection.realmEntities)
  const held = await realmsOf(transport)
  const realms = (selection.realms ?? held).filter(
    (realm) => held.includes(realm) || !selection.missingRealmsEmpty
  )
  for (const realm of realms) {
    if (!held.includes(realm)) {
      throw new AmshError(
        'E_NOT_FOUND',
        `--realms: realm ${realm} does not exist here; the realms: ${held.join(' ')}`
      )
    }
  }
  const globalIds = new Map<string, Set<string>>()
  const each = async (
    entity: EntityDef,
    scope: Scope,
    keep?: (body: JsonObject) => boolean
  ): Promise<void> => {
    const where = scope.kind === 'global' ? 'global' : `realm ${scope.realm}`
    try {
      if (entity.singleton) {
        await handOver(reading, asItem(entity, scope, await transport.read({ entity, scope }, '')))
        return
      }
      const skip = entity.alsoLists ? globalIds.get(entity.alsoLists) : undefined
      const ids = new Set<string>()
      for await (const body of members(transport, entity, scope)) {
        const item = asItem(entity, scope, body)
        if (skip?.has(item.id) || (keep && !keep(body))) continue
        // Only a global collection's ids are needed later (to leave them out of realms).
        if (scope.kind === 'global') ids.add(item.id)
        await handOver(reading, item)
      }
      if (scope.kind === 'global') globalIds.set(entity.name, ids)
    } catch (err) {
      if (err instanceof ConsumerFailed) throw err.error
      const error = toAmshError(err)
      reading.problem({
        file: `${entity.name} (${where})`,
        code: error.code,
        message: error.message,
      })
    }
  }
  for (const entity of globalEntities) {
    // Only the realms chosen travel, and a realm's own entry with them.
    const realmPath = kindOf(entity).realmPath
    const chosenRealm =
      realmPath && selection.realms
        ? (body: JsonObject) => realms.includes(realmPath(body))
        : undefined
    await each(entity, { kind: 'global' }, chosenRealm)
  }
  // The global items listed in realms must be known even when their entity is not exported.
  for (const entity of realmEntities) {
    if (entity.alsoLists && !globalIds.has(entity.alsoLists)) {
      globalIds.set(entity.alsoLists, await sharedIds(transport, entity))
    }
  }
  for (const realm of realms) {
    for (const entity of realmEntities) await each(entity, { kind: 'realm', realm })
  }
}
