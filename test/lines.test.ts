import assert from 'node:assert/strict'
import { test } from 'node:test'
import { lineKind, logicalLines } from '../src/shell/lines.ts'

test('line kinds', () => {
  assert.equal(lineKind('   '), 'blank')
  assert.equal(lineKind('# a comment'), 'comment')
  assert.equal(lineKind('  // a comment'), 'comment')
  assert.equal(lineKind('#!/usr/bin/env amsh'), 'comment')
  assert.equal(lineKind(':exit'), 'meta')
  assert.equal(lineKind('?'), 'meta')
  assert.equal(lineKind('. other.amster'), 'meta')
  assert.equal(lineKind('query Scripts --realm /'), 'command')
})

test('logical lines join continuations, open quotes and open JSON bodies', () => {
  const source = [
    'read Scripts \\',
    '  --realm / --id x',
    "create Scripts --realm / --body '{",
    '  "name": "n"',
    "}'",
    'create Scripts --realm / --body {',
    '  "name": "m"',
    '}',
    '# done',
    ':exit',
  ].join('\n')
  assert.deepEqual(
    [...logicalLines(source)],
    [
      { text: 'read Scripts   --realm / --id x', line: 1 },
      { text: 'create Scripts --realm / --body \'{\n  "name": "n"\n}\'', line: 3 },
      { text: 'create Scripts --realm / --body {\n  "name": "m"\n}', line: 6 },
      { text: '# done', line: 9 },
      { text: ':exit', line: 10 },
    ]
  )
})

test('an unfinished last line comes out as it is', () => {
  assert.deepEqual(
    [...logicalLines("read Scripts --id 'x")],
    [{ text: "read Scripts --id 'x", line: 1 }]
  )
})
