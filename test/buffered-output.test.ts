// A batch that keeps nothing until it ends (--atomic, --dry-run) sends its output in chunks;
// a terminal, and every other batch, gets each write at once.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BufferedOutput } from '../src/output/buffered.ts'

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; writes: string[] } {
  const writes: string[] = []
  const stream = { isTTY, write: (text: string) => writes.push(text) > 0 }
  return { stream: stream as unknown as NodeJS.WriteStream, writes }
}

test('held, writes go out together: on flush, past 64 KB, or a moment later', async () => {
  const { stream, writes } = fakeStream(false)
  const out = new BufferedOutput(stream)
  out.hold()
  out.write('a\n')
  out.write('b\n')
  assert.deepEqual(writes, [])
  out.flush()
  assert.deepEqual(writes, ['a\nb\n'])
  out.write('x'.repeat(70_000))
  assert.equal(writes.length, 2)
  out.write('late\n')
  await new Promise((done) => setTimeout(done, 60))
  assert.deepEqual(writes.at(-1), 'late\n')
})

test('not held, or to a terminal, each write goes out at once', () => {
  for (const [isTTY, hold] of [
    [false, false],
    [true, true],
  ] as const) {
    const { stream, writes } = fakeStream(isTTY)
    const out = new BufferedOutput(stream)
    if (hold) out.hold()
    out.write('a\n')
    assert.deepEqual(writes, ['a\n'])
  }
})

test('a gate that cannot let output go yet keeps it, until it can', async () => {
  for (const isTTY of [false, true]) {
    const { stream, writes } = fakeStream(isTTY)
    const out = new BufferedOutput(stream)
    let open = false
    out.hold(() => open)
    out.write('a\n')
    out.flush()
    out.write('b\n')
    assert.deepEqual(writes, [])
    open = true
    await new Promise((done) => setTimeout(done, 60))
    assert.deepEqual(writes.join(''), 'a\nb\n')
    out.write('c\n')
    out.flush()
    assert.deepEqual(writes.join(''), 'a\nb\nc\n')
  }
})
