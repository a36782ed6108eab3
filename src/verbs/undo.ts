import { AmshError } from '../errors.ts'
import type { BatchRecord } from '../journal/journal.ts'
import { undoBatch, undoSummary, undoValue } from '../journal/undo.ts'
import type { JournalPlace } from '../transport/journaling.ts'
import { checkOptions, stringOption } from './common.ts'
import type { Verb, VerbContext } from './types.ts'

/** The journal of the transport in use; refuses when there is none. */
export function journalOf(ctx: VerbContext, verb: string): JournalPlace {
  if (!ctx.journal) {
    throw new AmshError(
      'E_UNSUPPORTED',
      `${verb}: the journal is off (AMSH_JOURNAL=off), so no change is recorded to show or undo`
    )
  }
  return ctx.journal
}

/** A batch id as typed: journal list shows them. */
export function batchId(text: string, option: string): number {
  if (!/^\d+$/.test(text)) {
    throw new AmshError(
      'E_USAGE',
      `${option} takes a batch id, a number as journal list shows it (not "${text}")`
    )
  }
  return Number(text)
}

export function findBatch(place: JournalPlace, id: number): BatchRecord {
  const batch = place.journal.batch(id)
  if (!batch) {
    throw new AmshError(
      'E_NOT_FOUND',
      `no batch ${id} in the journal (${place.journal.path}); journal list shows the batches it holds`
    )
  }
  return batch
}

/** Whether a process of this id runs (one that is not ours to signal runs too). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function connectHint(place: string): string {
  return place.startsWith('local ')
    ? `connect local:${place.slice('local '.length)}`
    : `connect ${place}`
}

function chosen(ctx: VerbContext, place: JournalPlace, given: string | undefined): BatchRecord {
  const { journal } = place
  if (given === undefined) {
    const last = journal.latestUndoable()
    if (!last) {
      throw new AmshError(
        'E_NOT_FOUND',
        `nothing to undo: the journal (${journal.path}) holds no batch that changed anything and is not undone already; journal list shows what it holds`
      )
    }
    return last
  }
  return findBatch(place, batchId(given, '--batch'))
}

function refuse(batch: BatchRecord, place: JournalPlace, force: boolean): void {
  const { id } = batch
  if (place.journal.isOfRun(id)) {
    throw new AmshError(
      'E_USAGE',
      `batch ${id} is the one this run is making; undo it once the run has ended`
    )
  }
  if (batch.place !== place.where) {
    throw new AmshError(
      'E_USAGE',
      `batch ${id} changed ${batch.place}, but commands go to ${place.where} now; ${connectHint(batch.place)} first, then undo --batch ${id}`
    )
  }
  if (force) return
  if (
    batch.state === 'open' &&
    batch.pid != null &&
    batch.pid !== process.pid &&
    alive(batch.pid)
  ) {
    throw new AmshError(
      'E_USAGE',
      `batch ${id} is still being made by another amsh (process ${batch.pid}); undo it once that run has ended (--force undoes it now)`
    )
  }
  if (batch.state === 'undone') {
    throw new AmshError(
      'E_USAGE',
      `batch ${id} is undone already (undo --batch <id> of that undo's batch, as journal list shows it, redoes it); --force undoes it again`
    )
  }
  if (batch.state === 'rolled-back') {
    throw new AmshError(
      'E_USAGE',
      `batch ${id} was rolled back when it failed (--atomic): none of its changes are left to undo; --force tries anyway`
    )
  }
}

export const undo: Verb = {
  name: 'undo',
  summary: 'Put back what a batch changed: the last one, or the one --batch names',
  usage: 'undo [--last | --batch <id>] [--force]',
  takesEntity: false,
  options: [
    {
      name: 'last',
      type: 'boolean',
      help: 'the newest batch not undone yet, undo batches aside (the default): undo after undo walks back',
    },
    {
      name: 'batch',
      type: 'string',
      value: 'id',
      help: 'the batch to undo, as journal list shows it',
    },
    {
      name: 'force',
      type: 'boolean',
      help: 'put back items changed since the batch too, and undo a batch undone or rolled back already',
    },
  ],
  details: [
    'Every change amsh makes is journaled with the item as it was ($AMSH_HOME/journal.db); a run',
    '(a batch file, -c, stdin) or a line at the prompt is one batch. undo puts each item the batch',
    'touched back as it was: it deletes what the batch made, restores what it changed and makes',
    'again, with the same id, what it deleted. An item someone changed after the batch is left as',
    'it is, and reported, unless --force. Fields holding secrets are not journaled: they keep the',
    'value they have now. undo is a batch of its own: undo --batch <its id> redoes what it undid.',
  ].join('\n'),
  async run(invocation, ctx) {
    checkOptions(this, invocation)
    const place = journalOf(ctx, 'undo')
    const given = stringOption(invocation, 'batch')
    if (given !== undefined && invocation.options.last === true) {
      throw new AmshError('E_USAGE', 'give --last or --batch <id>, not both')
    }
    const force = invocation.options.force === true
    const batch = chosen(ctx, place, given)
    refuse(batch, place, force)
    // The undo's changes are a batch of their own, which names the batch it undoes.
    place.journal.undoing(place.where, batch.id)
    let outcome
    let by
    try {
      outcome = await undoBatch(ctx.transport, place.journal, batch, { force })
      by = place.currentBatch()
    } finally {
      place.journal.undone(place.where)
    }
    const first = outcome.notRestored[0]
    if (first) {
      const items = outcome.notRestored.map(
        (item) => `${item.entity} ${item.scope} ${item.id ?? '(id not known)'}: ${item.why}`
      )
      throw new AmshError(
        first.code,
        `${undoSummary(outcome, 'undid only part of')}; ${items.join('; ')}`,
        { details: undoValue(outcome, by) as Record<string, never> }
      )
    }
    place.journal.markUndone(batch.id)
    return undoValue(outcome, by)
  },
}
