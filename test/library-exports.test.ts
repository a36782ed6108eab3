import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  libraryExports,
  MAX_EXPORTS,
  MAX_SOURCE,
  type LibraryExport,
} from '../src/kinds/am-library/exports.ts'

// What a library script's source exports, as AM's libraries endpoint lists it (src/kinds/am-library/).

const fn = (id: string, arity: number): LibraryExport => ({ id, type: 'Function', arity })
const typed = (id: string, type: string): LibraryExport => ({ id, type })

/** The exports of `source`, and that reading it took less than `ms`. */
function timed(source: string, ms = 2000): LibraryExport[] {
  const started = performance.now()
  const found = libraryExports(source)
  const took = performance.now() - started
  assert.ok(took < ms, `took ${Math.round(took)} ms`)
  return found
}

describe('library exports', () => {
  test('the frodo recording: a function declaration and a string, through exports.NAME', () => {
    const source = [
      'function add(i) {',
      '  return i + 1;',
      '}',
      'exports.add = add;',
      "exports.MSG = 'Hello';",
    ].join('\n')
    assert.deepEqual(libraryExports(source), [fn('add', 1), typed('MSG', 'String')])
  })

  test('module.exports.NAME, function expressions, arrows and classes', () => {
    const source = `
      module.exports.sum = function (a, b, c) { return a + b + c; };
      module.exports.twice = (x) => x * 2;
      module.exports.none = async () => 1;
      module.exports['quoted name'] = function* () {};
      module.exports.Point = class { constructor(x, y) { this.x = x; this.y = y; } };
      class Empty {}
      module.exports.Empty = Empty;
    `
    assert.deepEqual(libraryExports(source), [
      fn('sum', 3),
      fn('twice', 1),
      fn('none', 0),
      fn('quoted name', 0),
      fn('Point', 2),
      fn('Empty', 0),
    ])
  })

  test('module.exports = { ... }: each property, typed by its value', () => {
    const source = `
      var VERSION = "1." + 2;
      const helper = function (a, b) {};
      function declared(a, b, c, d) {}
      module.exports = {
        name: 'lib',
        template: \`t\${1}\`,
        count: 3,
        negative: -1,
        big: 10n,
        on: true,
        off: !1,
        nothing: null,
        missing: undefined,
        list: [1, 2],
        options: { a: 1 },
        made: new Date(),
        pattern: /a+/g,
        kind: typeof x,
        same: 1 === 1,
        VERSION,
        helper,
        declared,
        method(a, b) {},
        arrow: (...rest) => rest,
        "quoted": 1,
        7: 'seven',
        [computed]: 'left out',
        ...spread,
        get getter() { return 1 },
        call: compute(),
        member: Math.PI,
        unbound: elsewhere,
      };
    `
    assert.deepEqual(libraryExports(source), [
      typed('name', 'String'),
      typed('template', 'String'),
      typed('count', 'Number'),
      typed('negative', 'Number'),
      typed('big', 'BigInt'),
      typed('on', 'Boolean'),
      typed('off', 'Boolean'),
      typed('nothing', 'Null'),
      typed('missing', 'Undefined'),
      typed('list', 'Array'),
      typed('options', 'Object'),
      typed('made', 'Object'),
      typed('pattern', 'RegExp'),
      typed('kind', 'String'),
      typed('same', 'Boolean'),
      typed('VERSION', 'String'),
      fn('helper', 2),
      fn('declared', 4),
      fn('method', 2),
      fn('arrow', 1),
      typed('quoted', 'Number'),
      typed('7', 'String'),
      typed('getter', 'Unknown'),
      typed('call', 'Unknown'),
      typed('member', 'Unknown'),
      typed('unbound', 'Unknown'),
    ])
  })

  test('module.exports = a name bound to an object literal', () => {
    const source = 'var lib = { a: 1, f: function (x) {} };\nmodule.exports = lib;'
    assert.deepEqual(libraryExports(source), [typed('a', 'Number'), fn('f', 1)])
  })

  test('as CommonJS runs it: replacing module.exports drops what exports had', () => {
    assert.deepEqual(
      libraryExports('exports.before = 1;\nmodule.exports = { after: 2 };\nexports.lost = 3;'),
      [typed('after', 'Number')]
    )
    assert.deepEqual(libraryExports('exports = module.exports = { a: 1 };\nexports.b = "x";'), [
      typed('a', 'Number'),
      typed('b', 'String'),
    ])
    assert.deepEqual(libraryExports('module.exports = { a: 1 };\nmodule.exports.b = true;'), [
      typed('a', 'Number'),
      typed('b', 'Boolean'),
    ])
    // A module that is itself one function names nothing.
    assert.deepEqual(libraryExports('module.exports = function (a) {};'), [])
    assert.deepEqual(libraryExports('exports = { a: 1 };'), [])
  })

  test('chained assignments, sequences, and a name given twice', () => {
    const source = [
      'exports.a = exports.b = function (x, y) {};',
      'exports.c = 1, exports.d = "d";',
      'exports.a = 5;',
    ].join('\n')
    // The innermost assignment runs first: b is named before a.
    assert.deepEqual(libraryExports(source), [
      fn('b', 2),
      typed('a', 'Number'),
      typed('c', 'Number'),
      typed('d', 'String'),
    ])
  })

  test('names bound to names are followed; a cycle is Unknown', () => {
    const source = [
      'function base(a, b) {}',
      'var alias = base;',
      'var again = alias;',
      'var a = b;',
      'var b = a;',
      'exports.again = again;',
      'exports.cycle = a;',
    ].join('\n')
    assert.deepEqual(libraryExports(source), [fn('again', 2), typed('cycle', 'Unknown')])
  })

  test('only top-level statements are read; a script that declares exports or module is its own', () => {
    const source = [
      'if (true) { exports.inIf = 1; }',
      '(function () { exports.inIife = 1; })();',
      'function later() { exports.inFunction = 1; }',
      'exports.top = 1;',
    ].join('\n')
    assert.deepEqual(libraryExports(source), [typed('top', 'Number')])
    assert.deepEqual(libraryExports('var exports = {};\nexports.a = 1;'), [])
    assert.deepEqual(libraryExports('var module = {};\nmodule.exports = { a: 1 };'), [])
  })

  test('a source with no exports, or that does not parse, exports nothing', () => {
    assert.deepEqual(libraryExports(''), [])
    assert.deepEqual(libraryExports('var a = 1;\nlog(a);'), [])
    assert.deepEqual(libraryExports('exports.a = '), [])
    assert.deepEqual(libraryExports('exports.a = 1; }'), [])
    assert.deepEqual(libraryExports('return 1;\nexports.a = 1;'), [])
  })

  test('a zero-width space left by copy-paste does not hide the exports (Rhino drops it)', () => {
    assert.deepEqual(libraryExports('exports.a = 1;\n\u200b\nexports.b = 2;'), [
      typed('a', 'Number'),
      typed('b', 'Number'),
    ])
  })

  describe('hostile sources get an answer, quickly, and never an error', () => {
    test('nesting too deep to parse', () => {
      assert.deepEqual(timed(`exports.a = ${'('.repeat(100_000)}1${')'.repeat(100_000)};`), [])
      assert.deepEqual(timed('`${'.repeat(5000)), [])
      assert.deepEqual(timed(`exports.a = ${'['.repeat(100_000)}`), [])
    })

    test('a long chain of + or of assignments', () => {
      // Deep enough for every walk's bounds, shallow enough for acorn's stack.
      assert.deepEqual(timed(`exports.s = ${'"a" + '.repeat(2000)}"a";`), [typed('s', 'String')])
      assert.deepEqual(timed(`${'exports.a = '.repeat(2000)}1;`), [typed('a', 'Number')])
      // Deeper, acorn may run out of stack: whatever it makes of it, an answer comes back.
      assert.ok(Array.isArray(timed(`exports.s = ${'"a" + '.repeat(100_000)}"a";`)))
      assert.ok(Array.isArray(timed(`${'exports.a = '.repeat(100_000)}1;`)))
    })

    test('names that double at every step', () => {
      const names = Array.from({ length: 60 }, (_, i) => `var v${i} = v${i + 1} + v${i + 1};`)
      const found = timed(`${names.join('\n')}\nvar v60 = 1;\nexports.x = v0;`, 1000)
      assert.deepEqual(found, [typed('x', 'Unknown')])
    })

    test('more names than the limit, and a source over the size limit', () => {
      const many = Array.from({ length: MAX_EXPORTS + 50 }, (_, i) => `exports.e${i} = ${i};`)
      const found = timed(many.join('\n'))
      assert.equal(found.length, MAX_EXPORTS)
      assert.deepEqual(found.at(-1), typed(`e${MAX_EXPORTS - 1}`, 'Number'))
      const huge = `exports.a = 1;\n//${'x'.repeat(MAX_SOURCE)}`
      assert.deepEqual(timed(huge), [])
    })
  })
})
