import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { commandAssignment, lineKind, logicalLines, toleratedCommand } from '../src/shell/lines.ts'

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

describe('commands, JavaScript and the lines in between', () => {
  const kinds: [string, string][] = [
    ['create Scripts --realm /', 'command'],
    ['c scripts --realm /', 'command'],
    ['query', 'command'],
    ['delete Scripts --realm / --id x', 'command'],
    ['connect amUrl -k amsterKey', 'command'],
    ['s = query Scripts --realm /', 'command'],
    ['let s = q Scripts --realm /', 'command'],
    ['delete x', 'javascript'],
    ['delete obj.prop', 'javascript'],
    ['a in b', 'javascript'],
    ['d = 5', 'javascript'],
    ['r == 1', 'javascript'],
    ['x = run("query Scripts")', 'javascript'],
    ['for (const x of s) await run(x)', 'javascript'],
    ['println "x"', 'javascript'],
  ]
  for (const [text, kind] of kinds) {
    test(`${text} is ${kind}`, () => assert.equal(lineKind(text), kind))
  }

  test('x = command assigns the command', () => {
    assert.deepEqual(commandAssignment('const s = query Scripts --realm /'), {
      declaration: 'const',
      name: 's',
      command: 'query Scripts --realm /',
    })
    assert.equal(commandAssignment('s = 1'), undefined)
    assert.equal(commandAssignment('s == query Scripts'), undefined)
  })

  test('-command tolerates a failure of a command only', () => {
    assert.equal(
      toleratedCommand('-delete Scripts --realm / --id x'),
      'delete Scripts --realm / --id x'
    )
    assert.equal(toleratedCommand('-x'), undefined)
    assert.equal(toleratedCommand('-1 + 2'), undefined)
  })

  test('JavaScript continues until the statement is complete', () => {
    const lines = [
      ...logicalLines('for (const x of [1, 2]) {\n  print(x)\n}\nquery Realms --global'),
    ]
    assert.deepEqual(lines, [
      { text: 'for (const x of [1, 2]) {\n  print(x)\n}', line: 1 },
      { text: 'query Realms --global', line: 4 },
    ])
  })
})

describe('long statements join in time that grows with their length, not its square', () => {
  test('a 20,000-line object literal is one logical line, joined in well under a second', () => {
    const n = 20_000
    const lines = [
      'x = {',
      ...Array.from({ length: n }, (_, i) => `  k${i}: "v${i}",`),
      '}',
      'r = 2',
    ]
    const started = performance.now()
    const joined = [...logicalLines(lines.join('\n'))]
    assert.ok(performance.now() - started < 5_000, 'joined in bounded time')
    assert.deepEqual(
      joined.map((l) => l.line),
      [1, n + 3]
    )
  })

  test('what the scanner cannot be sure of is left to the parser: strings, comments, templates, regexes', () => {
    const source = [
      'a = "}" + `${"{"}` // {',
      'b = /[(]/.test("(") /* { */',
      'c = [1,',
      '  2 / 1]',
      "d = '\\''",
      'e = `',
      '{',
      '`',
    ].join('\n')
    assert.deepEqual(
      [...logicalLines(source)].map((l) => l.line),
      [1, 2, 3, 5, 6]
    )
  })
})

describe('a line that cannot be mended ends where it is, a broken block where it closes', () => {
  test('a command whose JSON body has junk after it is one line, failed where it stands', () => {
    const source = 'create Scripts --realm / --body {"name": "x"}/\nquery Realms --global'
    assert.deepEqual(
      [...logicalLines(source)].map((l) => l.line),
      [1, 2]
    )
  })

  test('a Groovy block ported by hand fails as one statement, not one per line', () => {
    const source = [
      'def x = [',
      '  a: 1,',
      '  b: [c: 2]',
      ']',
      'x.each { k, v ->',
      '  println k',
      '}',
      'query Realms --global',
    ].join('\n')
    assert.deepEqual(
      [...logicalLines(source)].map((l) => l.line),
      [1, 5, 8]
    )
  })

  test('a command line ends a broken statement whose brackets never close', () => {
    const source = 'x = { a: = 1\nbar()\nquery Realms --global\nbaz()'
    assert.deepEqual(
      [...logicalLines(source)].map((l) => [l.line, l.text]),
      [
        [1, 'x = { a: = 1\nbar()'],
        [3, 'query Realms --global'],
        [4, 'baz()'],
      ]
    )
  })
})
