/* eslint-disable no-control-regex -- colour codes are what these tests look for */
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { after, describe, test } from 'node:test'
import { paintJson } from '../src/output/colour.ts'
import { render, styleFor, type Style } from '../src/output/format.ts'
import { runAmsh, tempDir } from './helpers.ts'

// Output formats, on real query results: the default scripts a new store holds are AM's own
// (their names, contexts and ids as AM ships them), so their listing is the same on every run
// and is compared with a snapshot under test/fixtures/output/. UPDATE_SNAPSHOTS=1 rewrites them.

const SNAPSHOTS = join(import.meta.dirname, 'fixtures', 'output')

function snapshot(name: string, actual: string): void {
  const path = join(SNAPSHOTS, name)
  if (process.env.UPDATE_SNAPSHOTS === '1') writeFileSync(path, actual)
  assert.equal(actual, readFileSync(path, 'utf8'), `${name} differs from its snapshot`)
}

const { dir, remove } = tempDir()
after(remove)
const store = join(dir, 'store.db')
const amsh = (args: string[], env: Record<string, string> = {}) => {
  const run = runAmsh(['--store', store, ...args], { env: { AMSH_HOME: dir, ...env } })
  assert.equal(run.status, 0, run.stderr)
  return run
}
const FIRST_FIVE = 'query Scripts --realm / --pageSize 5 --sortKeys name'

describe('the formats of a query of the default scripts', () => {
  test('json: one line when piped', () => {
    const out = amsh(['-c', `${FIRST_FIVE} --fields name`]).stdout
    assert.equal(out.trimEnd().split('\n').length, 1)
    assert.equal((JSON.parse(out) as unknown[]).length, 5)
  })

  test('table: numbered rows under the entity’s columns', () => {
    snapshot('scripts.table.txt', amsh(['-o', 'table', '-c', FIRST_FIVE]).stdout)
  })

  test('table: --fields narrows the columns to those asked for, --columns chooses them', () => {
    snapshot(
      'scripts-fields.table.txt',
      amsh(['-o', 'table', '-c', `${FIRST_FIVE} --fields name,language`]).stdout
    )
    const chosen = amsh(['-o', 'table', '-c', `${FIRST_FIVE} --columns context,name`]).stdout
    assert.match(chosen.split('\n')[1]!, /^\| +\| context +\| name +\|$/)
  })

  test('yaml and ndjson', () => {
    snapshot(
      'scripts.yaml',
      amsh(['-o', 'yaml', '-c', `${FIRST_FIVE} --fields name,context,language`]).stdout
    )
    const lines = amsh(['-o', 'ndjson', '-c', `${FIRST_FIVE} --fields name`]).stdout
    const names = lines
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { name: string }).name)
    assert.equal(names.length, 5)
    assert.deepEqual(names, [...names].sort())
  })

  test(':set output in a batch changes the format of the commands after it', () => {
    const out = amsh(['-c', ':set output ndjson', '-c', `${FIRST_FIVE} --fields name`]).stdout
    assert.equal(out.trimEnd().split('\n').length, 5)
    const bad = runAmsh(['--store', store, '-c', ':set output xml'], { env: { AMSH_HOME: dir } })
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /unknown output format "xml" \(allowed: json, yaml, ndjson, table\)/)
  })
})

describe('--decode', () => {
  const body = (source: Buffer) =>
    JSON.stringify({
      name: 'Decoded',
      description: '',
      script: source.toString('base64'),
      language: 'JAVASCRIPT',
      context: 'LIBRARY',
    })

  test('shows the source as text in every format, and leaves it out of tables', () => {
    const source = 'var greeting = "hello";\nvar n = 1;\n'
    amsh(['-c', `create Scripts --realm / --id decoded --body '${body(Buffer.from(source))}'`])
    const read = 'read Scripts --realm / --id decoded --decode'
    assert.equal((JSON.parse(amsh(['-c', read]).stdout) as { script: string }).script, source)
    assert.match(
      amsh(['-o', 'yaml', '-c', read]).stdout,
      /^script: \|\n {2}var greeting = "hello";\n {2}var n = 1;\n/m
    )
    const table = amsh(['-o', 'table', '-c', `${read} --columns name,script`]).stdout
    assert.match(table, /\| name +\|/)
    assert.doesNotMatch(table, /script|greeting/)
    // Without --decode, the wire's base64.
    assert.equal(
      (JSON.parse(amsh(['-c', 'read Scripts --realm / --id decoded']).stdout) as { script: string })
        .script,
      Buffer.from(source).toString('base64')
    )
  })

  test('a source that is not UTF-8 is shown escaped, with a note for stderr', () => {
    // amsh refuses to store one; a server may still hold one (written by another tool).
    const latin1 = Buffer.from([...Buffer.from('var s = "caf'), 0xe9, ...Buffer.from('";')])
    const item = { _id: 'latin', name: 'Latin', script: latin1.toString('base64') }
    const { text, notes } = render([item], 'json', 'Scripts', { decode: true })
    assert.equal((JSON.parse(text) as { script: string }[])[0]!.script, 'var s = "caf\\xe9";')
    assert.deepEqual(notes, [
      'the source of Scripts latin is not all UTF-8: bytes that are not are shown as \\xNN',
    ])
  })
})

describe('style', () => {
  const rows = [{ name: 'A rather long script name that will not fit', context: 'LIBRARY' }]

  test('a table wider than the terminal has its widest column cut with an ellipsis', () => {
    const style: Style = { pretty: true, color: false, width: 40 }
    const { text } = render(rows, 'table', undefined, {}, style)
    for (const line of text.split('\n')) assert.ok(line.length <= 40, `${line} fits 40 columns`)
    assert.match(text, /\| A rather long script …/)
    assert.equal(text.split('\n').length, 5, 'no row wraps onto a second line')
  })

  test('colours only when the style says so; NO_COLOR and --no-color turn them off', () => {
    const colour: Style = { pretty: true, color: true }
    assert.match(render({ a: 1 }, 'json', undefined, {}, colour).text, /\u001b\[36m"a"\u001b\[39m/)
    assert.doesNotMatch(render({ a: 1 }).text, /\u001b/)
    assert.equal(
      paintJson('{"k":"v: \\"x\\"","n":-1.5e3,"t":true}'),
      '{\u001b[36m"k"\u001b[39m:\u001b[32m"v: \\"x\\""\u001b[39m,\u001b[36m"n"\u001b[39m:\u001b[33m-1.5e3\u001b[39m,\u001b[36m"t"\u001b[39m:\u001b[35mtrue\u001b[39m}'
    )
    // A terminal that shows colours gets them unless --no-color; NO_COLOR makes node's
    // hasColors() say no; a pipe never does, whatever FORCE_COLOR says.
    const terminal = (colours: boolean) =>
      ({ isTTY: true, columns: 80, hasColors: () => colours }) as unknown as NodeJS.WriteStream
    assert.equal(styleFor(terminal(true)).color, true)
    assert.equal(styleFor(terminal(true), false).color, false)
    assert.equal(styleFor(terminal(false)).color, false)
    const piped = amsh(['-c', `${FIRST_FIVE} --fields name`], { FORCE_COLOR: '1' })
    assert.doesNotMatch(piped.stdout, /\u001b/)
  })
})

// Found by the fuzz target of script values: the prompt showing such a line's value threw.
test('a value that throws on a second look (a getter, a custom inspect) is shown, never thrown', () => {
  let reads = 0
  const late = {
    get name() {
      if (reads++ > 0) throw new Error('late')
      return 'x'
    },
  }
  assert.equal(render(late).text, '{ name: [Getter] }')
  const custom = {
    big: 1n,
    [inspect.custom]() {
      throw new Error('custom')
    },
  }
  assert.match(render(custom).text, /big: 1n/)
})
