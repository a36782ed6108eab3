import type { JournalPlace } from '../transport/journaling.ts'
import type { Transport } from '../transport/types.ts'
import type { Journal } from './journal.ts'
import { undoBatch, undoSummary } from './undo.ts'

// --atomic where there is no transaction to hold the batch in (a server): each change was
// journaled as it went, so a batch that fails is rolled back by undoing its changes, newest
// first. This is compensation, not a transaction: others may have seen the changes meanwhile, and
// an item changed since by someone else is left as they made it, and reported.

export interface Where {
  transport: Transport
  journal: JournalPlace | undefined
}

/**
 * Rolls back what the run going on changed. Changes at `held` were held in a transaction that
 * has been rolled back already; those elsewhere are undone through `now`, the connection in use
 * (an --atomic batch cannot move on once it has changed something). Resolves to whether
 * everything is as it was; `report` is told what was done.
 */
export async function rollBack(
  journal: Journal,
  held: string | undefined,
  now: Where,
  report: (line: string) => void
): Promise<boolean> {
  let whole = true
  for (const { place, id } of [...journal.batchesOfRun()].reverse()) {
    if (place === held) {
      journal.setState(id, 'rolled-back')
      report('amsh: --atomic: the batch failed, so none of its changes were kept')
      continue
    }
    const batch = journal.batch(id)
    if (!batch) continue
    if (now.journal?.where !== place) {
      whole = false
      report(
        `amsh: --atomic: the batch failed, and its changes on ${place} cannot be undone from here (commands go elsewhere now); undo --batch ${id} after connecting there`
      )
      continue
    }
    // The rollback's own changes are not a batch to undo: the failed batch is marked instead.
    const outcome = await journal.unrecorded(() =>
      undoBatch(now.transport, journal, batch, { force: false })
    )
    if (outcome.notRestored.length === 0) {
      journal.setState(id, 'rolled-back')
      report(`amsh: --atomic: the batch failed; ${undoSummary(outcome, 'rolled back')} on ${place}`)
      continue
    }
    whole = false
    journal.setState(id, 'failed')
    report(
      `amsh: --atomic: the batch failed; ${undoSummary(outcome, 'rolled back only part of')} on ${place}:`
    )
    for (const item of outcome.notRestored) {
      report(
        `  not restored: ${item.entity} ${item.scope} ${item.id ?? '(id not known)'}: ${item.why}`
      )
    }
    report(`amsh: once that is settled, undo --batch ${id} puts back what is left`)
  }
  return whole
}
