import assert from 'node:assert/strict'
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { adminPassword } from '../src/server/sessions.ts'
import { historyFileOf, writeHistory } from '../src/shell/history.ts'
import { openPrivateDatabase } from '../src/transport/local/database.ts'
import { b64, runAmsh, tempDir } from './helpers.ts'

// Issue 13, item 7: every file amsh keeps for the user (profiles and stored credentials, the
// store, the journal and their -wal and -shm, the history and history.d) is made 0600 in a folder
// made 0700, whatever the umask. Each check runs under umask 000, where node and SQLite would
// otherwise make files 0666 (0644 for SQLite) and folders 0777.

const posix = process.platform !== 'win32'
const temp = tempDir('amsh-files-')
after(() => temp.remove())

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8)

/** Runs `fn` with umask 000 (children started meanwhile inherit it). */
function withOpenUmask<T>(fn: () => T): T {
  const previous = process.umask(0)
  try {
    return fn()
  } finally {
    process.umask(previous)
  }
}

const SCRIPT = JSON.stringify({
  name: 'Private',
  description: '',
  script: b64('var a = 1;'),
  language: 'JAVASCRIPT',
  context: 'AUTHENTICATION_TREE_DECISION_NODE',
})

describe('files amsh keeps are 0600 in 0700 folders, whatever the umask', { skip: !posix }, () => {
  test('a run of the binary: the amsh home, the store, the journal, the profiles', () => {
    const home = join(temp.dir, 'run', 'data', 'amsh')
    const config = join(temp.dir, 'run', 'config')
    const env = { AMSH_HOME: home, XDG_CONFIG_HOME: config }
    const created = withOpenUmask(() =>
      runAmsh(['-c', `create Scripts --realm / --body '${SCRIPT}'`], { env })
    )
    assert.equal(created.status, 0, created.stderr)
    const saved = withOpenUmask(() =>
      runAmsh(
        [
          'profile',
          'add',
          'dev',
          'http://127.0.0.1:1/am',
          '--username',
          'amadmin',
          '--store-password-insecurely',
        ],
        { env, input: 'hunter22\n' }
      )
    )
    assert.equal(saved.status, 0, saved.stderr)
    for (const dir of [join(temp.dir, 'run', 'data'), home, join(config, 'amsh')]) {
      assert.equal(mode(dir), '700', dir)
    }
    for (const file of [
      join(home, 'store.db'),
      join(home, 'journal.db'),
      join(config, 'amsh', 'profiles.json'),
    ]) {
      assert.equal(mode(file), '600', file)
    }
  })

  test('a --store in a folder that does not exist yet: the folder is 0700', () => {
    const store = join(temp.dir, 'elsewhere', 'deep', 'store.db')
    const run = withOpenUmask(() =>
      runAmsh(['--store', store, '-c', 'query Scripts --realm / --filter false'], {
        env: { AMSH_HOME: join(temp.dir, 'elsewhere-home') },
      })
    )
    assert.equal(run.status, 0, run.stderr)
    assert.equal(mode(join(temp.dir, 'elsewhere')), '700')
    assert.equal(mode(join(temp.dir, 'elsewhere', 'deep')), '700')
    assert.equal(mode(store), '600')
  })

  test('the journal database and its -wal and -shm, while they exist', () => {
    const path = join(temp.dir, 'journal-home', 'journal.db')
    const db = withOpenUmask(() => {
      const opened = openPrivateDatabase(path)
      opened.exec('CREATE TABLE t (x)')
      opened.prepare('INSERT INTO t VALUES (1)').run()
      return opened
    })
    try {
      assert.equal(mode(join(temp.dir, 'journal-home')), '700')
      for (const file of [path, `${path}-wal`, `${path}-shm`]) {
        assert.ok(existsSync(file), file)
        assert.equal(mode(file), '600', file)
      }
    } finally {
      db.close()
    }
  })

  test('the history and history.d; a looser history.d an older amsh made is narrowed', () => {
    const home = join(temp.dir, 'history-home')
    withOpenUmask(() => {
      writeHistory(historyFileOf(home, undefined), ['query Scripts --realm /'])
      writeHistory(historyFileOf(home, 'am.example.com'), ['query Scripts --realm /'])
    })
    assert.equal(mode(home), '700')
    assert.equal(mode(join(home, 'history.d')), '700')
    assert.equal(mode(join(home, 'history')), '600')
    assert.equal(mode(historyFileOf(home, 'am.example.com')), '600')

    const old = join(temp.dir, 'old-home')
    mkdirSync(join(old, 'history.d'), { recursive: true })
    chmodSync(join(old, 'history.d'), 0o755)
    writeHistory(historyFileOf(old, 'prod'), ['x'])
    assert.equal(mode(join(old, 'history.d')), '700')
  })

  test("serve's generated credential (admin-password) and its folder", () => {
    const home = join(temp.dir, 'serve-home', 'amsh')
    const file = join(home, 'admin-password')
    const secret = withOpenUmask(() => adminPassword(file, {}))
    assert.equal(secret.generatedAt, file)
    assert.equal(mode(home), '700')
    assert.equal(mode(join(temp.dir, 'serve-home')), '700')
    assert.equal(mode(file), '600')
  })
})
