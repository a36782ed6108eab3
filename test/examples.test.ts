import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { test } from 'node:test'
import { b64, runAmsh, SERVE_PASSWORD, startServe, tempDir, type Run } from './helpers.ts'

// Every batch file in examples/ runs against a fresh store and must do what its comments say.
// Some need scripts in the store first: `setup` puts them there, with plain -c commands.

const EXAMPLES = resolve('examples')

type Json = Record<string, unknown>

/** Splits the stdout of a batch into the JSON documents it printed. */
function documents(stdout: string): unknown[] {
  return stdout
    .trim()
    .split(/\n(?=[[{])/)
    .map((text) => JSON.parse(text) as unknown)
}

function create(name: string, context: string, source = 'var ok = true;'): string {
  const body = { name, description: '', script: b64(source), language: 'JAVASCRIPT', context }
  return `create Scripts --realm /alpha --skipSourceCheck --body '${JSON.stringify(body)}'`
}

/** The realms the examples work in, made first (bootstrap-realm makes its own). */
const REALMS = ['/alpha', '/bravo', '/bravo/charlie'].map((path) => {
  const slash = path.lastIndexOf('/')
  const body = { name: path.slice(slash + 1), parentPath: path.slice(0, slash) || '/' }
  return `create Realms --global --body '${JSON.stringify(body)}'`
})

interface Example {
  /** Whether the example makes its realm itself. */
  ownRealm?: boolean
  setup?: string[]
  args?: (dir: string) => string[]
  status?: number
  check(run: Run, dir: string, amsh: (...commands: string[]) => Run): void
}

const namesIn = (run: Run) => (JSON.parse(run.stdout) as Json[]).map((s) => s.name)
const userScripts = "query Scripts --realm /alpha --filter 'default eq false' --sortKeys name"

const examples: Record<string, Example> = {
  'bootstrap-realm.amster': {
    ownRealm: true,
    check({ stdout }) {
      const outputs = documents(stdout)
      assert.equal(outputs.length, 5)
      assert.equal((outputs[0] as Json)._id, 'L2FscGhh')
      assert.deepEqual(outputs[3], [
        {
          _id: '7a1f3c1e-4b7e-4a55-9e0c-0c6b1f3d9a01',
          name: 'Check username',
          language: 'JAVASCRIPT',
          context: 'AUTHENTICATION_TREE_DECISION_NODE',
        },
        {
          _id: '7a1f3c1e-4b7e-4a55-9e0c-0c6b1f3d9a02',
          name: 'Email claim',
          language: 'GROOVY',
          context: 'OIDC_CLAIMS',
        },
      ])
      assert.deepEqual(
        (outputs[4] as Json[]).map((r) => r.name),
        ['/', 'alpha']
      )
    },
  },
  'validate-sources.amster': {
    check({ stdout }) {
      const outputs = documents(stdout)
      assert.deepEqual(outputs.slice(0, 3), [
        { success: true },
        { success: true },
        { success: true },
      ])
      const broken = outputs[3] as { success: boolean; errors: { line: number }[] }
      assert.equal(broken.success, false)
      assert.equal(broken.errors[0]!.line, 2)
    },
  },
  'global-library.amster': {
    check({ stdout }) {
      const outputs = documents(stdout)
      assert.equal((outputs[0] as Json).evaluatorVersion, '2.0')
      assert.deepEqual(
        (outputs[1] as Json[]).map((s) => [s.name, s.evaluatorVersion]),
        [['Greetings', '2.0']]
      )
      assert.deepEqual(
        (outputs[2] as Json[]).map((s) => s.name),
        ['Greetings']
      )
    },
  },
  'validate-realm.amster': {
    setup: [
      create('Fine', 'LIBRARY'),
      create(
        'Half-written',
        'AUTHENTICATION_TREE_DECISION_NODE',
        'if (ok {\n  outcome = "true"\n}'
      ),
    ],
    args: () => ['-D', 'realm=/alpha'],
    status: 3,
    check({ stdout, stderr }) {
      assert.match(stdout, /^ok {4}Fine\nFAIL {2}Half-written 1:8 .+\n$/)
      assert.match(
        stderr,
        /validate-realm.amster:20:25: E_SCRIPT: 1 script\(s\) in \/alpha do not parse\n$/
      )
    },
  },
  'rename-scripts.amster': {
    setup: [
      create('Legacy Gate', 'POLICY_CONDITION'),
      create('Legacy Check', 'POLICY_CONDITION'),
      create('Unrelated', 'LIBRARY'),
    ],
    check({ stdout }, _dir, amsh) {
      assert.equal(stdout, 'Legacy Check -> Check\nLegacy Gate -> Gate\n')
      const after = JSON.parse(amsh(userScripts).stdout) as Json[]
      assert.deepEqual(
        after.map((s) => [s.name, s.context]),
        [
          ['Check', 'AUTHENTICATION_TREE_DECISION_NODE'],
          ['Gate', 'AUTHENTICATION_TREE_DECISION_NODE'],
          ['Unrelated', 'LIBRARY'],
        ]
      )
    },
  },
  'export-scripts.amster': {
    setup: [create('Groovy-free', 'LIBRARY', 'var exported = 1;'), create('Other', 'LIBRARY')],
    args: (dir) => ['-D', 'filter=name sw "Groovy"', '-D', `out=${join(dir, 'export.json')}`],
    check({ stdout }, dir) {
      assert.equal(stdout, `exported 1 script(s) from /alpha to ${join(dir, 'export.json')}\n`)
      const written = JSON.parse(readFileSync(join(dir, 'export.json'), 'utf8')) as {
        realm: string
        scripts: Json[]
      }
      assert.equal(written.realm, '/alpha')
      assert.deepEqual(
        written.scripts.map((s) => [s.name, s.source, 'script' in s]),
        [['Groovy-free', 'var exported = 1;', false]]
      )
    },
  },
  'cleanup-test-scripts.amster': {
    setup: [
      create('test-one', 'LIBRARY'),
      create('test-two', 'LIBRARY'),
      create('keep', 'LIBRARY'),
    ],
    check({ stdout }, _dir, amsh) {
      assert.equal(stdout, 'deleted 2 test script(s) from /alpha\n')
      assert.deepEqual(namesIn(amsh(userScripts)), ['keep'])
    },
  },
}

const files = readdirSync(EXAMPLES).filter((file) => file.endsWith('.amster'))

test('every example has its expectations here', () => {
  assert.deepEqual(files.sort(), Object.keys(examples).sort())
})

// Each example runs twice: on the local store, and through the REST transport on a fresh
// `amsh serve` (AMSH_PROFILE names a saved connection to it), where it must do the same.
for (const file of files) {
  for (const where of ['local store', 'amsh serve'] as const) {
    test(`examples/${file} (${where})`, async () => {
      const home = tempDir()
      const served = where === 'amsh serve' ? await startServe() : undefined
      const example = examples[file]!
      const env: Record<string, string> = {
        AMSH_HOME: home.dir,
        XDG_CONFIG_HOME: join(home.dir, 'config'),
        AM_PASS: SERVE_PASSWORD,
      }
      try {
        if (served) {
          const args = [
            'add',
            'lab',
            served.base,
            '--username',
            'amadmin',
            '--password-env',
            'AM_PASS',
          ]
          assert.equal(runAmsh(['profile', ...args], { env }).status, 0)
          env.AMSH_PROFILE = 'lab'
        }
        const amsh = (...commands: string[]) =>
          runAmsh(
            commands.flatMap((c) => ['-c', c]),
            { env }
          )
        const setup = [...(example.ownRealm ? [] : REALMS), ...(example.setup ?? [])]
        for (const command of setup) assert.equal(amsh(command).status, 0, command)
        const result = runAmsh([join(EXAMPLES, file), ...(example.args?.(home.dir) ?? [])], { env })
        assert.equal(result.status, example.status ?? 0, result.stderr)
        if (example.status === undefined) assert.equal(result.stderr, '')
        example.check(result, home.dir, amsh)
        if (served) {
          // runAmsh blocked this process: let the server's log lines in before reading them.
          await new Promise((done) => setTimeout(done, 100))
          assert.match(served.log(), /\/scripts/, 'the example went to the server')
        }
      } finally {
        served?.stop()
        home.remove()
      }
    })
  }
}

test('the cleanup example, dry run: plans the deletes of the real test scripts, deletes nothing', () => {
  const home = tempDir()
  try {
    const env = { AMSH_HOME: home.dir }
    assert.equal(runAmsh(['-c', REALMS[0]!], { env }).status, 0)
    for (const name of ['test-a', 'keep']) {
      assert.equal(runAmsh(['-c', create(name, 'LIBRARY')], { env }).status, 0)
    }
    const plan = runAmsh(['--dry-run', join(EXAMPLES, 'cleanup-test-scripts.amster')], { env })
    assert.equal(plan.status, 0, plan.stderr)
    assert.match(
      plan.stdout,
      /^delete Scripts \/alpha [0-9a-f-]{36}\ndeleted 1 test script\(s\) from \/alpha\n$/
    )
    assert.deepEqual(namesIn(runAmsh(['-c', userScripts], { env })), ['keep', 'test-a'])
  } finally {
    home.remove()
  }
})
