import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import Database from 'better-sqlite3'
import { revision } from '../src/crest/revision.ts'
import { BIN, pick, prng, runAmsh, runAmshAsync, tempDir } from './helpers.ts'
import { scriptBody } from './transport-contract.ts'

// Crash safety and concurrency through the built binary (issue 13): amsh, an --atomic batch, an
// import and `amsh serve` killed with SIGKILL at seeded random points leave a whole store, where
// every change that was reported is kept; and a server and two shells writing one store at once
// lose no update silently and never fail on SQLite's lock. Kill points are seeded, so a failure
// is the same on every run.

const KILL_TIMEOUT = 20_000

interface Child {
  process: ChildProcess
  /** stdout so far. */
  out(): string
  err(): string
  /** Complete stdout lines so far. */
  lines(): number
  exited: Promise<number | null>
}

function start(args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  let lines = 0
  child.stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString()
    out += text
    for (const c of text) if (c === '\n') lines++
  })
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
  // Nothing a test starts may outlive it.
  const guard = setTimeout(() => child.kill('SIGKILL'), KILL_TIMEOUT)
  const exited = new Promise<number | null>((done) =>
    child.on('close', (status) => {
      clearTimeout(guard)
      done(status)
    })
  )
  return { process: child, out: () => out, err: () => err, lines: () => lines, exited }
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

/** Resolves once `ready()` holds, polling; fails after `ms`. */
async function until(ready: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await sleep(2)
  }
}

/** SIGKILL, and the child gone. */
async function kill(child: Child): Promise<number | null> {
  child.process.kill('SIGKILL')
  return await child.exited
}

interface StoreImage {
  integrity: string
  /** Every row of every table, canonically ordered, as text. */
  rows: string[]
}

/**
 * The store as the next amsh sees it: opened read-write as amsh opens it (so a WAL a kill left
 * is recovered), its integrity check, and a canonical dump of every row. Each resource row must
 * be whole: its body JSON, its revision the body's, its name the body's.
 */
function image(path: string): StoreImage {
  const db = new Database(path, { timeout: 5000 })
  try {
    const integrity = String(db.pragma('integrity_check', { simple: true }))
    const rows: string[] = []
    for (const row of db.prepare('SELECT key, value FROM meta ORDER BY key').all()) {
      rows.push(`meta ${JSON.stringify(row)}`)
    }
    for (const row of db.prepare('SELECT * FROM realms ORDER BY path').all()) {
      rows.push(`realm ${JSON.stringify(row)}`)
    }
    const resources = db
      .prepare(
        'SELECT entity, realm, id, name, name_key, body, rev FROM resources ORDER BY entity, realm, id'
      )
      .all() as Record<string, string | null>[]
    for (const row of resources) {
      const body = JSON.parse(row.body!) as Record<string, unknown>
      assert.equal(row.rev, revision(row.body!), `revision of ${row.entity} ${row.id}`)
      if (row.entity === 'Scripts') {
        assert.equal(row.name, body.name, `name of ${row.id}`)
        assert.equal(row.name_key, String(body.name).toLowerCase())
      }
      rows.push(`resource ${JSON.stringify(row)}`)
    }
    return { integrity, rows }
  } finally {
    db.close()
  }
}

function resourceRows(path: string, where: string, ...args: string[]) {
  const db = new Database(path, { readonly: true, timeout: 5000 })
  try {
    return db
      .prepare(`SELECT entity, realm, id, name, body, rev FROM resources WHERE ${where}`)
      .all(...args) as {
      entity: string
      realm: string
      id: string
      name: string
      body: string
      rev: string
    }[]
  } finally {
    db.close()
  }
}

function journalIntegrity(home: string): string {
  const path = join(home, 'journal.db')
  if (!existsSync(path)) return 'ok'
  const db = new Database(path, { timeout: 5000 })
  try {
    return String(db.pragma('integrity_check', { simple: true }))
  } finally {
    db.close()
  }
}

const script = (name: string, extra: Record<string, string> = {}) =>
  JSON.stringify(scriptBody(name, extra))

describe('a store whose first open is killed', () => {
  const temp = tempDir('amsh-crash-')
  after(() => temp.remove())

  /** What a fresh store holds: its realms and seeded items, by key. */
  function seedOf(path: string): string[] {
    const db = new Database(path, { readonly: true })
    try {
      return [
        ...(db.prepare('SELECT path FROM realms ORDER BY path').all() as { path: string }[]).map(
          (r) => `realm ${r.path}`
        ),
        ...(
          db
            .prepare('SELECT entity, realm, id FROM resources ORDER BY entity, realm, id')
            .all() as { entity: string; realm: string; id: string }[]
        ).map((r) => `${r.entity} ${r.realm} ${r.id}`),
      ]
    } finally {
      db.close()
    }
  }

  test('is whole at the next open, wherever the kill fell', async () => {
    const reference = join(temp.dir, 'reference.db')
    assert.equal(runAmsh(['--store', reference, '-c', 'query Realms --global']).status, 0)
    const seeded = seedOf(reference)
    assert.ok(seeded.length > 10, 'a fresh store holds its realms and default scripts')
    const random = prng(13_04)
    for (let round = 0; round < 10; round++) {
      const path = join(temp.dir, `first-${round}.db`)
      const child = start(['--store', path, '-c', 'query Realms --global'], {
        AMSH_HOME: temp.dir,
      })
      // The store is made, its tables, then its seed: the kill falls somewhere in that.
      await until(() => existsSync(path) || child.process.exitCode != null)
      await sleep(Math.floor(random() * 30))
      await kill(child)
      const next = runAmsh(['--store', path, '-c', 'query Realms --global --fields _id'], {
        env: { AMSH_HOME: temp.dir },
      })
      assert.equal(next.status, 0, `round ${round}: ${next.stderr}`)
      assert.deepEqual(seedOf(path), seeded, `round ${round}: the store is seeded, once`)
      assert.equal(image(path).integrity, 'ok')
    }
  })

  test('made by several processes at once, is made once and works for all', async () => {
    for (let round = 0; round < 5; round++) {
      const path = join(temp.dir, `together-${round}.db`)
      const runs = await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          runAmshAsync(
            [
              '--store',
              path,
              '-c',
              `create Scripts --realm / --id together-${i} --body '${script(`Together ${i}`)}'`,
            ],
            { env: { AMSH_HOME: join(temp.dir, `home-${round}-${i}`) } }
          )
        )
      )
      for (const run of runs) assert.equal(run.status, 0, `round ${round}: ${run.stderr}`)
      const rows = resourceRows(path, "id LIKE 'together-%'")
      assert.equal(rows.length, 4)
      assert.equal(image(path).integrity, 'ok')
    }
  })
})

describe('amsh killed mid-batch', () => {
  const temp = tempDir('amsh-crash-')
  const store = join(temp.dir, 'store.db')
  const env = { AMSH_HOME: temp.dir }
  const amsh = (...args: string[]) => {
    const run = runAmsh(['--store', store, ...args], { env })
    assert.equal(run.status, 0, run.stderr)
    return run
  }
  after(() => temp.remove())

  before(() => {
    const lines = [
      `create Realms --global --body '{"name":"crash","parentPath":"/"}'`,
      ...Array.from(
        { length: 30 },
        (_, i) => `create Scripts --realm /crash --id base-${i} --body '${script(`Base ${i}`)}'`
      ),
      `update DefaultGeneralProperties --global --body '{"step":-1}'`,
    ]
    writeFileSync(join(temp.dir, 'setup.amster'), `${lines.join('\n')}\n`)
    amsh(join(temp.dir, 'setup.amster'))
  })

  /** A batch of creates, updates, deletes and realms, seeded; one result line per command. */
  function mixedBatch(random: () => number, tag: string, length: number): string[] {
    const live = Array.from({ length: 30 }, (_, i) => i)
    return Array.from({ length }, (_, i) => {
      const roll = random()
      if (roll < 0.5) {
        return `create Scripts --realm /crash --id ${tag}-${i} --body '${script(`${tag} ${i}`)}'`
      }
      if (roll < 0.7 && live.length > 0) {
        const n = pick(random, live)
        return `update Scripts --realm /crash --id base-${n} --body '${script(`Base ${n}`, { description: `${tag} ${i}` })}'`
      }
      if (roll < 0.75 && live.length > 0) {
        const [n] = live.splice(Math.floor(random() * live.length), 1)
        return `delete Scripts --realm /crash --id base-${n}`
      }
      if (roll < 0.9) {
        return `create Realms --global --body '{"name":"${tag}-${i}","parentPath":"/crash"}'`
      }
      return `update DefaultGeneralProperties --global --body '{"step":${i}}'`
    })
  }

  test('--atomic: the store is as it was before, wherever the kill falls', async () => {
    const random = prng(13_4)
    const before = image(store)
    assert.equal(before.integrity, 'ok')
    for (let kill_ = 0; kill_ < 15; kill_++) {
      const tag = `atomic${kill_}`
      const file = join(temp.dir, `${tag}.amster`)
      writeFileSync(file, `${mixedBatch(random, tag, 1500).join('\n')}\n`)
      const child = start(['--store', store, '-o', 'ndjson', '--atomic', file], env)
      // A third of the kills by time (start-up included), the rest after some results.
      if (random() < 0.33) {
        await sleep(Math.floor(random() * 400))
      } else {
        const after = 1 + Math.floor(random() * 500)
        await until(() => child.lines() >= after || child.process.exitCode != null)
      }
      const status = await kill(child)
      assert.equal(status, null, `kill ${kill_} came after the batch ended: ${child.err()}`)
      const now = image(store)
      assert.equal(now.integrity, 'ok', `kill ${kill_}`)
      assert.deepEqual(now.rows, before.rows, `kill ${kill_}: the store changed`)
      assert.equal(journalIntegrity(temp.dir), 'ok')
    }
    // The store and its journal still work.
    amsh('-c', 'query Scripts --realm /crash --fields _id', '-c', 'journal list')
  })

  test('without --atomic: every change reported is kept, the one after it at most', async () => {
    const random = prng(13_5)
    for (let kill_ = 0; kill_ < 6; kill_++) {
      const tag = `plain${kill_}`
      const lines = Array.from({ length: 1500 }, (_, i) =>
        i % 3 === 2
          ? `update DefaultGeneralProperties --global --body '{"step":${i}}'`
          : `create Scripts --realm /crash --id ${tag}-${i} --body '${script(`${tag} ${i}`)}'`
      )
      const file = join(temp.dir, `${tag}.amster`)
      writeFileSync(file, `${lines.join('\n')}\n`)
      const before = image(store)
      const child = start(['--store', store, '-o', 'ndjson', file], env)
      const after = 1 + Math.floor(random() * 400)
      await until(() => child.lines() >= after || child.process.exitCode != null)
      assert.equal(await kill(child), null, `kill ${kill_} came after the batch ended`)
      const reported = child
        .out()
        .split('\n')
        .slice(0, child.lines())
        .map((line) => JSON.parse(line) as Record<string, unknown>)
      const now = image(store)
      assert.equal(now.integrity, 'ok')
      // What the batch made and changed, against what it reported.
      const made = resourceRows(store, 'id LIKE ?', `${tag}-%`)
      const byId = new Map(made.map((row) => [row.id, row]))
      const done = reported.length
      for (let i = 0; i < done; i++) {
        const answer = reported[i]!
        if (i % 3 === 2) {
          assert.equal(answer.step, i)
          continue
        }
        const row = byId.get(`${tag}-${i}`)
        assert.ok(row, `${tag}-${i} was reported made, and is gone`)
        assert.equal(row.rev, answer._rev)
        assert.equal(row.name, `${tag} ${i}`)
      }
      // The command after the last reported one may have committed unreported; none later.
      const later = made.filter((row) => Number(row.id.slice(tag.length + 1)) >= done)
      assert.ok(
        later.every((row) => row.id === `${tag}-${done}`),
        `made beyond the report: ${later.map((row) => row.id).join(', ')}`
      )
      const [settings] = resourceRows(store, "entity = 'DefaultGeneralProperties'")
      const step = (JSON.parse(settings!.body) as { step: number }).step
      const allowed = new Set([reportedSteps(done).at(-1) ?? stepBefore(before)])
      if (done % 3 === 2) allowed.add(done)
      assert.ok(
        allowed.has(step),
        `settings at step ${step}, expected ${[...allowed].join(' or ')}`
      )
      // Nothing else changed.
      const others = (rows: string[]) =>
        rows.filter(
          (row) => !row.includes(`"id":"${tag}-`) && !row.includes('DefaultGeneralProperties')
        )
      assert.deepEqual(others(now.rows), others(before.rows))
    }
  })

  /** The steps of the settings updates among the first `done` commands of a plain batch. */
  function reportedSteps(done: number): number[] {
    const steps: number[] = []
    for (let i = 2; i < done; i += 3) steps.push(i)
    return steps
  }

  function stepBefore(before: StoreImage): number {
    const row = before.rows.find((line) => line.includes('"entity":"DefaultGeneralProperties"'))!
    const parsed = JSON.parse(row.slice('resource '.length)) as { body: string }
    return (JSON.parse(parsed.body) as { step: number }).step
  }
})
