import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { didYouMean } from '../src/did-you-mean.ts'
import { runAmsh, tempDir, withRealms } from './helpers.ts'

// Did you mean, beyond verbs, entities and options: the product's script types and languages,
// and the realms the transport holds (asked of it only when a realm was not found).

const { dir, remove } = tempDir()
after(remove)

test('a mistyped context, language or realm names the one meant', async () => {
  const store = join(dir, 'store.db')
  await withRealms(store, ['/alpha'])
  const amsh = (line: string) =>
    runAmsh(['--store', store, '-c', line], { env: { AMSH_HOME: dir } })
  const body = JSON.stringify({
    name: 'typo',
    description: '',
    script: 'eA==',
    language: 'JAVASCRIPTT',
    context: 'AUTHENTICATION_TREE_DECISON_NODE',
  })
  const typed = amsh(`create Scripts --realm / --body '${body}'`)
  assert.match(
    typed.stderr,
    /"JAVASCRIPTT" is not a script language \(did you mean "JAVASCRIPT"\?\)/
  )
  assert.match(
    typed.stderr,
    /"AUTHENTICATION_TREE_DECISON_NODE" .*\(did you mean "AUTHENTICATION_TREE_DECISION_NODE"\?\)/
  )
  const realm = amsh('query Scripts --realm /alpah')
  assert.equal(realm.status, 3)
  assert.match(realm.stderr, /E_NOT_FOUND: Realm not found: \/alpah \(did you mean "\/alpha"\?\)/)
  assert.match(amsh('query Scripts --realm /nothing-like-it').stderr, /Realm not found\n$/)
})

test('a megabyte where a verb goes is answered at once, with no suggestion (found by npm run fuzz)', () => {
  const started = performance.now()
  // Piped in: an argument of a megabyte is more than the system lets a process be given.
  const run = runAmsh(['--store', join(dir, 'store.db')], {
    env: { AMSH_HOME: dir },
    input: `${'x'.repeat(1 << 20)} Scripts --realm /\n`,
  })
  assert.equal(run.status, 2, run.stderr.slice(0, 200))
  assert.ok(performance.now() - started < 5000)
  assert.match(run.stderr, /E_USAGE: unknown command "x+… \(\d+ characters more\)/)
  assert.doesNotMatch(run.stderr, /did you mean/)
  assert.equal(didYouMean('creat', ['create', 'read']), ' (did you mean "create"?)')
  const long = performance.now()
  assert.equal(didYouMean('q'.repeat(1 << 20), ['create', 'read', 'query']), '')
  assert.ok(performance.now() - long < 50, 'no letter-by-letter comparison of a megabyte')
})
