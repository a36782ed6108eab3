import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkSource } from '../src/catalog/syntax/index.ts'

// tree-sitter's trees live in native memory V8 does not count: without a collection after a
// large source, each 1 MB Groovy check kept ~45 MiB until some later GC, and a server checking
// one after another grew without bound (found by npm run fuzz).

test('checking large Groovy sources one after another keeps the memory flat', async () => {
  const source = 'def x = [a: 1]\nprintln x\n'.repeat(20_000) // 500 KB
  const rss = () => process.memoryUsage().rss / 2 ** 20
  await checkSource('GROOVY', source)
  await new Promise((done) => setImmediate(done))
  const before = rss()
  for (let i = 0; i < 12; i++) {
    assert.deepEqual(await checkSource('GROOVY', source), [])
    // Between checks the event loop turns, as between a server's requests.
    await new Promise((done) => setImmediate(done))
  }
  const grown = rss() - before
  assert.ok(grown < 80, `RSS grew ${grown.toFixed(0)} MiB over 12 checks of 500 KB`)
})
