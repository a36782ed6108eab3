import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { test } from 'node:test'
import { tempDir } from './helpers.ts'

// Every batch file in examples/ runs against a fresh store and must do what its comments say.

const BIN = resolve('bin/amsh.js')
const EXAMPLES = resolve('examples')

type Json = Record<string, unknown>

/** Splits the stdout of a batch into the JSON documents it printed. */
function documents(stdout: string): unknown[] {
  return stdout
    .trim()
    .split(/\n(?=[[{])/)
    .map((text) => JSON.parse(text) as unknown)
}

const expectations: Record<string, (outputs: unknown[]) => void> = {
  'bootstrap-realm.amster': (outputs) => {
    assert.equal(outputs.length, 4)
    assert.deepEqual(outputs[2], [
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
      (outputs[3] as Json[]).map((r) => r.name),
      ['/', 'alpha']
    )
  },
  'validate-sources.amster': (outputs) => {
    assert.deepEqual(outputs.slice(0, 3), [{ success: true }, { success: true }, { success: true }])
    const broken = outputs[3] as { success: boolean; errors: { line: number }[] }
    assert.equal(broken.success, false)
    assert.equal(broken.errors[0]!.line, 2)
  },
  'global-library.amster': (outputs) => {
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
}

const files = readdirSync(EXAMPLES).filter((file) => file.endsWith('.amster'))

test('every example has its expectations here', () => {
  assert.deepEqual(files.sort(), Object.keys(expectations).sort())
})

for (const file of files) {
  test(`examples/${file}`, () => {
    const home = tempDir()
    try {
      const result = spawnSync(process.execPath, [BIN, join(EXAMPLES, file)], {
        encoding: 'utf8',
        env: { ...process.env, AMSH_HOME: home.dir },
      })
      assert.equal(result.status, 0, result.stderr)
      assert.equal(result.stderr, '')
      expectations[file]!(documents(result.stdout))
    } finally {
      home.remove()
    }
  })
}
