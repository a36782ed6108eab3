import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, test } from 'node:test'
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
