import assert from 'node:assert/strict'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { redactText } from '../src/journal/images.ts'
import { historyFileOf, historyListing, readHistory, writeHistory } from '../src/shell/history.ts'
import { tempDir } from './helpers.ts'

// The prompt's history file: one entry per logical command, newest first as node writes its
// own, secrets blanked before anything reaches the disk, a file per place commands go.

const { dir, remove } = tempDir()
after(remove)

test('a multi-line command is one entry, read back whole; the file is the owner’s alone', () => {
  const file = join(dir, 'history')
  const body = 'create Scripts --realm / --body {\n"name": "x",\n"context": "LIBRARY"}'
  writeHistory(file, ['query Scripts --realm /', body, '"quoted" at the start'])
  assert.deepEqual(readHistory(file), ['query Scripts --realm /', body, '"quoted" at the start'])
  assert.equal(statSync(file).mode & 0o777, 0o600)
  assert.equal(readFileSync(file, 'utf8').split('\n').length, 4, 'three lines and the last newline')
})

test('secrets are blanked before they are written, and in :history', () => {
  const file = join(dir, 'secrets')
  const typed = [
    'connect https://am.example.com/am --username amadmin --password hunter22',
    'connect https://am.example.com/am --username amadmin --password "two words"',
    'var token = "eyJhbGciOiJIUzI1NiJ9.e30.abc"',
    ':load setup.amster -D adminPassword=hunter22 -D realm=/alpha',
    'curl -H "X-OpenAM-Password: hunter22" -H "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig"',
    'create Realms --global --body {"name": "a", "clientSecret": "hunter22"}',
  ]
  writeHistory(file, typed)
  const written = readFileSync(file, 'utf8')
  assert.doesNotMatch(written, /hunter22|two words|eyJhbGciOiJIUzI1NiJ9/)
  assert.match(written, /-D realm=\/alpha/)
  assert.doesNotMatch(historyListing(typed), /hunter22|eyJhbGciOiJIUzI1NiJ9/)
  assert.match(historyListing(['b', 'a']), /^1 {2}a\n2 {2}b$/)
})

test('a history file of an older amsh (node’s: newest first, a line each) reads as it was', () => {
  const file = join(dir, 'old')
  writeFileSync(file, 'newest\nolder\noldest\n')
  assert.deepEqual(readHistory(file), ['newest', 'older', 'oldest'])
  assert.deepEqual(readHistory(join(dir, 'none')), [])
})

test('each place has its own file; no place name can leave the folder', () => {
  assert.equal(historyFileOf('/h', undefined), '/h/history')
  assert.equal(historyFileOf('/h', 'am.example.com (prod)'), '/h/history.d/am.example.com_prod_')
  assert.equal(historyFileOf('/h', '../../etc/passwd'), '/h/history.d/.._.._etc_passwd')
  assert.equal(historyFileOf('/h', '..'), '/h/history.d/_')
  assert.equal(redactText('name: value'), 'name: value')
})
