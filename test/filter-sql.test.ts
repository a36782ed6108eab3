import { describe, it, before } from 'node:test'
import assert from 'node:assert/strict'
import Database from 'better-sqlite3'

import { AmshError } from '../src/errors.ts'
import { parseFilter } from '../src/crest/filter.ts'
import type { ComparisonOp, FilterNode, FilterValue } from '../src/crest/filter.ts'
import { compareCodePoints, matchesFilter, resolvePointer } from '../src/crest/filter-match.ts'
import { filterToSql, jsonPath, sortToSql } from '../src/transport/local/filter-sql.ts'
import type { FieldResolver } from '../src/transport/local/filter-sql.ts'
import type { JsonObject, JsonValue } from '../src/json.ts'
import { pick, prng } from './helpers.ts'

const SCHEMA = `
CREATE TABLE resources (
  entity TEXT NOT NULL, realm TEXT NOT NULL, id TEXT NOT NULL,
  name TEXT,
  body TEXT NOT NULL,
  PRIMARY KEY (entity, realm, id));
CREATE INDEX resources_by_name ON resources(entity, realm, name);`

const ENTITY = 'Scripts'
const REALM = '/alpha'

/** As the store would: `_id` and `name` have columns, `global` is computed from the id. */
const resolve: FieldResolver = (path) => {
  const [first] = path
  if (path.length === 1 && first === '_id') return { kind: 'column', sql: 'id' }
  if (path.length === 1 && first === 'name') return { kind: 'column', sql: 'name' }
  if (path.length === 1 && first === 'global') {
    return { kind: 'boolean', sql: "(substr(id, 1, 2) = 'g-')" }
  }
  return { kind: 'json', column: 'body', path }
}

interface Doc {
  id: string
  body: JsonObject
  /** Stored instead of JSON.stringify(body), to hold spellings like 1.0. */
  text?: string
}

/** What the matcher sees for a stored document: the resolver's view of it. */
function view(doc: Doc): JsonObject {
  return { ...doc.body, _id: doc.id, global: doc.id.startsWith('g-') }
}

type Db = InstanceType<typeof Database>

function openStore(docs: Doc[]): Db {
  const db = new Database(':memory:')
  db.exec(SCHEMA)
  const insert = db.prepare(
    'INSERT INTO resources (entity, realm, id, name, body) VALUES (?, ?, ?, ?, ?)'
  )
  db.transaction(() => {
    for (const doc of docs) {
      const name = typeof doc.body.name === 'string' ? doc.body.name : null
      const text = doc.text ?? JSON.stringify(doc.body)
      insert.run(ENTITY, REALM, doc.id, name, text)
      // Decoys the scoping must keep out of every answer.
      insert.run(ENTITY, '/other', doc.id, name, text)
      insert.run('Other', REALM, doc.id, name, text)
    }
  })()
  return db
}

function sqlIds(db: Db, node: FilterNode): string[] {
  const { sql, params } = filterToSql(node, resolve)
  const rows = db
    .prepare(`SELECT id FROM resources WHERE entity = ? AND realm = ? AND ${sql}`)
    .pluck()
    .all(ENTITY, REALM, ...params) as string[]
  return rows.sort()
}

function matchedIds(docs: Doc[], node: FilterNode): string[] {
  return docs
    .filter((doc) => matchesFilter(node, view(doc)))
    .map((doc) => doc.id)
    .sort()
}

function assertSame(db: Db, docs: Doc[], node: FilterNode, label: string): string[] {
  const expected = matchedIds(docs, node)
  assert.deepEqual(sqlIds(db, node), expected, label)
  return expected
}

/**
 * Runs each filter's SQL as a column of one SELECT and checks it is exactly the matcher's answer
 * as 0 or 1 on every row: a NULL there would turn wrong under NOT.
 */
function assertTruthTable(db: Db, docs: Doc[], nodes: FilterNode[]): void {
  const parts = nodes.map((node) => filterToSql(node, resolve))
  const columns = parts.map((part, i) => `${part.sql} AS c${i}`).join(', ')
  const rows = db
    .prepare(`SELECT id, ${columns} FROM resources WHERE entity = ? AND realm = ?`)
    .all(...parts.flatMap((part) => part.params), ENTITY, REALM) as Record<string, unknown>[]
  assert.equal(rows.length, docs.length)
  const byId = new Map(docs.map((doc) => [doc.id, doc]))
  for (const row of rows) {
    const obj = view(byId.get(row.id as string) as Doc)
    nodes.forEach((node, i) => {
      const expected = matchesFilter(node, obj) ? 1 : 0
      if (row[`c${i}`] !== expected) {
        assert.fail(
          `${JSON.stringify(node)} on ${JSON.stringify(obj)}: SQL ${String(row[`c${i}`])}, matcher ${expected}`
        )
      }
    })
  }
}

// --- generated data ------------------------------------------------------------------------

const STRINGS = [
  '',
  'a',
  'A',
  'ab',
  'abc',
  'Abc',
  'abd',
  'script',
  'Script',
  'scripts',
  'script-1',
  'script-10',
  'scr',
  'x y',
  'a.b',
  'é',
  'e\u0301',
  'ünïcødé',
  'Ünïcødé',
  '日本語',
  '日本',
  '😀',
  '😀x',
  'x😀',
  '\uffff',
  '\ue000',
  '\ud7ff',
  'a\u0000b',
  'a\u0000',
  'quote"d',
  "it's",
  'back\\slash',
  '%_',
  'a%',
  'ß',
  'SS',
  '10',
  '9',
  '1',
  '1.5',
  'true',
  'null',
  'Ωmega',
  'ωmega',
  '\u{10ffff}',
  '\u{10ffff}\u{10ffff}',
  'tab\there',
  'Café',
  'CAFÉ',
  'café',
]
const NUMBERS = [0, 1, -1, 1.5, 2, 10, 9, 100, -0.5, 0.1, 0.2, 3.25, 1e6, 1700000000000, -1e-7]
const WEIRD_KEYS = [
  'a.b',
  'sp ace',
  'qu"ote',
  'back\\slash',
  'ti~lde',
  'sl/ash',
  'ünï',
  '',
  'nul\u0000key',
  '[0]',
  '$',
  'nl\nkey',
]

function anyValue(random: () => number, depth = 0): JsonValue {
  const r = random()
  if (r < 0.4) return pick(random, STRINGS)
  if (r < 0.65) return pick(random, NUMBERS)
  if (r < 0.75) return random() < 0.5
  if (r < 0.85) return null
  if (r < 0.93 || depth > 1) return [pick(random, STRINGS), pick(random, NUMBERS)]
  return { x: anyValue(random, depth + 1), owner: pick(random, STRINGS) }
}

function sometimes(
  random: () => number,
  p: number,
  value: () => JsonValue,
  body: JsonObject,
  key: string
) {
  if (random() < p) body[key] = value()
}

function makeDocs(count: number, seed: number): Doc[] {
  const random = prng(seed)
  return Array.from({ length: count }, (_, i) => {
    const id = `${random() < 0.15 ? 'g' : 's'}-${String(i).padStart(4, '0')}`
    const body: JsonObject = {}
    sometimes(random, 0.85, () => (random() < 0.94 ? pick(random, STRINGS) : null), body, 'name')
    sometimes(random, 0.7, () => anyValue(random), body, 'description')
    sometimes(
      random,
      0.8,
      () => (random() < 0.8 ? pick(random, NUMBERS) : anyValue(random)),
      body,
      'count'
    )
    sometimes(random, 0.8, () => (random() < 0.8 ? random() < 0.5 : anyValue(random)), body, 'flag')
    sometimes(random, 0.5, () => [pick(random, STRINGS), pick(random, STRINGS)], body, 'tags')
    sometimes(
      random,
      0.75,
      () => {
        if (random() < 0.2) return anyValue(random)
        const meta: JsonObject = {}
        sometimes(random, 0.8, () => pick(random, STRINGS), meta, 'owner')
        sometimes(
          random,
          0.8,
          () => (random() < 0.8 ? pick(random, NUMBERS) : anyValue(random)),
          meta,
          'level'
        )
        sometimes(random, 0.5, () => ({ x: anyValue(random) }), meta, 'deep')
        return meta
      },
      body,
      'meta'
    )
    for (const key of WEIRD_KEYS) sometimes(random, 0.35, () => anyValue(random), body, key)
    return { id, body }
  })
}

const POINTERS: string[][] = [
  ['_id'],
  ['name'],
  ['description'],
  ['count'],
  ['flag'],
  ['tags'],
  ['tags', '0'],
  ['meta'],
  ['meta', 'owner'],
  ['meta', 'level'],
  ['meta', 'deep', 'x'],
  ['meta', 'x'],
  ['missing'],
  ['global'],
  ['name', 'x'],
  ['_id', 'x'],
  [],
  ...WEIRD_KEYS.filter((key) => !key.includes('\u0000')).map((key) => [key]),
]

function randomValue(random: () => number): FilterValue {
  const r = random()
  if (r < 0.45) {
    const s = pick(random, STRINGS)
    const cut = random()
    if (cut < 0.6) return s
    const chars = Array.from(s)
    const from = cut < 0.8 ? 0 : Math.floor(random() * chars.length)
    return chars.slice(from, from + Math.floor(random() * (chars.length + 1))).join('')
  }
  if (r < 0.8) return pick(random, NUMBERS)
  if (r < 0.9) return random() < 0.5
  return pick(random, ['1', 'true', 'null', 'ZZZ', '~'])
}

const OPS: ComparisonOp[] = ['eq', 'co', 'sw', 'gt', 'ge', 'lt', 'le']

function randomFilter(random: () => number, depth: number): FilterNode {
  const r = random()
  if (depth > 0 && r < 0.25) {
    const children = Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
      randomFilter(random, depth - 1)
    )
    return { op: random() < 0.5 ? 'and' : 'or', children }
  }
  if (depth > 0 && r < 0.35) return { op: 'not', child: randomFilter(random, depth - 1) }
  if (r < 0.38) return { op: random() < 0.5 ? 'true' : 'false' }
  const field = pick(random, POINTERS)
  if (r < 0.5) return { op: 'pr', field }
  return { op: pick(random, OPS), field, value: randomValue(random) }
}

// --- tests ---------------------------------------------------------------------------------

describe('filterToSql agrees with matchesFilter', () => {
  const docs = makeDocs(400, 20240611)
  let db: Db
  before(() => {
    db = openStore(docs)
  })

  it('on generated filters', () => {
    const random = prng(99)
    let matchedSome = 0
    let matchedNone = 0
    for (let i = 0; i < 2500; i++) {
      const node = randomFilter(random, 3)
      const ids = assertSame(db, docs, node, JSON.stringify(node))
      if (ids.length > 0 && ids.length < docs.length) matchedSome++
      if (ids.length === 0) matchedNone++
    }
    // The comparison means something only if filters split the data.
    assert.ok(matchedSome > 1000, `only ${matchedSome} filters selected a proper subset`)
    assert.ok(matchedNone < 1200, `${matchedNone} filters matched nothing`)
  })

  it('on generated filters, as 0 or 1 for every row (never NULL)', () => {
    const random = prng(98)
    for (let i = 0; i < 40; i++) {
      assertTruthTable(
        db,
        docs,
        Array.from({ length: 50 }, () => randomFilter(random, 3))
      )
    }
  })

  it('on every operator, field and value of the pools, as 0 or 1 for every row', () => {
    for (const field of POINTERS) {
      const nodes: FilterNode[] = [{ op: 'pr', field }]
      for (const op of OPS) {
        for (const value of [...STRINGS, ...NUMBERS, true, false]) nodes.push({ op, field, value })
      }
      assertTruthTable(db, docs, nodes)
    }
  })

  const HAND_WRITTEN = [
    'true',
    'false',
    'name eq "script"',
    'name eq "Script"',
    'name sw "scr"',
    'name sw "Scr"',
    'name sw "😀"',
    'name sw "日本"',
    'name sw "\u{10ffff}"',
    'name sw "\ud7ff"',
    'name co "afé"',
    'name co "AFÉ"',
    'name co "😀"',
    'name co "\\\\"',
    'name co "\'"',
    'name eq "quote\\"d"',
    "name eq 'it\\'s'",
    'name gt "script" and name lt "scripts"',
    'name ge "a" and name le "b"',
    'name gt "\uffff"',
    '!(name pr)',
    '! name sw "s"',
    'name pr and !(name co "a")',
    '_id sw "g-"',
    '_id eq "s-0001" or _id eq "g-0002" or _id eq "s-0003"',
    'global eq true',
    'global eq false',
    '!(global eq true)',
    'global pr',
    'global eq 1',
    'count eq 1',
    'count eq 1.0',
    'count gt 0.15 and count lt 10',
    'count ge -1',
    'count eq "1"',
    'flag eq true',
    'flag eq 1',
    'flag eq "true"',
    '!(flag eq false)',
    'description eq null',
    'description eq "null"',
    'meta/owner sw "a"',
    'meta/level gt 1 or meta/owner eq "é"',
    '/meta/deep/x pr',
    'meta eq "x"',
    'tags pr and !(tags eq "a")',
    '/a.b pr',
    '/sp ace pr',
    '/qu"ote pr',
    '/back\\slash pr',
    '/ti~0lde pr',
    '/sl~1ash pr',
    '/ünï eq "ünïcødé"',
    '// pr',
    '/$ pr',
    '/[0] pr',
    '/ pr',
    '(name sw "a" or name sw "s") and (count gt 1 or flag eq true) and !(meta/owner pr)',
  ]
  for (const text of HAND_WRITTEN) {
    it(`on ${JSON.stringify(text)}`, (t) => {
      let node: FilterNode
      try {
        node = parseFilter(text)
      } catch (err) {
        // Some of these are meant to fail parsing (e.g. `eq null`); those must fail cleanly.
        assert.ok(err instanceof AmshError && err.code === 'E_PARSE', String(err))
        t.diagnostic('E_PARSE as expected')
        return
      }
      assertSame(db, docs, node, text)
    })
  }

  it('the hand-written filters select what they should', () => {
    const ids = (text: string) => sqlIds(db, parseFilter(text))
    const names = (text: string) =>
      ids(text).map((id) => docs.find((doc) => doc.id === id)?.body.name)
    assert.ok(new Set(names('name co "afé"')).size === 2) // Café and café, not CAFÉ
    assert.deepEqual([...new Set(names('name co "AFÉ"'))], ['CAFÉ'])
    assert.deepEqual([...new Set(names('name sw "日本"'))].sort(), ['日本', '日本語'])
    assert.deepEqual(
      [...new Set(names('name sw "Scr"'))].sort(),
      ['Script'] // not script, scripts ...
    )
    assert.ok(ids('global eq true').every((id) => id.startsWith('g-')))
    assert.ok(ids('global eq true').length > 10)
  })
})

describe('filterToSql typing', () => {
  const docs: Doc[] = [
    { id: 'int', body: { v: 1 } },
    { id: 'real', body: { v: 1 }, text: '{"v":1.0}' },
    { id: 'exp', body: { v: 1 }, text: '{"v":1e0}' },
    { id: 'text', body: { v: '1' } },
    { id: 'true', body: { v: true } },
    { id: 'false', body: { v: false } },
    { id: 'zero', body: { v: 0 } },
    { id: 'null', body: { v: null } },
    { id: 'array', body: { v: [1] } },
    { id: 'object', body: { v: { a: 1 } } },
    { id: 'absent', body: {} },
    { id: 'textTrue', body: { v: 'true' } },
    { id: 'escaped', body: { v: 'A' }, text: '{"v":"\\u0041"}' },
  ]
  const db = openStore(docs)
  const cases: [string, string[]][] = [
    ['v eq 1', ['exp', 'int', 'real']],
    ['v eq 1.0', ['exp', 'int', 'real']],
    ['v eq "1"', ['text']],
    ['v eq true', ['true']],
    ['v eq false', ['false']],
    ['v eq 0', ['zero']],
    ['v eq "A"', ['escaped']],
    ['v ge 1', ['exp', 'int', 'real']],
    ['v lt 1', ['zero']],
    ['v gt false', []],
    ['v gt "0"', ['escaped', 'text', 'textTrue']],
    ['v co "1"', ['text']],
    [
      'v pr',
      [
        'escaped',
        'exp',
        'false',
        'int',
        'real',
        'text',
        'textTrue',
        'true',
        'zero',
        'array',
        'object',
      ].sort(),
    ],
    ['!(v pr)', ['absent', 'null']],
    [
      '!(v eq 1)',
      ['absent', 'array', 'escaped', 'false', 'null', 'object', 'text', 'textTrue', 'true', 'zero'],
    ],
    ['v/a eq 1', ['object']],
    ['v/0 eq 1', []],
  ]
  for (const [text, expected] of cases) {
    it(`${text} → ${expected.join(', ') || 'nothing'}`, () => {
      const node = parseFilter(text)
      assert.deepEqual(sqlIds(db, node), [...expected].sort())
      assert.deepEqual(matchedIds(docs, node), [...expected].sort())
    })
  }
})

describe('jsonPath', () => {
  const KEYS = [
    '',
    ' ',
    '.',
    '..',
    'a.b',
    '[0]',
    'a[0]',
    '$',
    '*',
    '"',
    "'",
    '\\',
    '\\"',
    'a"b"c',
    '"."',
    '\n',
    '\t',
    '\u001f',
    '\u007f',
    'é',
    'e\u0301',
    '日本',
    '😀',
    '\ud800',
    '\udc00x',
    '~',
    '/',
    'sp ace',
    '#',
    '?',
    '-',
    '1',
    'null',
  ]
  const db = new Database(':memory:')
  const doc = JSON.stringify(Object.fromEntries(KEYS.map((key, i) => [key, { n: i }])))

  it('quotes every key', () => {
    assert.equal(jsonPath([]), '$')
    assert.equal(jsonPath(['a']), '$."a"')
    assert.equal(jsonPath(['a.b', 'c']), '$."a.b"."c"')
    assert.equal(jsonPath(['q"\\']), '$."q\\u0022\\u005c"')
  })

  for (const [i, key] of KEYS.entries()) {
    it(`reaches the key ${JSON.stringify(key)}`, () => {
      const get = db.prepare('SELECT json_extract(?, ?) AS n').pluck()
      assert.equal(get.get(doc, jsonPath([key, 'n'])), i)
    })
  }

  it('refuses keys holding U+0000, which SQLite would cut short', () => {
    for (const path of [['\u0000'], ['a', 'x\u0000y']]) {
      assert.throws(
        () => jsonPath(path),
        (err: unknown) => err instanceof AmshError && err.code === 'E_UNSUPPORTED'
      )
    }
    assert.throws(() => filterToSql(parseFilter('/a\u0000 pr'), resolve), /U\+0000/)
    assert.throws(() => sortToSql(['a\u0000'], resolve), /U\+0000/)
  })

  it('never puts a value or a key into the SQL text', () => {
    const evil = `x'); DROP TABLE resources; --`
    const node = parseFilter(`/${evil.replace(/[ ()]/g, '')} eq "${evil}" or name sw "${evil}"`)
    const { sql, params } = filterToSql(node, resolve)
    assert.ok(!sql.includes('DROP'), sql)
    assert.ok(params.includes(evil))
    const db2 = openStore([{ id: 's-1', body: { name: evil } }])
    assert.deepEqual(sqlIds(db2, node), ['s-1'])
  })
})

describe('filterToSql on a large store', () => {
  let db: Db
  before(() => {
    db = new Database(':memory:')
    db.exec(SCHEMA)
    const insert = db.prepare(
      'INSERT INTO resources (entity, realm, id, name, body) VALUES (?, ?, ?, ?, ?)'
    )
    db.transaction(() => {
      for (let i = 0; i < 100_000; i++) {
        const name = `script-${String(i).padStart(6, '0')}`
        const body = JSON.stringify({ name, script: 'c2NyaXB0', language: 'JAVASCRIPT', n: i })
        insert.run(ENTITY, REALM, `id-${i}`, name, body)
      }
    })()
  })

  function query(text: string): string[] {
    const { sql, params } = filterToSql(parseFilter(text), resolve)
    return db
      .prepare(`SELECT id FROM resources WHERE entity = ? AND realm = ? AND ${sql}`)
      .pluck()
      .all(ENTITY, REALM, ...params) as string[]
  }

  function plan(text: string): string {
    const { sql, params } = filterToSql(parseFilter(text), resolve)
    const rows = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT id FROM resources WHERE entity = ? AND realm = ? AND ${sql}`
      )
      .all(ENTITY, REALM, ...params) as { detail: string }[]
    return rows.map((row) => row.detail).join('\n')
  }

  it('name sw uses the name index', () => {
    assert.match(
      plan('name sw "script-0042"'),
      /SEARCH resources USING (COVERING )?INDEX resources_by_name \(entity=\? AND realm=\? AND name>\? AND name<\?\)/
    )
    assert.match(
      plan('name eq "script-000042"'),
      /INDEX resources_by_name \(entity=\? AND realm=\? AND name=\?\)/
    )
    assert.match(
      plan('_id eq "id-42"'),
      /INDEX sqlite_autoindex_resources_1 \(entity=\? AND realm=\? AND id=\?\)/
    )
  })

  it('name sw "…" on 100,000 rows takes at most 30 ms, parsing included', (t) => {
    const times: number[] = []
    for (let i = 0; i < 5; i++) {
      const start = performance.now()
      const ids = query(`name sw "script-0004${i}"`)
      times.push(performance.now() - start)
      assert.equal(ids.length, 10)
    }
    t.diagnostic(`runs: ${times.map((ms) => ms.toFixed(2)).join(', ')} ms`)
    assert.ok(Math.max(...times) <= 30, `took ${Math.max(...times).toFixed(1)} ms`)
  })

  it('the range answer is exact at the edges', () => {
    assert.equal(query('name sw "script-09999"').length, 10)
    assert.equal(query('name sw "script-1"').length, 0)
    assert.equal(query('name sw "script-"').length, 100_000)
    assert.equal(query('n ge 99990').length, 10)
  })
})

describe('filterToSql depth', () => {
  const docs = makeDocs(120, 5)
  const db = openStore(docs)

  // One parenthesis per level, under an or, an and and a not: the most SQL depth a level can add.
  function nested(levels: number): string {
    let text = 'name sw "s"'
    for (let i = 0; i < levels; i++) text = `count eq ${i % 7} or flag eq true and !(${text})`
    return text
  }

  it('translates and runs 256 nested levels (the parser maximum)', () => {
    const text = `(${nested(255)})`
    const node = parseFilter(text)
    assertSame(db, docs, node, 'nested 256')
    assert.throws(() => parseFilter(`(${nested(256)})`), /nested deeper than 256 levels/)
  })

  it('keeps wide filters shallow', () => {
    const wide = Array.from({ length: 5000 }, (_, i) => `count eq ${i}`).join(' or ')
    const node = parseFilter(`${wide} or (${nested(200)}) or name sw "a"`)
    assertSame(db, docs, node, 'wide')
  })

  it('refuses, with an error of its own, trees SQLite could not take', () => {
    let node: FilterNode = { op: 'pr', field: ['name'] }
    for (let i = 0; i < 950; i++) node = { op: 'not', child: node }
    assertSame(db, docs, node, 'not ×950') // still accepted, and SQLite agrees
    for (let i = 0; i < 50; i++) node = { op: 'not', child: node }
    assert.throws(
      () => filterToSql(node, resolve),
      (err: unknown) => err instanceof AmshError && err.code === 'E_UNSUPPORTED'
    )
    let chain: FilterNode = { op: 'true' }
    for (let i = 0; i < 100_000; i++) chain = { op: 'and', children: [chain] }
    assert.throws(
      () => filterToSql(chain, resolve),
      (err: unknown) => err instanceof AmshError && err.code === 'E_UNSUPPORTED'
    )
  })

  it('refuses extended operators', () => {
    assert.throws(
      () => filterToSql(parseFilter('name pr or name eqq "x"'), resolve),
      (err: unknown) =>
        err instanceof AmshError &&
        err.code === 'E_UNSUPPORTED' &&
        err.message.startsWith('query filter operator "eqq" is not supported')
    )
  })

  it('translates empty and/or like the matcher', () => {
    assertSame(db, docs, { op: 'and', children: [] }, 'and []')
    assertSame(db, docs, { op: 'or', children: [] }, 'or []')
    assertSame(db, docs, { op: 'not', child: { op: 'or', children: [] } }, 'not or []')
  })
})

// --- sorting -------------------------------------------------------------------------------

/** CREST's order, as sortToSql documents it: absent < booleans < numbers < strings. */
function sortKeyOf(obj: JsonObject, path: string[]): [number, number | string] {
  const value = resolvePointer(obj, path)
  if (typeof value === 'boolean') return [1, value ? 1 : 0]
  if (typeof value === 'number') return [2, value]
  if (typeof value === 'string') return [3, value]
  return [0, 0]
}

function referenceSort(docs: Doc[], keys: string[]): string[] {
  const parsed = keys.map((key) => {
    const descending = key.startsWith('-')
    const pointer = key.replace(/^[+-]/, '')
    const path = pointer
      .split('/')
      .filter((part, i, all) => part !== '' || (i > 0 && i < all.length - 1))
    return { descending, path: path.map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')) }
  })
  const compare = (a: Doc, b: Doc): number => {
    for (const { descending, path } of parsed) {
      const [ra, va] = sortKeyOf(view(a), path)
      const [rb, vb] = sortKeyOf(view(b), path)
      let c = ra - rb
      if (c === 0 && typeof va === 'string' && typeof vb === 'string') c = compareCodePoints(va, vb)
      else if (c === 0) c = (va as number) - (vb as number)
      if (c !== 0) return descending ? -c : c
    }
    return compareCodePoints(a.id, b.id)
  }
  return [...docs].sort(compare).map((doc) => doc.id)
}

function sqlSort(db: Db, keys: string[]): string[] {
  const order = sortToSql(keys, resolve)
  return db
    .prepare(`SELECT id FROM resources WHERE entity = ? AND realm = ? ORDER BY ${order}, id`)
    .pluck()
    .all(ENTITY, REALM) as string[]
}

describe('sortToSql', () => {
  it('sorts a column, nulls first ascending and last descending', () => {
    const docs: Doc[] = [
      { id: 's-1', body: { name: 'b' } },
      { id: 's-2', body: { name: 'a' } },
      { id: 's-3', body: {} },
      { id: 's-4', body: { name: 'C' } },
      { id: 's-5', body: { name: 'é' } },
      { id: 's-6', body: { name: '😀' } },
      { id: 's-7', body: { name: '\uffff' } },
    ]
    const db = openStore(docs)
    assert.equal(sortToSql(['name'], resolve), 'name ASC')
    assert.deepEqual(sqlSort(db, ['name']), ['s-3', 's-4', 's-2', 's-1', 's-5', 's-7', 's-6'])
    assert.deepEqual(sqlSort(db, ['+name']), ['s-3', 's-4', 's-2', 's-1', 's-5', 's-7', 's-6'])
    assert.deepEqual(sqlSort(db, ['-name']), ['s-6', 's-7', 's-5', 's-1', 's-2', 's-4', 's-3'])
    assert.equal(sortToSql([], resolve), '')
  })

  it('sorts JSON values by type, then value', () => {
    const values: [string, JsonValue | undefined][] = [
      ['s-01', undefined],
      ['s-02', null],
      ['s-03', true],
      ['s-04', false],
      ['s-05', 3],
      ['s-06', 1.5],
      ['s-07', 'x'],
      ['s-08', { o: 1 }],
      ['s-09', [1]],
      ['s-10', '10'],
      ['s-11', -2],
      ['s-12', 'X'],
    ]
    const docs: Doc[] = values.map(([id, v]) => ({ id, body: v === undefined ? {} : { v } }) as Doc)
    const db = openStore(docs)
    const absent = ['s-01', 's-02', 's-08', 's-09']
    const present = ['s-04', 's-03', 's-11', 's-06', 's-05', 's-10', 's-12', 's-07']
    assert.deepEqual(sqlSort(db, ['v']), [...absent, ...present])
    assert.deepEqual(sqlSort(db, ['-v']), [...[...present].reverse(), ...absent])
  })

  it('applies several keys in order', () => {
    const docs: Doc[] = [
      { id: 's-1', body: { name: 'a', meta: { level: 2 } } },
      { id: 's-2', body: { name: 'b', meta: { level: 1 } } },
      { id: 's-3', body: { name: 'c', meta: { level: 2 } } },
      { id: 'g-4', body: { name: 'd', meta: { level: 1 } } },
      { id: 's-5', body: { name: 'e' } },
    ]
    const db = openStore(docs)
    assert.deepEqual(sqlSort(db, ['meta/level', '-name']), ['s-5', 'g-4', 's-2', 's-3', 's-1'])
    assert.deepEqual(sqlSort(db, ['-/meta/level', 'name']), ['s-1', 's-3', 's-2', 'g-4', 's-5'])
    assert.deepEqual(sqlSort(db, ['-global', '_id']), ['g-4', 's-1', 's-2', 's-3', 's-5'])
  })

  it('agrees with the reference order on generated data', () => {
    const docs = makeDocs(300, 77)
    const db = openStore(docs)
    const random = prng(3)
    const keys = [
      'name',
      '_id',
      'global',
      'description',
      'count',
      'flag',
      'meta',
      'meta/level',
      'meta/owner',
      '/a.b',
      '/ti~0lde',
      '/sl~1ash',
      '/ünï',
      '//',
      'missing',
      'tags',
    ]
    for (let i = 0; i < 300; i++) {
      const chosen = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
        const sign = pick(random, ['', '+', '-'])
        return sign + pick(random, keys)
      })
      assert.deepEqual(sqlSort(db, chosen), referenceSort(docs, chosen), chosen.join(','))
    }
  })

  it('lets SQLite walk the name index instead of sorting', () => {
    const db = openStore(makeDocs(50, 1))
    const rows = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT id FROM resources WHERE entity = ? AND realm = ? ORDER BY ${sortToSql(['name'], resolve)}`
      )
      .all(ENTITY, REALM) as { detail: string }[]
    const detail = rows.map((row) => row.detail).join('\n')
    assert.match(detail, /INDEX resources_by_name/)
    assert.doesNotMatch(detail, /TEMP B-TREE/)
  })

  it('keeps sort keys out of the SQL text', () => {
    const key = "-/x');DROP/**/TABLE/**/resources;--"
    const order = sortToSql([key], resolve)
    assert.ok(!order.includes('DROP'), order)
    const db = openStore([{ id: 's-1', body: { "x');DROP": { '**': 1 } } }])
    assert.deepEqual(sqlSort(db, [key]), ['s-1'])
  })

  for (const [key, fragment] of [
    ['', 'expected a field, e.g. name'],
    ['+', 'expected a field after "+"'],
    ['-', 'expected a field after "-"'],
    [' name', 'white space'],
    ['name ', 'white space'],
    ['a~2', '"~2" is not a JSON pointer escape'],
    ['/', 'the whole resource'],
    ['-/', 'the whole resource'],
  ] as const) {
    it(`refuses the sort key ${JSON.stringify(key)}`, () => {
      assert.throws(
        () => sortToSql(['name', key], resolve),
        (err: unknown) =>
          err instanceof AmshError &&
          err.code === 'E_PARSE' &&
          err.message.startsWith(`bad sort key ${JSON.stringify(key)}: `) &&
          err.message.includes(fragment)
      )
    })
  }
})
