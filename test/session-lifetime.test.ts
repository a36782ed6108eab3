// A session that ends lets go of what its lines held: node keeps every AsyncLocalStorage that has
// run in a list that each new promise of the process walks, until the storage is disabled. Sessions
// that ended without it made every later promise slower: 3,000 sessions, each running a line,
// went from 7 to 33 ms a line (found by npm run fuzz, whose values target makes a session per input).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Frame } from '../src/shell/session.ts'
import { LocalStore } from '../src/transport/local/store.ts'
import { quietSession } from './helpers.ts'

const store = new LocalStore({ path: ':memory:', product: 'am8' })

const frame: Frame = {
  file: '<test>',
  line: 1,
  baseDir: '.',
  chain: [],
  via: undefined,
  host: {
    load: async () => undefined,
    exit: () => undefined,
    errexit: () => undefined,
    output: () => undefined,
    failed: () => undefined,
  },
}

/** The time 20,000 promises take to make and settle, in ms (the best of 3). */
async function promiseTime(): Promise<number> {
  let best = Infinity
  for (let round = 0; round < 3; round++) {
    const start = performance.now()
    for (let i = 0; i < 20_000; i++) await Promise.resolve(i)
    best = Math.min(best, performance.now() - start)
  }
  return best
}

test('sessions that ended leave no cost on the promises of the process', async () => {
  const first = quietSession(store)
  await first.execute('x = 1', frame)
  first.close()
  const before = await promiseTime()
  for (let i = 0; i < 300; i++) {
    const ended = quietSession(store)
    await ended.execute('x = 1', frame)
    ended.close()
  }
  const after = await promiseTime()
  // With the storages left enabled, each promise walked 300 of them: 30 to 100 times slower.
  assert.ok(
    after < before * 5 + 5,
    `20,000 promises took ${before.toFixed(1)} ms, then ${after.toFixed(1)} ms`
  )
})
