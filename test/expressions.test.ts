import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { AmshError } from '../src/errors.ts'
import { parseProperties } from '../src/migrate/properties.ts'

function fails(run: () => unknown, code: string, message: RegExp): void {
  assert.throws(
    run,
    (err: unknown) => err instanceof AmshError && err.code === code && message.test(err.message),
    `should fail with ${code} ${message}`
  )
}

describe('.properties files', () => {
  const parse = (text: string): Record<string, string> =>
    Object.fromEntries(parseProperties(text, 'x.properties'))

  test('the three separators, and blanks around them', () => {
    assert.deepEqual(parse('a=1\nb: 2\nc 3\nd   =   4\ne\t:\t5\nf =\n'), {
      a: '1',
      b: '2',
      c: '3',
      d: '4',
      e: '5',
      f: '',
    })
  })

  test('comments and blank lines; a value keeps its trailing blanks and inner separators', () => {
    assert.deepEqual(parse('# c\n! c\n   # c\n\n  \na=x = y: z  \n'), { a: 'x = y: z  ' })
  })

  test('a key alone, and one separator only taken', () => {
    assert.deepEqual(parse('alone\nk:=v\nk2 = = v'), { alone: '', k: '=v', k2: '= v' })
  })

  test('continuation lines, their leading blanks dropped; an even count of backslashes ends', () => {
    assert.deepEqual(parse('a = one, \\\n    two, \\\n\tthree\nb = c:\\\\\nd = e'), {
      a: 'one, two, three',
      b: 'c:\\',
      d: 'e',
    })
  })

  test('a comment does not continue; a continued line starting with # is not a comment', () => {
    assert.deepEqual(parse('# x \\\na = 1 \\\n# 2'), { a: '1 # 2' })
  })

  test('CRLF and CR line ends; a backslash at the very end is dropped', () => {
    assert.deepEqual(parse('a=1\r\nb=2\rc=3\\'), { a: '1', b: '2', c: '3' })
  })

  test('escapes in keys and values: \\uXXXX, \\t \\n \\r \\f, and any other character', () => {
    assert.deepEqual(parse('my\\ key\\=x\\:y = caf\\u00e9 \\t\\n\\r\\f \\q\\#'), {
      'my key=x:y': 'café \t\n\r\f q#',
    })
  })

  test('a later key replaces an earlier one', () => {
    assert.deepEqual(parse('a=1\na=2'), { a: '2' })
  })

  test('a malformed \\u escape names the file and line', () => {
    fails(() => parse('a=1\nb=\\u12G4'), 'E_PARSE', /x\.properties:2: a malformed \\u escape/)
  })

  test('a long text parses in linear time', () => {
    const text = 'k = ' + 'ab \\\n   '.repeat(50_000) + '\nv = ' + '\\u0041\\t'.repeat(50_000)
    const started = performance.now()
    const entries = parseProperties(text, 'big.properties')
    assert.equal(entries.get('k')?.length, 150_000)
    assert.equal(entries.get('v')?.length, 100_000)
    assert.ok(performance.now() - started < 2000)
  })
})
