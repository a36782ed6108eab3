import assert from 'node:assert/strict'
import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import Database from 'better-sqlite3'
import { getEntity } from '../src/catalog/catalog.ts'
import { AmshError } from '../src/errors.ts'
import { LocalStore } from '../src/transport/local/store.ts'
import type { Target } from '../src/transport/types.ts'
import { tempDir } from './helpers.ts'
import { runCrudContract } from './crud-contract.ts'
import { runTransportContract, scriptBody } from './transport-contract.ts'

runTransportContract('local store (in memory)', async () => {
  const transport = new LocalStore({ path: ':memory:', product: 'am8' })
  return { transport, dispose: () => transport.close() }
})

runTransportContract('local store (file)', async () => {
  const temp = tempDir()
  const transport = new LocalStore({ path: join(temp.dir, 'store.db'), product: 'am8' })
  return {
    transport,
    dispose: () => {
      transport.close()
      temp.remove()
    },
  }
})

runTransportContract('local store (file, group commit)', async () => {
  const temp = tempDir()
  const transport = new LocalStore({ path: join(temp.dir, 'store.db'), product: 'am8' })
  transport.groupCommits({ beforeCommit: () => undefined, afterCommit: () => undefined })
  return {
    transport,
    dispose: () => {
      transport.close()
      temp.remove()
    },
  }
})

runCrudContract({
  name: 'local store',
  open: async () => {
    const transport = new LocalStore({ path: ':memory:', product: 'am8' })
    return { transport, dispose: () => transport.close() }
  },
})

describe('local store files', () => {
  const temp = tempDir()
  after(() => temp.remove())
  const root: Target = { entity: getEntity('Scripts'), scope: { kind: 'realm', realm: '/' } }

  function storeError(path: string, message: RegExp) {
    assert.throws(
      () => new LocalStore({ path, product: 'am8' }),
      (err: unknown) =>
        err instanceof AmshError && err.code === 'E_STORE' && message.test(err.message)
    )
  }

  test('keeps what was written across reopening, in a folder it creates', async () => {
    const path = join(temp.dir, 'nested', 'dir', 'store.db')
    const first = new LocalStore({ path, product: 'am8' })
    const created = await first.create(root, scriptBody('Persistent'))
    first.close()
    const second = new LocalStore({ path, product: 'am8' })
    assert.equal((await second.read(root, String(created._id))).name, 'Persistent')
    second.close()
  })

  // A store holds every script: SQLite made it 0644, readable by every user of the machine.
  test('a new store file and its -wal and -shm are 0600 whatever the umask; an old one keeps its mode', async () => {
    const mode = (path: string) => statSync(path).mode & 0o777
    const previous = process.umask()
    try {
      for (const umask of [0o022, 0o000, 0o077]) {
        process.umask(umask)
        const path = join(temp.dir, `private-${umask.toString(8)}`, 'store.db')
        const store = new LocalStore({ path, product: 'am8' })
        await store.create(root, scriptBody('Private'))
        for (const file of [path, `${path}-wal`, `${path}-shm`]) {
          assert.ok(existsSync(file), file)
          assert.equal(mode(file).toString(8), '600', `${file} (umask ${umask.toString(8)})`)
        }
        store.close()
      }
      process.umask(0o022)
      const shared = join(temp.dir, 'shared.db')
      new LocalStore({ path: shared, product: 'am8' }).close()
      chmodSync(shared, 0o640)
      const reopened = new LocalStore({ path: shared, product: 'am8' })
      await reopened.create(root, scriptBody('Shared'))
      assert.equal(mode(shared).toString(8), '640')
      assert.equal(mode(`${shared}-wal`).toString(8), '640')
      reopened.close()
    } finally {
      process.umask(previous)
    }
  })

  test('a file that is not a database', () => {
    const path = join(temp.dir, 'notes.txt')
    writeFileSync(path, 'these are my notes, not a database\n'.repeat(200))
    storeError(path, /is not a SQLite database/)
  })

  test('a SQLite database of another program is left alone', () => {
    const path = join(temp.dir, 'other.db')
    const other = new Database(path)
    other.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY)')
    other.close()
    storeError(path, /a SQLite database of another program/)
    const check = new Database(path)
    assert.deepEqual(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all(), [
      { name: 'invoices' },
    ])
    check.close()
  })

  test('a store written by a newer amsh', () => {
    const path = join(temp.dir, 'newer.db')
    new LocalStore({ path, product: 'am8' }).close()
    const raw = new Database(path)
    raw.pragma('user_version = 99')
    raw.close()
    storeError(path, /written by a newer amsh \(store schema 99/)
  })

  test('a read-only store answers reads and refuses writes, unchanged', async () => {
    const path = join(temp.dir, 'readonly.db')
    const writable = new LocalStore({ path, product: 'am8' })
    const created = await writable.create(root, scriptBody('Frozen'))
    writable.close()
    chmodSync(path, 0o444)
    const store = new LocalStore({ path, product: 'am8' })
    assert.equal((await store.read(root, String(created._id))).name, 'Frozen')
    await assert.rejects(
      store.create(root, scriptBody('New')),
      (err: unknown) =>
        err instanceof AmshError && err.code === 'E_STORE' && /is read-only/.test(err.message)
    )
    await assert.rejects(store.delete(root, String(created._id)), /is read-only/)
    assert.equal((await store.query(root, { filter: 'default eq false' })).resultCount, 1)
    store.close()
    chmodSync(path, 0o644)
  })

  test('atomic work is kept only when it says so, and not when it throws', async () => {
    const store = new LocalStore({ path: join(temp.dir, 'tx.db'), product: 'am8' })
    const names = async () =>
      (await store.query(root, { filter: 'default eq false' })).result.map((s) => s.name)
    assert.equal(
      await store.atomic(async () => {
        await store.create(root, scriptBody('Dropped'))
        return false
      }),
      false
    )
    await assert.rejects(
      store.atomic(async () => {
        await store.create(root, scriptBody('Thrown'))
        throw new Error('abort')
      }),
      (err: unknown) =>
        err instanceof Error && !(err instanceof AmshError) && err.message === 'abort'
    )
    assert.deepEqual(await names(), [])
    assert.equal(
      await store.atomic(async () => {
        await store.create(root, scriptBody('Kept'))
        return true
      }),
      true
    )
    assert.deepEqual(await names(), ['Kept'])
    store.close()
  })

  test('group commit: changes wait in one transaction, and each failed one takes back only itself', async () => {
    const path = join(temp.dir, 'group.db')
    const store = new LocalStore({ path, product: 'am8' })
    const events: string[] = []
    store.groupCommits({
      beforeCommit: () => events.push('before'),
      afterCommit: () => events.push('after'),
    })
    const committed = () => {
      const other = new Database(path, { readonly: true })
      try {
        const rows = other
          .prepare(
            "SELECT name FROM resources WHERE entity = 'Scripts' AND realm = '/' ORDER BY name"
          )
          .all() as { name: string }[]
        return rows.map((row) => row.name)
      } finally {
        other.close()
      }
    }
    assert.equal(store.commitGroup(), true, 'nothing to commit')
    assert.deepEqual(events, [])

    await store.create(root, scriptBody('One'))
    await assert.rejects(store.create(root, scriptBody('One')), { code: 'E_CONFLICT' })
    assert.equal(
      await store.atomic(async () => {
        await store.create(root, scriptBody('Dropped'))
        return false
      }),
      false
    )
    await store.create(root, scriptBody('Two'))
    assert.deepEqual(committed(), [], 'another connection sees nothing before the commit')
    assert.equal(store.commitGroup(), true)
    assert.deepEqual(committed(), ['One', 'Two'])
    assert.deepEqual(events, ['before'])

    // A commit asked while a change waits on work of its own comes when that change ends.
    let release!: () => void
    const waiting = new Promise<void>((done) => (release = done))
    const change = store.atomic(async () => {
      await store.create(root, scriptBody('Three'))
      await waiting
      return true
    })
    await new Promise((done) => setImmediate(done))
    assert.equal(store.commitGroup(), false)
    assert.deepEqual(committed(), ['One', 'Two'])
    release()
    assert.equal(await change, true)
    assert.deepEqual(committed(), ['One', 'Three', 'Two'])
    assert.deepEqual(events, ['before', 'before', 'after'])

    // Left alone, a group commits within a moment; and close() commits what is left.
    await store.create(root, scriptBody('Four'))
    await new Promise((done) => setTimeout(done, 40))
    assert.deepEqual(committed(), ['Four', 'One', 'Three', 'Two'])
    assert.deepEqual(events.slice(-2), ['before', 'after'])
    await store.create(root, scriptBody('Five'))
    store.close()
    assert.deepEqual(committed(), ['Five', 'Four', 'One', 'Three', 'Two'])
  })
})
