import { describe, it } from 'node:test'
import assert from 'node:assert/strict'

import { AmshError } from '../src/errors.ts'
import { MAX_FILTER_DEPTH, parseFilter } from '../src/crest/filter.ts'
import type { FilterNode, FilterValue } from '../src/crest/filter.ts'
import { compareCodePoints, matchesFilter } from '../src/crest/filter-match.ts'
import type { JsonObject } from '../src/json.ts'
import { pick, prng } from './helpers.ts'

const eq = (field: string[], value: FilterValue): FilterNode => ({ op: 'eq', field, value })
const pr = (...field: string[]): FilterNode => ({ op: 'pr', field })
const and = (...children: FilterNode[]): FilterNode => ({ op: 'and', children })
const or = (...children: FilterNode[]): FilterNode => ({ op: 'or', children })
const not = (child: FilterNode): FilterNode => ({ op: 'not', child })

const VALID: [string, FilterNode][] = [
  ['true', { op: 'true' }],
  ['TRUE', { op: 'true' }],
  ['False', { op: 'false' }],
  ['  true  ', { op: 'true' }],
  ['name eq "x"', eq(['name'], 'x')],
  ["name eq 'x'", eq(['name'], 'x')],
  ['/name eq "x"', eq(['name'], 'x')],
  ['name/ eq "x"', eq(['name'], 'x')],
  ['name EQ "x"', eq(['name'], 'x')],
  ['name Eq "x"', eq(['name'], 'x')],
  ['name   eq    "x"', eq(['name'], 'x')],
  ['name eq ""', eq(['name'], '')],
  ["name eq ''", eq(['name'], '')],
  ['name eq "a b  c"', eq(['name'], 'a b  c')],
  ['name eq "(x) and y"', eq(['name'], '(x) and y')],
  ['name eq "a\\"b"', eq(['name'], 'a"b')],
  ["name eq 'it\\'s'", eq(['name'], "it's")],
  ['name eq "it\'s"', eq(['name'], "it's")],
  ["name eq '\"'", eq(['name'], '"')],
  ['name eq "a\\\\b"', eq(['name'], 'a\\b')],
  ['name eq "\\n\\x"', eq(['name'], 'nx')],
  ['name eq "\\😀"', eq(['name'], '😀')],
  ['name eq "ünï 日本 😀"', eq(['name'], 'ünï 日本 😀')],
  ['name eq "tab\there"', eq(['name'], 'tab\there')],
  ['/a/b eq 1', eq(['a', 'b'], 1)],
  ['a/b eq 1', eq(['a', 'b'], 1)],
  ['/a~1b/c~0d pr', pr('a/b', 'c~d')],
  ['/~01 pr', pr('~1')],
  ['/ pr', pr()],
  ['// pr', pr('')],
  ['/a//b pr', pr('a', '', 'b')],
  ['/a// pr', pr('a', '')],
  ['/true eq true', eq(['true'], true)],
  ['/and pr', pr('and')],
  ['x"y" pr', pr('x"y"')],
  ['n eq 42', eq(['n'], 42)],
  ['n eq -7', eq(['n'], -7)],
  ['n eq +3', eq(['n'], 3)],
  ['n eq 007', eq(['n'], 7)],
  ['n eq 0', eq(['n'], 0)],
  ['n eq -0', eq(['n'], 0)],
  ['n eq 1.5', eq(['n'], 1.5)],
  ['n eq -0.25', eq(['n'], -0.25)],
  ['n eq 1.', eq(['n'], 1)],
  ['n eq .5', eq(['n'], 0.5)],
  ['n eq 1.5e3', eq(['n'], 1500)],
  ['n eq 2.5E-1', eq(['n'], 0.25)],
  ['n eq 9007199254740991', eq(['n'], 9007199254740991)],
  ['b eq true', eq(['b'], true)],
  ['b eq FALSE', eq(['b'], false)],
  ['b eq "true"', eq(['b'], 'true')],
  ['name co "x"', { op: 'co', field: ['name'], value: 'x' }],
  ['name SW "x"', { op: 'sw', field: ['name'], value: 'x' }],
  ['n gt 1', { op: 'gt', field: ['n'], value: 1 }],
  ['n ge 1', { op: 'ge', field: ['n'], value: 1 }],
  ['n lt "b"', { op: 'lt', field: ['n'], value: 'b' }],
  ['n LE 1', { op: 'le', field: ['n'], value: 1 }],
  ['name pr', pr('name')],
  ['name PR', pr('name')],
  ['name foo "x"', { op: 'ext', name: 'foo', field: ['name'], value: 'x' }],
  ['name EQQ 5', { op: 'ext', name: 'EQQ', field: ['name'], value: 5 }],
  ['name my.op_1 true', { op: 'ext', name: 'my.op_1', field: ['name'], value: true }],
  ['a pr or b pr and c pr', or(pr('a'), and(pr('b'), pr('c')))],
  ['a pr and b pr or c pr', or(and(pr('a'), pr('b')), pr('c'))],
  ['a pr AND b pr Or c pr', or(and(pr('a'), pr('b')), pr('c'))],
  ['a pr or b pr or c pr', or(pr('a'), pr('b'), pr('c'))],
  ['a pr and b pr and c pr', and(pr('a'), pr('b'), pr('c'))],
  ['(a pr or b pr) and c pr', and(or(pr('a'), pr('b')), pr('c'))],
  ['(a pr and b pr) and c pr', and(and(pr('a'), pr('b')), pr('c'))],
  ['((a pr))', pr('a')],
  ['! a pr and b pr', and(not(pr('a')), pr('b'))],
  ['!(a pr or b pr)', not(or(pr('a'), pr('b')))],
  ['! (a pr)', not(pr('a'))],
  ['!(!(a pr))', not(not(pr('a')))],
  ['! true', not({ op: 'true' })],
  ['(a pr)and(b pr)', and(pr('a'), pr('b'))],
  ['a eq "x"and b pr', and(eq(['a'], 'x'), pr('b'))],
  ['a eq "x"or(b pr)', or(eq(['a'], 'x'), pr('b'))],
  ['(true)', { op: 'true' }],
]

/** [filter, expected column, a fragment of the message] */
const INVALID: [string, number, string][] = [
  ['', 1, 'the filter is empty'],
  ['   ', 1, 'the filter is empty'],
  ['name', 5, 'expected an operator after "name" (eq, co, sw'],
  ['name eq', 8, 'expected a value after "eq" (a quoted string, a number, true or false)'],
  ['name eq foo', 9, 'found foo; strings need quotes: "foo"'],
  ['name eq "foo', 13, 'unclosed quote starting at column 9'],
  ["name eq 'foo\\", 13, 'escapes nothing'],
  ['name eq "foo\\"', 15, 'unclosed quote starting at column 9'],
  ['name = "x"', 6, 'unknown operator "=" (expected eq, co, sw, gt, ge, lt, le, pr'],
  ['name e-q "x"', 6, 'unknown operator "e-q"'],
  ['name pr)', 8, 'unbalanced ")"'],
  ['(a pr) b pr)', 8, 'expected "and", "or" or the end of the filter, found "b"'],
  ['(name pr', 9, 'expected ")" to close the "(" at column 1, found the end of the filter'],
  ['a pr and (b pr', 15, 'to close the "(" at column 10'],
  ['(a pr b pr)', 7, 'expected "and", "or" or ")", found "b"'],
  ['name pr name pr', 9, 'expected "and", "or" or the end of the filter, found "name"'],
  ['name pr and', 12, 'expected a comparison, "(", "!", true or false after "and", found the end'],
  ['name pr or or b pr', 12, 'found "or" (a field called or is written /or)'],
  ['and pr', 1, 'a field called and is written /and'],
  ['!name pr', 1, '"!" must be followed by "(" or a space: write !(name ...) or ! name ...'],
  ['a pr and !b pr', 10, '"!" must be followed by "(" or a space'],
  ['! !(a pr)', 3, '"!" cannot follow "!" directly'],
  ['!', 2, 'after "!", found the end of the filter'],
  ['"name" eq "x"', 1, 'field names are not quoted: write name or /name'],
  ["'my field' eq 1", 1, 'field names are not quoted (and cannot hold spaces or parentheses)'],
  ['name\teq "x"', 5, 'only spaces may separate the parts of a filter, found a tab'],
  ['name eq "x"\nand b pr', 12, 'found a line break'],
  ['a~2 pr', 2, '"~2" is not a JSON pointer escape (write ~0 for "~" and ~1 for "/")'],
  ['/a/b~ pr', 5, '"~" is not a JSON pointer escape'],
  ['n eq 1.2.3', 6, 'expected a value after "eq"'],
  ['n eq 1e5', 6, 'found 1e5'],
  ['n eq 1.5f', 6, 'found 1.5f'],
  ['n eq 0x10', 6, 'found 0x10'],
  ['n eq 99999999999999999999', 6, 'too large to compare exactly'],
  ['n eq 1.0e999', 6, 'out of range'],
  ['()', 2, 'after "(", found ")"'],
  [')', 1, 'expected a comparison, "(", "!", true or false, found ")"'],
  [
    'a eq (',
    6,
    'expected a value after "eq" (a quoted string, a number, true or false), found "("',
  ],
  ['a eq "x" "y"', 10, 'found the string "y"'],
  ['a and "x"', 3, 'expected an operator after "a"'],
  [
    'a "x"',
    3,
    'expected an operator after "a" (eq, co, sw, gt, ge, lt, le, pr or an extended operator), found the string "x"',
  ],
  ['true eq 1', 6, 'expected "and", "or" or the end of the filter, found "eq"'],
  ['name pr "x"', 9, 'found the string "x"'],
  ['name eq "😀" x', 13, 'found "x"'],
  ['name eq """', 12, 'unclosed quote starting at column 11'],
]

function parseError(text: string): AmshError {
  try {
    parseFilter(text)
  } catch (err) {
    assert.ok(err instanceof AmshError, `not an AmshError: ${String(err)}`)
    return err
  }
  assert.fail(`parsed without error: ${JSON.stringify(text)}`)
}

describe('parseFilter', () => {
  for (const [text, expected] of VALID) {
    it(`parses ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parseFilter(text), expected)
    })
  }

  for (const [text, column, fragment] of INVALID) {
    it(`rejects ${JSON.stringify(text)} at column ${column}`, () => {
      const err = parseError(text)
      assert.equal(err.code, 'E_PARSE')
      assert.ok(
        err.message.startsWith(`bad query filter at column ${column}: `),
        `message: ${err.message}`
      )
      assert.ok(err.message.includes(fragment), `message: ${err.message}`)
      assert.deepEqual(err.details, { filter: text, column })
    })
  }

  it(`accepts ${MAX_FILTER_DEPTH} nested levels and refuses one more`, () => {
    const nest = (n: number) => '('.repeat(n) + 'a pr' + ')'.repeat(n)
    assert.deepEqual(parseFilter(nest(MAX_FILTER_DEPTH)), pr('a'))
    const err = parseError(nest(MAX_FILTER_DEPTH + 1))
    assert.equal(err.details?.column, MAX_FILTER_DEPTH + 1)
    assert.match(err.message, /nested deeper than 256 levels/)
  })

  it('refuses a filter 300 levels deep cleanly, whatever the nesting is made of', () => {
    for (const [open, close] of [
      ['(', ')'],
      ['!(', ')'],
      ['a pr and (', ')'],
      ['(b pr or !(', '))'],
    ] as const) {
      const err = parseError(open.repeat(300) + 'a pr' + close.repeat(300))
      assert.equal(err.code, 'E_PARSE')
      assert.match(err.message, /nested deeper than 256 levels/)
    }
  })

  it('parses long flat chains without deep recursion', () => {
    const text = Array.from({ length: 20000 }, (_, i) => `n eq ${i}`).join(' or ')
    const node = parseFilter(text)
    assert.equal(node.op, 'or')
    assert.equal(node.op === 'or' && node.children.length, 20000)
  })

  it('round-trips generated filters through text', () => {
    const random = prng(7)
    for (let i = 0; i < 3000; i++) {
      const node = randomNode(random, 3)
      const text = formatFilter(node, random)
      assert.deepEqual(parseFilter(text), node, text)
    }
  })
})

describe('matchesFilter', () => {
  const obj: JsonObject = {
    _id: 'id-1',
    name: 'My Script',
    count: 3,
    ratio: 1.5,
    zero: 0,
    flag: true,
    off: false,
    nothing: null,
    empty: '',
    tags: ['a', 'b'],
    meta: { owner: 'amadmin', level: 2, inner: { x: 'y' } },
    'a.b': 'dotted',
    'a/b': 'slashed',
    'ti~lde': 'tilde',
    astral: '😀',
    private: '\uffff',
    numeric: '10',
  }
  const cases: [string, boolean][] = [
    ['true', true],
    ['false', false],
    ['name eq "My Script"', true],
    ['name eq "my script"', false],
    ['NAME eq "My Script"', false],
    ['name co "Script"', true],
    ['name co "script"', false],
    ['name co ""', true],
    ['name sw "My"', true],
    ['name sw "Script"', false],
    ['name sw ""', true],
    ['name gt "My"', true],
    ['name lt "N"', true],
    ['name ge "My Script"', true],
    ['name le "My Scrip"', false],
    ['count eq 3', true],
    ['count eq 3.0', true],
    ['count eq "3"', false],
    ['numeric eq 10', false],
    ['numeric gt 9', false],
    ['numeric gt "1"', true],
    ['count gt 2', true],
    ['count gt 3', false],
    ['count ge 3', true],
    ['count lt 3.5', true],
    ['count le 2.9', false],
    ['count gt "2"', false],
    ['count co "3"', false],
    ['ratio eq 1.5', true],
    ['zero eq 0', true],
    ['zero eq false', false],
    ['flag eq true', true],
    ['flag eq 1', false],
    ['flag eq "true"', false],
    ['flag gt false', false],
    ['off eq false', true],
    ['off pr', true],
    ['nothing pr', false],
    ['nothing eq "null"', false],
    ['! nothing eq "x"', true],
    ['missing pr', false],
    ['missing eq 1', false],
    ['!(missing eq 1)', true],
    ['empty pr', true],
    ['empty eq ""', true],
    ['tags pr', true],
    ['tags eq "a"', false],
    ['tags/0 eq "a"', false],
    ['meta pr', true],
    ['meta eq "x"', false],
    ['meta/owner eq "amadmin"', true],
    ['/meta/level ge 2', true],
    ['meta/inner/x eq "y"', true],
    ['meta/inner/x/y pr', false],
    ['name/x pr', false],
    ['/a.b eq "dotted"', true],
    ['/a~1b eq "slashed"', true],
    ['/ti~0lde eq "tilde"', true],
    ['/ pr', true],
    ['/ eq "x"', false],
    ['astral gt "\uffff"', true],
    ['private lt "😀"', true],
    ['_id eq "id-1" and count eq 3', true],
    ['_id eq "id-1" and count eq 4', false],
    ['_id eq "nope" or count eq 3', true],
    ['!(_id eq "nope" or count eq 4)', true],
    ['! true', false],
  ]
  for (const [text, expected] of cases) {
    it(`${expected ? 'matches' : 'does not match'} ${text}`, () => {
      assert.equal(matchesFilter(parseFilter(text), obj), expected)
    })
  }

  it('refuses an extended operator anywhere, even where evaluation would not reach it', () => {
    for (const text of ['name foo "x"', 'false and name foo "x"', 'true or !(name eqq "x")']) {
      assert.throws(
        () => matchesFilter(parseFilter(text), obj),
        (err: unknown) =>
          err instanceof AmshError &&
          err.code === 'E_UNSUPPORTED' &&
          /^query filter operator "(foo|eqq)" is not supported/.test(err.message)
      )
    }
    assert.throws(() => matchesFilter(parseFilter('name eqq "x"'), obj), /did you mean "eq"\?/)
    assert.throws(() => matchesFilter(parseFilter('name ws "x"'), obj), /did you mean "sw"\?/)
  })

  it('does not read inherited properties', () => {
    assert.equal(matchesFilter(parseFilter('constructor pr'), {}), false)
    assert.equal(matchesFilter(parseFilter('toString pr'), { a: 1 }), false)
  })
})

describe('compareCodePoints', () => {
  it('orders by code point, not UTF-16 unit', () => {
    const sorted = ['😀', '\uffff', 'b', 'a', '', 'ab', '\ue000', '\u{10ffff}', 'é'].sort(
      compareCodePoints
    )
    assert.deepEqual(sorted, ['', 'a', 'ab', 'b', 'é', '\ue000', '\uffff', '😀', '\u{10ffff}'])
  })
})

// --- round-trip helpers --------------------------------------------------------------------

const KEY_CHARS = [
  'a',
  'b',
  'Z',
  '_',
  '.',
  '~',
  '/',
  '"',
  "'",
  '!',
  'é',
  '日',
  '😀',
  '-',
  '0',
  '\\',
]
const STRING_CHARS = [...KEY_CHARS, ' ', '(', ')', '\t', 'x']

function randomString(random: () => number, chars: string[], max: number): string {
  const length = Math.floor(random() * max)
  return Array.from({ length }, () => pick(random, chars)).join('')
}

function randomValue(random: () => number): FilterValue {
  switch (Math.floor(random() * 5)) {
    case 0:
      return random() < 0.5
    case 1:
      return Math.floor((random() - 0.5) * 1e6)
    case 2:
      return Math.round((random() - 0.5) * 1e4) / 64 || 0
    default:
      return randomString(random, STRING_CHARS, 8)
  }
}

function randomNode(random: () => number, depth: number): FilterNode {
  const field = () =>
    Array.from({ length: Math.floor(random() * 3) }, () => randomString(random, KEY_CHARS, 4))
  const r = random()
  if (depth > 0 && r < 0.35) {
    const children = Array.from({ length: 2 + Math.floor(random() * 3) }, () =>
      randomNode(random, depth - 1)
    )
    return { op: random() < 0.5 ? 'and' : 'or', children }
  }
  if (depth > 0 && r < 0.45) return { op: 'not', child: randomNode(random, depth - 1) }
  if (r < 0.5) return { op: random() < 0.5 ? 'true' : 'false' }
  if (r < 0.6) return { op: 'pr', field: field() }
  if (r < 0.65)
    return {
      op: 'ext',
      name: pick(random, ['foo', 'x.y', 'Eqq', '_1']),
      field: field(),
      value: randomValue(random),
    }
  const op = pick(random, ['eq', 'co', 'sw', 'gt', 'ge', 'lt', 'le'] as const)
  return { op, field: field(), value: randomValue(random) }
}

/** Writes a filter back as text, varying case, quotes and spacing the way users do. */
function formatFilter(node: FilterNode, random: () => number): string {
  const kw = (word: string) => (random() < 0.3 ? word.toUpperCase() : word)
  switch (node.op) {
    case 'true':
    case 'false':
      return kw(node.op)
    case 'not':
      return `!${random() < 0.5 ? ' ' : ''}(${formatFilter(node.child, random)})`
    case 'and':
    case 'or':
      return node.children
        .map((child) => `(${formatFilter(child, random)})`)
        .join(random() < 0.5 ? ` ${kw(node.op)} ` : `  ${kw(node.op)}   `)
    case 'pr':
      return `${formatPointer(node.field)} ${kw('pr')}`
    case 'ext':
      return `${formatPointer(node.field)} ${node.name} ${formatValue(node.value, random)}`
    default:
      return `${formatPointer(node.field)} ${kw(node.op)} ${formatValue(node.value, random)}`
  }
}

function formatPointer(path: string[]): string {
  const encoded = path.map((key) => key.replace(/~/g, '~0').replace(/\//g, '~1'))
  const last = path[path.length - 1]
  return '/' + encoded.join('/') + (last === '' ? '/' : '')
}

function formatValue(value: FilterValue, random: () => number): string {
  if (typeof value === 'boolean')
    return random() < 0.5 ? String(value) : String(value).toUpperCase()
  if (typeof value === 'number') {
    return Number.isInteger(value) && random() < 0.7 ? String(value) : value.toFixed(6)
  }
  const quote = random() < 0.5 ? '"' : "'"
  let out = ''
  for (const c of value) {
    out += c === quote || c === '\\' || random() < 0.1 ? `\\${c}` : c
  }
  return quote + out + quote
}
