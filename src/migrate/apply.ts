import { getEntity } from '../catalog/catalog.ts'
import { toAmshError } from '../errors.ts'
import type { Transport } from '../transport/types.ts'
import type { PlanEntry } from './plan.ts'

// Carries out a plan's writes, wave by wave: a wave starts when the one before has ended (a
// realm exists before what lives in it, a library before its users), and the entries of one wave
// go out together, a bounded number at a time, so a server on the other side of a network is
// kept busy without being flooded.

export interface ApplyOptions {
  /** How many writes may be on their way at once. */
  concurrency: number
  /** Stop starting writes after the first failure. */
  failOnError: boolean
  /** Told of each entry once written (or failed). */
  onDone?(entry: PlanEntry): void
}

async function write(transport: Transport, entry: PlanEntry): Promise<void> {
  const target = { entity: getEntity(entry.entity), scope: entry.scope }
  switch (entry.action) {
    case 'create':
      await transport.create(target, entry.body!, entry.id === '' ? undefined : entry.id)
      return
    case 'update':
      await transport.update(target, entry.id, entry.body!)
      return
    case 'delete':
      await transport.delete(target, entry.id)
      return
    default:
      return
  }
}

/** Writes the plan's create, update and delete entries; a failed one becomes `failed` in place. */
export async function applyPlan(
  transport: Transport,
  entries: PlanEntry[],
  options: ApplyOptions
): Promise<void> {
  const writes = entries.filter(
    (e) => e.action === 'create' || e.action === 'update' || e.action === 'delete'
  )
  let stopped = false
  for (let start = 0; start < writes.length && !stopped;) {
    let end = start
    while (end < writes.length && writes[end]!.wave === writes[start]!.wave) end++
    const wave = writes.slice(start, end)
    start = end
    let next = 0
    const worker = async () => {
      while (next < wave.length && !stopped) {
        const entry = wave[next++]!
        try {
          await write(transport, entry)
        } catch (err) {
          const error = toAmshError(err)
          entry.reason = `${entry.action} failed: ${error.message}`
          entry.code = error.code
          entry.action = 'failed'
          if (options.failOnError) stopped = true
        }
        options.onDone?.(entry)
      }
    }
    await Promise.all(Array.from({ length: Math.min(options.concurrency, wave.length) }, worker))
  }
}
