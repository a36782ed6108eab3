import { getEntity } from '../catalog/catalog.ts'
import { toAmshError, type ErrorCode, type JsonSafe } from '../errors.ts'
import type { JsonObject } from '../json.ts'
import type { Target, Transport } from '../transport/types.ts'
import { fingerprint, restoredBody, sameImage } from './images.ts'
import type { BatchRecord, EntryRecord, Journal } from './journal.ts'

// Puts back what a batch changed, through any transport: each item the batch touched goes back
// to the state its first entry recorded, in the reverse of the order the batch first touched
// them. An item is left alone when it is already as it was, and, unless
// forced, when it is neither as it was nor as the batch left it: someone changed it since, and
// putting it back would lose their change.

export interface NotRestored {
  entity: string
  scope: string
  id: string | null
  why: string
  code: ErrorCode
}

export interface UndoOutcome {
  batch: number
  /** Items the batch made, deleted again. */
  deleted: number
  /** Items the batch changed, put back. */
  restored: number
  /** Items the batch deleted, made again with their ids. */
  recreated: number
  /** Items already as they were before the batch. */
  already: number
  notRestored: NotRestored[]
}

interface Item {
  first: EntryRecord
  last: EntryRecord
}

function scopeLabel(entry: EntryRecord): string {
  return entry.scope.kind === 'global' ? 'global' : entry.scope.realm
}

/**
 * The items of a batch, each with its first and last entry, the one the batch touched first
 * last: each item's whole history is undone where it began, so what was made inside a realm the
 * batch made goes before the realm, and a realm the batch deleted comes back before what it held.
 */
function itemsOf(entries: EntryRecord[]): Item[] {
  const items = new Map<string, Item>()
  const unnamed: Item[] = []
  for (const entry of entries) {
    if (entry.id === undefined) {
      unnamed.push({ first: entry, last: entry })
      continue
    }
    const key = JSON.stringify([entry.entity, scopeLabel(entry), entry.id])
    const known = items.get(key)
    if (known) known.last = entry
    else items.set(key, { first: entry, last: entry })
  }
  return [...items.values(), ...unnamed].sort((a, b) => b.first.seq - a.first.seq)
}

/** Why a change that never said what it made cannot be undone, and how to find what it made. */
function unnamed(entry: EntryRecord): string {
  const change = entry.op === 'action' ? `action ${entry.action ?? ''}` : entry.op
  const what = entry.answered
    ? `${change} answered without naming what it made`
    : `${change} never answered (the run was stopped while it was sent)`
  const scope = entry.scope.kind === 'global' ? '--global' : `--realm ${entry.scope.realm}`
  const nameField = getEntity(entry.entity).nameField
  const find =
    entry.name !== undefined && nameField
      ? `; if it was made, query ${entry.entity} ${scope} --filter '${nameField} eq ${JSON.stringify(entry.name)}' finds it`
      : ''
  return `${what}, so the id the server gave it is not known${find}`
}

async function readOrNull(transport: Transport, target: Target, id: string) {
  try {
    return await transport.read(target, id)
  } catch (err) {
    if (toAmshError(err).code === 'E_NOT_FOUND') return null
    throw err
  }
}

export async function undoBatch(
  transport: Transport,
  journal: Journal,
  batch: BatchRecord,
  options: { force: boolean }
): Promise<UndoOutcome> {
  const outcome: UndoOutcome = {
    batch: batch.id,
    deleted: 0,
    restored: 0,
    recreated: 0,
    already: 0,
    notRestored: [],
  }
  for (const { first, last } of itemsOf(journal.entries(batch.id))) {
    const refuse = (why: string, code: ErrorCode = 'E_UNSUPPORTED') =>
      outcome.notRestored.push({
        entity: first.entity,
        scope: scopeLabel(first),
        id: first.id ?? null,
        why,
        code,
      })
    if (first.id === undefined) {
      refuse(unnamed(first))
      continue
    }
    if (!first.beforeKnown) {
      refuse('it could not be read before the change, so its earlier state is not known')
      continue
    }
    try {
      const entity = getEntity(first.entity)
      const target: Target = { entity, scope: first.scope }
      const id = first.id
      const current = await readOrNull(transport, target, id)
      const before = first.before
      if (sameImage(current, before)) {
        outcome.already++
        continue
      }
      // An entry that never answered may or may not have changed the item: putting it back is
      // then the only way to the start, and harmless when the change never happened.
      if (!options.force && last.answered && fingerprint(current) !== last.after) {
        refuse(
          `it was changed after batch ${batch.id} (${current == null ? 'deleted' : 'it is neither as the batch left it nor as it was before'}); undo --batch ${batch.id} --force puts it back anyway`,
          'E_STALE'
        )
        continue
      }
      if (before == null) {
        await transport.delete(target, id)
        outcome.deleted++
      } else if (current == null && !entity.singleton) {
        await transport.create(target, restoredBody(before, null), id)
        outcome.recreated++
      } else {
        await transport.update(target, id, restoredBody(before, current))
        outcome.restored++
      }
    } catch (err) {
      const error = toAmshError(err)
      refuse(`${error.code}: ${error.message}`, error.code)
    }
  }
  return outcome
}

/** `undid batch 7: 3 deleted, 1 restored, 1 already as before`. */
export function undoSummary(outcome: UndoOutcome, verb = 'undid'): string {
  const counts = [
    [outcome.deleted, 'deleted'],
    [outcome.restored, 'restored'],
    [outcome.recreated, 'recreated'],
    [outcome.already, 'already as before'],
    [outcome.notRestored.length, 'not restored'],
  ] as const
  const said = counts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`)
  return `${verb} batch ${outcome.batch}: ${said.length > 0 ? said.join(', ') : 'nothing to do'}`
}

/** The outcome as a command's value. */
export function undoValue(outcome: UndoOutcome, undoBatchId: number | undefined): JsonObject {
  const value: Record<string, JsonSafe> = {
    summary: undoSummary(outcome),
    batch: outcome.batch,
    deleted: outcome.deleted,
    restored: outcome.restored,
    recreated: outcome.recreated,
    alreadyAsBefore: outcome.already,
  }
  if (undoBatchId !== undefined) value.undoBatch = undoBatchId
  if (outcome.notRestored.length > 0) {
    value.notRestored = outcome.notRestored.map(({ entity, scope, id, why }) => ({
      entity,
      scope,
      id,
      why,
    }))
  }
  return value as JsonObject
}
