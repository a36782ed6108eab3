import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { AmshError } from '../../src/errors.ts'
import { render } from '../../src/output/format.ts'
import { PROMPT, type Frame, type SessionHost } from '../../src/shell/session.ts'
import { LocalStore } from '../../src/transport/local/store.ts'
import { quietSession } from '../helpers.ts'
import { target, type FuzzTarget } from './inputs.ts'

// Values a user's JavaScript line hands to amsh that fight back: Proxies whose traps throw (or
// are revoked), toString / toJSON / Symbol.toPrimitive / getters that throw, cycles, deep and
// huge values, thenables. Each goes to one of the ways a line reaches amsh (run(), eval(),
// print(), System.getProperty, writeFile, a ${} or bare variable of a command line, the line's
// own value as the prompt shows it, a throw). The property: an AmshError that is not
// E_INTERNAL (a JavaScript error shown as E_SCRIPT), or a value, never a crash.

export interface ValueCase {
  /** JavaScript that makes the value. */
  value: string
  /** A line that hands `v` to amsh. */
  use: string
}

/** What a thrown value may be: an Error, or something that fights being read too. */
const THROWN = [
  "new Error('trap')",
  "'a string'",
  'null',
  'undefined',
  '42n',
  "Symbol('s')",
  "new Proxy({}, { get() { throw new Error('again') } })",
  "({ get message() { throw new Error('message') } })",
  "({ toString() { throw new Error('toString') } })",
  'Object.create(null)',
]

const TRAPS = [
  'get',
  'set',
  'has',
  'ownKeys',
  'getOwnPropertyDescriptor',
  'getPrototypeOf',
  'defineProperty',
  'deleteProperty',
  'isExtensible',
  'preventExtensions',
  'apply',
  'construct',
]

const THROWER = fc.constantFrom(...THROWN).map((thrown) => `(() => { throw ${thrown} })`)

/** A Proxy whose chosen traps throw, around an object, array, function or plain data. */
const PROXY = fc
  .tuple(
    fc.subarray(TRAPS, { minLength: 1 }),
    THROWER,
    fc.constantFrom('{}', '[]', '(() => 1)', '{ name: "x", script: "eA==" }', 'new Date()'),
    // After how many calls a trap starts to throw: 0 always, more once it has been looked at.
    fc.nat(3)
  )
  .map(([traps, thrower, inner, after]) => {
    const handler = traps
      .map(
        (trap) =>
          `${trap}(...a) { if (n++ >= ${after}) (${thrower})(); return Reflect.${trap}(...a) }`
      )
      .join(', ')
    return `(() => { let n = 0; return new Proxy(${inner}, { ${handler} }) })()`
  })

const HOSTILE_VALUES = fc.oneof(
  PROXY,
  fc.constant('(() => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy })()'),
  fc
    .tuple(
      fc.constantFrom(
        'toString',
        'valueOf',
        'toJSON',
        '[Symbol.toPrimitive]',
        '[Symbol.iterator]',
        "[Symbol.for('nodejs.util.inspect.custom')]",
        'then'
      ),
      THROWER
    )
    .map(([name, thrower]) => `({ ${name}() { (${thrower})() }, a: 1 })`),
  fc
    .tuple(
      fc.constantFrom('name', 'script', 'message', 'constructor', 'then', '[Symbol.toStringTag]'),
      THROWER,
      fc.nat(2)
    )
    .map(
      ([name, thrower, after]) =>
        `(() => { let n = 0; return { a: 1, get ${name}() { if (n++ >= ${after}) (${thrower})(); return 'x' } } })()`
    ),
  fc.constant('(() => { const a = { name: "x" }; a.self = a; return a })()'),
  fc.constant('(() => { const a = []; a.push(a); return a })()'),
  fc.constant('(() => { let a = {}; for (let i = 0; i < 10000; i++) a = { a }; return a })()'),
  fc.constant('(() => { let a = []; for (let i = 0; i < 10000; i++) a = [a]; return a })()'),
  fc.constant("({ ['x'.repeat(1 << 20)]: 1 })"),
  fc.constant("'x'.repeat(1 << 20)"),
  fc.constant("'`${'.repeat(10000)"),
  fc.constantFrom(
    '1n',
    "Symbol('s')",
    '() => 1',
    'null',
    'undefined',
    'NaN',
    'new Map([[1, 2]])',
    'Object.create(null)',
    'new Error("plain")',
    '({ then(ok) { ok(new Proxy({}, { ownKeys() { throw 1 } })) } })',
    "({ get then() { throw new Error('then') } })",
    // A rejection inside a value is one nothing handles: amsh reports it as E_SCRIPT, but
    // node:test fails whichever test saw one, so only `npm run fuzz` makes them.
    ...(process.env.NODE_TEST_CONTEXT === undefined
      ? ['Promise.reject(new Error("rejected"))']
      : [])
  )
)

// A promise that never settles is left out: a line awaiting it fails once the event loop is
// empty (test/scripting.test.ts), and node:test ends a run whose loop empties before that.

/** The value wrapped in something amsh reads through: a body, a list, a thenable. */
const VALUES = fc.oneof(
  { weight: 4, arbitrary: HOSTILE_VALUES },
  {
    weight: 1,
    arbitrary: fc
      .tuple(HOSTILE_VALUES, fc.constantFrom('name', 'script', 'body', 'a'))
      .map(([value, key]) => `({ ${key}: ${value}, language: 'JAVASCRIPT' })`),
  },
  { weight: 1, arbitrary: HOSTILE_VALUES.map((value) => `[1, ${value}]`) }
)

const USES = [
  'run(v)',
  'await run(v)',
  "run('create Scripts --realm / --body ' + v)",
  "await run('query Scripts --realm / --filter ' + v)",
  'run(`:load ${v}`)',
  'eval(v)',
  'print(v)',
  'println(v, v)',
  'console.log(v)',
  'System.getProperty(v)',
  "System.getProperty('x', v)",
  'System.getenv(v)',
  'readFile(v)',
  "writeFile(dir + '/out.txt', v)",
  'writeFile(v, "x")',
  'create Scripts --realm / --body ${v}',
  'create Scripts --realm / --body v',
  'create Scripts --realm / --name ${v} --language JAVASCRIPT',
  'query Scripts --realm ${v}',
  'read Scripts --realm / --id v',
  ':set output ${v}',
  ':load ${v}',
  ':help ${v}',
  'v',
  'throw v',
  'await v',
  'Promise.reject(v)',
  '[v]',
  'binding.variables << v',
  'x = v; x',
  'JSON.stringify(v)',
  'String(v)',
]

export const VALUE_INPUT: fc.Arbitrary<ValueCase> = fc.record({
  value: VALUES,
  use: fc.constantFrom(...USES),
})

/** The host of a prompt session that shows nothing; what no line surfaced, it keeps. */
function quietHost(failures: AmshError[]): SessionHost {
  return {
    load: async () => undefined,
    exit: () => undefined,
    errexit: () => undefined,
    output: () => undefined,
    failed: (error) => failures.push(error),
  }
}

/** Throws an AmshError that says amsh failed (not the user's code). */
function internal(error: AmshError): void {
  if (error.code === 'E_INTERNAL') throw error
}

export function scriptValuesTarget(): FuzzTarget<unknown> {
  let store: LocalStore | undefined
  let dir: string | undefined
  let runs = 0
  return target<ValueCase>({
    name: 'values a JavaScript line hands to amsh (throwing Proxies, getters, cycles)',
    // A session made and three lines run each time: ~10 ms.
    testRuns: 100,
    input: VALUE_INPUT,
    show: (input) => JSON.stringify(input),
    async run({ value, use }) {
      // The scripts inputs create pile up, and every query of a later input reads them all: a
      // fresh store now and then keeps an input's work its own (9,000 inputs took 73 ms each).
      if (++runs % 500 === 0) {
        store?.close()
        store = undefined
      }
      store ??= new LocalStore({ path: ':memory:', product: 'am8' })
      dir ??= mkdtempSync(join(tmpdir(), 'amsh-fuzz-values-'))
      const failures: AmshError[] = []
      const session = quietSession(store)
      const frame: Frame = {
        file: PROMPT,
        line: 1,
        baseDir: dir,
        host: quietHost(failures),
        chain: [],
        via: undefined,
      }
      const lines = [`dir = ${JSON.stringify(dir)}`, `v = ${value}`, use]
      try {
        for (const line of lines) {
          try {
            const outcome = await session.execute(line, frame)
            // As the prompt shows a line's value.
            if (outcome.kind === 'value' && outcome.value !== undefined) {
              render(outcome.value, 'json', outcome.entity, outcome.view ?? {})
            }
          } catch (err) {
            if (!(err instanceof AmshError)) throw err
            internal(err)
          }
        }
        // A run() nobody awaited fails after its line: give it the time to.
        await new Promise((done) => setImmediate(done))
        for (const failure of failures) internal(failure)
      } finally {
        session.close()
      }
    },
    close() {
      store?.close()
      store = undefined
      if (dir) rmSync(dir, { recursive: true, force: true })
      dir = undefined
    },
  })
}
