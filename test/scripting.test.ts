import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { b64, runAmsh, tempDir, type Run, withRealms } from './helpers.ts'

// JavaScript lines, variables and Amster idioms, through the built binary: batch files, -c and
// stdin share one session per run, so what a line defines the next one sees.

let home: { dir: string; remove: () => void }
let store: string
let count = 0

function amsh(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Run {
  return runAmsh(['--store', store, ...args], {
    input: options.input,
    env: { AMSH_HOME: home.dir, ...options.env },
  })
}

/** Writes a batch file into its own folder and returns its path. */
function batch(lines: string[], name = 'batch.amster'): string {
  const dir = join(home.dir, `case-${++count}`)
  mkdirSync(dir, { recursive: true })
  const path = join(dir, name)
  writeFileSync(path, lines.join('\n'))
  return path
}

function script(name: string, realm = '/'): string {
  const body = JSON.stringify({
    name,
    description: '',
    script: b64('var a = 1;'),
    language: 'JAVASCRIPT',
    context: 'AUTHENTICATION_TREE_DECISION_NODE',
  })
  return `create Scripts --realm ${realm} --body '${body}'`
}

const names = (realm: string): string[] =>
  (
    JSON.parse(
      amsh(['-c', `query Scripts --realm ${realm} --filter 'default eq false' --fields name`])
        .stdout
    ) as { name: string }[]
  )
    .map((s) => s.name)
    .sort()

before(async () => {
  home = tempDir()
  store = join(home.dir, 'scripting.db')
  const realms = ['/echo', '/eval', '/loop', '/plain', '/props', '/env', '/alpha', '/bravo']
  await withRealms(store, realms)
})
after(() => home.remove())

describe('JavaScript lines', () => {
  test('variables persist between lines, -c commands and across :load', () => {
    const dir = join(home.dir, 'persist')
    mkdirSync(dir)
    writeFileSync(join(dir, 'lib.amster'), 'function twice(n) { return n * 2 }\nconst base = 20')
    const path = join(dir, 'main.amster')
    writeFileSync(
      path,
      [':load lib.amster', 'let total = twice(base) + 2', 'println(total)'].join('\n')
    )
    const result = amsh([path])
    assert.equal(result.stderr, '')
    assert.equal(result.stdout, '42\n')
    const oneLiners = amsh(['-c', 'x = 6', '-c', 'print(x * 7)'])
    assert.equal(oneLiners.stdout, '42')
  })

  test('a command result is a plain object; _ holds the last result', () => {
    const result = amsh([
      batch([
        script('Plain one', '/plain'),
        'println(_.name, typeof _._id)',
        `s = query Scripts --realm /plain --filter 'default eq false'`,
        'println(Array.isArray(s), s.length, s[0].name)',
        'println(JSON.stringify(s.map(x => x.language)))',
      ]),
    ])
    assert.equal(result.stderr, '')
    const lines = result.stdout.trim().split('\n')
    assert.deepEqual(lines.slice(-3), ['Plain one string', 'true 1 Plain one', '["JAVASCRIPT"]'])
  })

  test('multi-line statements, top-level await and run() in a loop', () => {
    const result = amsh([
      batch([
        'const realm = "/loop"',
        'for (let i = 0; i < 3; i++) {',
        '  await run(`create Scripts --realm ${realm} --body \'{"name": "Loop ${i}", "description": "", "script": "", "language": "JAVASCRIPT", "context": "LIBRARY"}\'`)',
        '}',
        `const found = await run('query Scripts --realm /loop --filter "name sw \\\\"Loop\\\\""')`,
        'println(found.length)',
        'for (const x of found)',
        '  await run(`delete Scripts --realm /loop --id ${x._id}`)',
        `println((await run('query Scripts --realm /loop --filter "default eq false"')).length)`,
      ]),
    ])
    assert.equal(result.stderr, '')
    assert.equal(result.status, 0)
    assert.equal(result.stdout, '3\n0\n')
  })

  test("Amster's eval() runs commands, in order even when nobody awaits them", () => {
    const result = amsh([
      batch([
        'for (i = 0; i < 4; i++) {',
        `  eval(\`create Scripts --realm /eval --body '{"name": "Store\${i}", "description": "", "script": "", "language": "JAVASCRIPT", "context": "LIBRARY"}'\`)`,
        '}',
        'println(eval("1 + 1"))',
      ]),
    ])
    assert.equal(result.stderr, '')
    assert.equal(result.stdout, '2\n')
    assert.deepEqual(names('/eval'), ['Store0', 'Store1', 'Store2', 'Store3'])
  })

  test('a failing command in run() throws an error carrying its code', () => {
    const caught = amsh([
      batch([
        'try { await run("read Scripts --realm / --id nope") } catch (e) { println(e.code, e.message) }',
      ]),
    ])
    assert.equal(caught.status, 0, caught.stderr)
    assert.equal(caught.stdout, 'E_NOT_FOUND Script with UUID nope could not be found in realm /\n')

    const path = batch([
      'x = 1',
      'const id = "gone"',
      'await run(`read Scripts --realm / --id ${id}`)',
    ])
    const uncaught = amsh([path])
    assert.equal(uncaught.status, 3)
    assert.equal(
      uncaught.stderr,
      `${path}:3:7: E_NOT_FOUND: Script with UUID gone could not be found in realm /\n  in: read Scripts --realm / --id gone\n`
    )
  })

  test('a run() nobody awaited that fails is still a failure of its line', () => {
    const path = batch([
      'run("read Scripts --realm / --id lost"); println("after")',
      'println("next")',
    ])
    const result = amsh([path])
    assert.equal(result.status, 3)
    assert.equal(result.stdout, 'after\n')
    assert.match(result.stderr, /:1:1: E_NOT_FOUND: Script with UUID lost/)
  })

  test('run(":exit") and eval(":exit") stop the batch', () => {
    const result = amsh([batch(['println("one")', 'if (true) eval(":exit")', 'println("two")'])])
    assert.equal(result.status, 0, result.stderr)
    assert.equal(result.stdout, 'one\n')
    // Awaited, or the value of the line: the same.
    for (const exit of ['await run(":exit")', 'run(":exit")']) {
      const awaited = amsh([batch(['println("one")', exit, 'println("two")'])])
      assert.deepEqual([awaited.status, awaited.stdout, awaited.stderr], [0, 'one\n', ''], exit)
    }
  })

  test('assignments are never echoed in a batch; command results are', () => {
    const result = amsh([
      batch([
        script('Echo', '/echo'),
        `secret = query Scripts --realm /echo --filter 'name eq "Echo"' --fields name`,
        'password = "hunter2"',
        `query Scripts --realm /echo --filter 'name eq "Echo"' --fields name`,
      ]),
    ])
    assert.equal(result.stderr, '')
    assert.doesNotMatch(result.stdout, /hunter2/)
    const documents = result.stdout.match(/^[[{]/gm) ?? []
    assert.equal(documents.length, 2, result.stdout)
  })

  test('readFile and writeFile resolve beside the batch file', () => {
    const path = batch([
      'const input = JSON.parse(readFile("in.json"))',
      'writeFile("out.json", { doubled: input.n * 2 })',
    ])
    writeFileSync(join(path, '..', 'in.json'), '{"n": 21}')
    const result = amsh([path])
    assert.equal(result.stderr, '')
    assert.deepEqual(JSON.parse(readFileSync(join(path, '..', 'out.json'), 'utf8')), {
      doubled: 42,
    })
  })
})

describe('variables in command lines', () => {
  test('-D properties: System.getProperty, variables, ${} and bare names', () => {
    const result = amsh([
      '-D',
      'realm=/props',
      '-Dname=From D',
      batch([
        'r = System.getProperty("realm")',
        `create Scripts --realm r --body '{"name": "Bare", "description": "", "script": "", "language": "JAVASCRIPT", "context": "LIBRARY"}'`,
        `create Scripts --realm \${realm} --body \${JSON.stringify({name: name, description: "", script: "", language: "JAVASCRIPT", context: "LIBRARY"})}`,
        'println(System.getProperty("missing"), System.getProperty("missing", "fallback"))',
      ]),
    ])
    assert.equal(result.stderr, '')
    assert.match(result.stdout, /null fallback\n$/)
    assert.deepEqual(names('/props'), ['Bare', 'From D'])
  })

  test('System.getenv, env and this.binding.variables << System.getenv()', () => {
    const result = amsh(
      [
        batch([
          'println(System.getenv("AMSH_TEST_REALM"), env.AMSH_TEST_REALM, System.getenv("NOPE"))',
          'this.binding.variables << System.getenv()',
          `create Scripts --realm AMSH_TEST_REALM --body '{"name": "Env", "description": "", "script": "", "language": "JAVASCRIPT", "context": "LIBRARY"}'`,
        ]),
      ],
      { env: { AMSH_TEST_REALM: '/env' } }
    )
    assert.equal(result.stderr, '')
    assert.match(result.stdout, /^\/env \/env null\n/)
    assert.deepEqual(names('/env'), ['Env'])
  })

  // Found by the fuzz target of script values: a megabyte string made a million globals (23 s).
  test('binding.variables << takes a map: a string, a list or null is E_SCRIPT, at once', () => {
    const started = performance.now()
    const result = amsh([
      '--on-error',
      'continue',
      batch([
        'binding.variables << "x".repeat(1 << 20)',
        'binding.variables << [1, 2]',
        'binding.variables << null',
      ]),
    ])
    assert.ok(performance.now() - started < 5000)
    assert.equal(result.status, 1)
    const lines = result.stderr.trim().split('\n')
    assert.equal(lines.length, 3, result.stderr)
    for (const [i, what] of ['a string', 'a list', 'null'].entries()) {
      assert.match(
        lines[i]!,
        new RegExp(
          `:${i + 1}:\\d+: E_SCRIPT: TypeError: binding.variables << takes a map of names to values, not ${what} `
        )
      )
    }
  })

  test('a bare word that names no variable is literal; a quoted one always is', () => {
    const result = amsh([
      batch([
        'alpha = "/not-used"',
        `create Scripts --realm 'alpha' --body '{"name": "Quoted", "description": "", "script": "", "language": "JAVASCRIPT", "context": "LIBRARY"}'`,
        `create Scripts --realm bravo --body '{"name": "Literal", "description": "", "script": "", "language": "JAVASCRIPT", "context": "LIBRARY"}'`,
      ]),
    ])
    assert.equal(result.stderr, '')
    assert.deepEqual(names('/alpha'), ['Quoted'])
    assert.deepEqual(names('/bravo'), ['Literal'])
  })

  test('an undefined variable in ${} fails the command, naming it', () => {
    const path = batch(['read Scripts --realm ${nowhere} --id x'])
    const result = amsh([path])
    assert.equal(result.status, 3)
    assert.equal(
      result.stderr,
      `${path}:1: E_SCRIPT: \${nowhere}: ReferenceError: nowhere is not defined\n`
    )
  })

  test('a variable with no value is an error, not the text "null"', () => {
    const path = batch(['realm = System.getProperty("REALM")', 'query Scripts --realm realm'])
    const result = amsh([path])
    assert.equal(result.status, 3)
    assert.match(
      result.stderr,
      /:2: E_SCRIPT: variable "realm" is null: there is no value to use here/
    )
  })

  // The value's own code runs when it is written as JSON: it may throw, and that is E_SCRIPT
  // naming the value, never E_INTERNAL.
  test('a value that throws when read (Proxy traps, getters, toJSON, toString) is E_SCRIPT, naming it', () => {
    const path = batch([
      'p = new Proxy({}, { get() { throw new Error("trap") }, ownKeys() { throw new Error("keys") } }); 1',
      'revoked = Proxy.revocable({}, {}); revoked.revoke(); revoked = revoked.proxy; 1',
      'getter = { get a() { throw new Error("getter") } }',
      'json = { toJSON() { throw new Error("toJSON") } }',
      'text = { toString() { throw new Error("toString") }, toJSON() { return `${this}` } }',
      'loop = {}; loop.self = loop',
      'big = { n: 1n }',
      'read Scripts --realm / --id ${p}',
      'read Scripts --realm / --id p',
      'read Scripts --realm / --id ${[p]}',
      'read Scripts --realm / --id revoked',
      'read Scripts --realm / --id ${getter}',
      'read Scripts --realm / --id json',
      'read Scripts --realm / --id ${text}',
      'read Scripts --realm / --id loop',
      'read Scripts --realm / --id ${big}',
    ])
    const result = amsh(['--on-error', 'continue', path])
    assert.equal(result.status, 1)
    const lines = result.stderr.trim().split('\n')
    const expected = [
      [8, '${p}', 'trap'],
      [9, 'variable "p"', 'trap'],
      [10, '${[p]}', 'trap'],
      [
        11,
        'variable "revoked"',
        "TypeError: Cannot perform 'get' on a proxy that has been revoked",
      ],
      [12, '${getter}', 'getter'],
      [13, 'variable "json"', 'toJSON'],
      [14, '${text}', 'toString'],
      [15, 'variable "loop"', 'TypeError: Converting circular structure to JSON'],
      [16, '${big}', 'TypeError: Do not know how to serialize a BigInt'],
    ] as const
    assert.equal(lines.length, expected.length, result.stderr)
    expected.forEach(([line, what, why], i) => {
      const prefix = `${path}:${line}: E_SCRIPT: ${what} cannot be written as JSON for the command line: ${why}`
      assert.ok(lines[i]!.startsWith(prefix), `${lines[i]}\n  should start with\n${prefix}`)
    })
  })
})

describe(':load with arguments', () => {
  test('args are visible to the loaded file, paths resolve from the loading file', () => {
    const dir = join(home.dir, 'load-args')
    mkdirSync(join(dir, 'lib'), { recursive: true })
    writeFileSync(
      join(dir, 'lib', 'greet.amster'),
      'println(`hello ${args.join(" and ")}`)\n:load ../tail.amster'
    )
    writeFileSync(join(dir, 'tail.amster'), 'println(args.length)')
    writeFileSync(
      join(dir, 'main.amster'),
      ':load lib/greet.amster "a b" ${1 + 1}\nprintln(args.length)'
    )
    const result = amsh([join(dir, 'main.amster')])
    assert.equal(result.stderr, '')
    assert.equal(result.stdout, 'hello a b and 2\n0\n0\n')
  })
})

describe('mistakes in JavaScript lines', () => {
  test('a syntax error names file:line:column', () => {
    const path = batch(['x = 1', 'if (x > {', '  y = 2', '}}'])
    const result = amsh([path])
    assert.equal(result.status, 2)
    assert.match(result.stderr, new RegExp(`^${escape(path)}:3:5: E_PARSE: Unexpected token`))
  })

  test('a runtime exception shows its message, the stack only with --debug', () => {
    const path = batch(['const o = undefined', 'function f() {', '  return o.name', '}', 'f()'])
    const plain = amsh([path])
    assert.equal(plain.status, 3)
    assert.equal(
      plain.stderr,
      `${path}:3:12: E_SCRIPT: TypeError: Cannot read properties of undefined (reading 'name')\n`
    )
    const debug = amsh(['--debug', path])
    assert.match(debug.stderr, /\n\s+at f \(.*batch\.amster:3:12\)\n\s+at .*batch\.amster:5:1\n$/)
  })

  const groovy: [string, string[], RegExp][] = [
    [
      'a GString',
      ['for (i = 0; i < 2; i++) {', '  eval("create X --id myStore$i")', '}'],
      /:2:\d+: E_PARSE: .*GString.*`create X --id myStore\$\{i\}`/,
    ],
    ['def', ['def realm = "/"'], /:1:\d+: E_PARSE: .*"def" is Groovy.*let realm = /],
    [
      'a closure',
      ['items = []', 'items.each { println it }'],
      /:2:\d+: E_PARSE: .*for \(const it of items\)/,
    ],
  ]
  for (const [what, lines, message] of groovy) {
    test(`Groovy that is not JavaScript: ${what}`, () => {
      const result = amsh([batch(lines)])
      assert.equal(result.status, 2)
      assert.match(result.stderr, message)
    })
  }
})

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

describe('what a line throws or leaves, when reading it throws too', () => {
  test('E_SCRIPT with what can be read of it, never E_INTERNAL', () => {
    const path = batch([
      'throw new Proxy({}, { getPrototypeOf() { throw 1 }, has() { throw 2 }, get() { throw 3 } })',
      'throw { get message() { throw new Error("no") } }',
      'throw { toString() { throw new Error("no") } }',
      'Promise.reject(new Error("rejected"))',
      'new Proxy({}, { get() { throw new Error("then trap") } })',
    ])
    const result = amsh(['--on-error', 'continue', path])
    assert.equal(result.status, 1)
    const lines = result.stderr.trim().split('\n')
    assert.equal(lines.length, 5, result.stderr)
    assert.match(lines[0]!, /:1: E_SCRIPT: uncaught \{\}$/)
    assert.match(lines[1]!, /:2: E_SCRIPT: \(a message that cannot be read\)$/)
    assert.match(lines[2]!, /:3: E_SCRIPT: uncaught \{ toString: \[Function: toString\] \}$/)
    assert.match(lines[3]!, /:4:\d+: E_SCRIPT: rejected$/)
    assert.match(lines[4]!, /:5:\d+: E_SCRIPT: then trap$/)
  })

  // Found by the fuzz target of script values: the line's value was resolved once more after
  // the line, reading `then` again outside any handler.
  test('a value whose then getter throws the second time it is read: E_SCRIPT, not E_INTERNAL', () => {
    const path = batch([
      'let n = 0; t = { get then() { if (n++ >= 1) throw new Error("then again"); return 1 } }',
      't',
    ])
    const result = amsh(['--on-error', 'continue', path])
    assert.equal(result.status, 1)
    assert.doesNotMatch(result.stderr, /E_INTERNAL/)
    // One failure, line 2's, placed where the getter throws (line 1); line 1 itself succeeded.
    assert.match(result.stderr.trim(), /:1:\d+: E_SCRIPT: then again$/)
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr)
  })

  // Found by the fuzz target of script values: node ended amsh with a stack trace.
  test('a rejected promise nothing handled is E_SCRIPT naming it, not a crash', () => {
    const path = batch(['x = [Promise.reject(new Error("nobody"))]; 1', 'println("after")'])
    const result = amsh(['--on-error', 'continue', path])
    assert.equal(result.status, 1, result.stderr)
    assert.equal(result.stdout, 'after\n')
    assert.match(
      result.stderr.trim(),
      /^\S+:1:\d+: E_SCRIPT: a promise was rejected and nothing handled it: nobody$/
    )
  })

  // Found by the fuzz target of script values: node ended amsh there, silently, with status 13.
  test('a line awaiting a promise nothing can settle fails; the batch goes on', () => {
    const path = batch(['x = new Promise(() => {}); 1', 'await x', 'println("after")'])
    const result = amsh(['--on-error', 'continue', path])
    assert.equal(result.status, 1, result.stderr)
    assert.equal(result.stdout, 'after\n')
    assert.match(
      result.stderr.trim(),
      /^\S+:2: E_SCRIPT: the line waits for a promise that nothing is left to settle .*it would never end$/
    )
  })

  test('at the prompt, a value whose traps throw is still shown', () => {
    const result = amsh(['-i'], {
      input:
        'p = new Proxy({}, { get() { throw new Error("trap") }, getPrototypeOf() { throw new Error("proto") } }); 1\n[p]\n',
    })
    assert.equal(result.status, 0, result.stderr)
    assert.match(result.stdout, /\[ \{\} \]/)
    assert.doesNotMatch(result.stderr, /E_INTERNAL/)
  })
})

describe('a lone verb', () => {
  test('is the variable it names, or else a command missing its entity', () => {
    const variable = amsh(['-c', 'r = 5', '-c', 'r', '-c', 'println(r)'])
    assert.equal(variable.stderr, '')
    assert.equal(variable.stdout, '5\n')
    const command = amsh(['-c', 'query'])
    assert.equal(command.status, 2)
    assert.match(command.stderr, /E_USAGE: query needs an entity type first/)
  })
})
