import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import Database from 'better-sqlite3'
import { revision } from '../src/crest/revision.ts'
import {
  BIN,
  loginTo,
  pick,
  prng,
  runAmsh,
  runAmshAsync,
  SERVE_PASSWORD,
  tempDir,
} from './helpers.ts'
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
    for (let round = 0; round < 8; round++) {
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

  test('made by several processes at once, store and journal are made once and work for all', async () => {
    for (let round = 0; round < 4; round++) {
      // Two stores, two processes each, all with one new journal.
      const stores = [0, 1].map((n) => join(temp.dir, `together-${round}-${n}.db`))
      const runs = await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          runAmshAsync(
            [
              '--store',
              stores[i % 2]!,
              '-c',
              `create Scripts --realm / --id together-${i} --body '${script(`Together ${i}`)}'`,
            ],
            { env: { AMSH_HOME: join(temp.dir, `home-${round}`) } }
          )
        )
      )
      for (const run of runs) assert.equal(run.status, 0, `round ${round}: ${run.stderr}`)
      for (const path of stores) {
        assert.equal(resourceRows(path, "id LIKE 'together-%'").length, 2)
        assert.equal(image(path).integrity, 'ok')
      }
      // One journal, with each run's batch in it.
      const journal = new Database(join(temp.dir, `home-${round}`, 'journal.db'), {
        readonly: true,
      })
      try {
        const batches = journal.prepare('SELECT count(*) AS n FROM batches').get() as { n: number }
        assert.equal(batches.n, 4)
      } finally {
        journal.close()
      }
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
    for (let kill_ = 0; kill_ < 12; kill_++) {
      const tag = `atomic${kill_}`
      const file = join(temp.dir, `${tag}.amster`)
      // Long enough that every kill below falls before the batch can end (~15,000 commands/s).
      writeFileSync(file, `${mixedBatch(random, tag, 6000).join('\n')}\n`)
      const child = start(['--store', store, '-o', 'ndjson', '--atomic', file], env)
      // A third of the kills by time (start-up included), the rest after some results.
      if (random() < 0.33) {
        await sleep(Math.floor(random() * 300))
      } else {
        const after = 1 + Math.floor(random() * 300)
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

  test('without --atomic: every change reported is kept, and beyond it only the commands next in order', async () => {
    const random = prng(13_5)
    for (let kill_ = 0; kill_ < 4; kill_++) {
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
      const after = 1 + Math.floor(random() * 300)
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
      // Beyond the report, a kill may have left the commands that came next kept (committed,
      // their report not out yet), in order with none skipped: the batch's first `kept` commands.
      const index = (row: { id: string }) => Number(row.id.slice(tag.length + 1))
      const lastMade = Math.max(done - 1, ...made.map(index))
      for (let i = done; i <= lastMade; i++) {
        if (i % 3 !== 2) assert.ok(byId.has(`${tag}-${i}`), `${tag}-${i} skipped, later ones kept`)
      }
      // The commands kept: every create up to lastMade, and perhaps the settings update after it.
      const keptAtLeast = Math.max(done, lastMade + 1)
      const keptAtMost = keptAtLeast % 3 === 2 ? keptAtLeast + 1 : keptAtLeast
      const [settings] = resourceRows(store, "entity = 'DefaultGeneralProperties'")
      const step = (JSON.parse(settings!.body) as { step: number }).step
      const allowed = new Set<number>()
      for (let kept = keptAtLeast; kept <= keptAtMost; kept++) {
        allowed.add(reportedSteps(kept).at(-1) ?? stepBefore(before))
      }
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

describe('import-config killed mid-way', () => {
  const temp = tempDir('amsh-crash-')
  const env = { AMSH_HOME: temp.dir }
  const exported = join(temp.dir, 'export')
  const source = join(temp.dir, 'source.db')
  const target = join(temp.dir, 'target.db')
  const SCRIPTS = 800
  after(() => temp.remove())

  before(() => {
    const lines = [
      `create Realms --global --body '{"name":"imp","parentPath":"/"}'`,
      ...Array.from(
        { length: SCRIPTS },
        (_, i) =>
          `create Scripts --realm /imp --id imp-${i} --body '${script(`Imported ${i}`, { script: Buffer.from(`var n = ${i};\n`).toString('base64') })}'`
      ),
      `export-config --path ${exported} --realms /imp --realmEntities Scripts --globalEntities ' '`,
    ]
    writeFileSync(join(temp.dir, 'source.amster'), `${lines.join('\n')}\n`)
    for (const args of [
      ['--store', source, '--atomic', join(temp.dir, 'source.amster')],
      ['--store', target, '-c', 'query Realms --global'],
    ]) {
      const run = runAmsh(args, { env })
      assert.equal(run.status, 0, run.stderr)
    }
  })

  /** The target's items of the import, each checked against the item it was exported from. */
  function imported(): number {
    const from = new Map(resourceRows(source, "realm = '/imp'").map((row) => [row.id, row]))
    const rows = resourceRows(target, "realm = '/imp'")
    for (const row of rows) {
      const want = JSON.parse(from.get(row.id)!.body) as Record<string, unknown>
      const got = JSON.parse(row.body) as Record<string, unknown>
      for (const field of ['name', 'description', 'script', 'language', 'context']) {
        assert.deepEqual(got[field], want[field], `${row.id} ${field}`)
      }
    }
    return rows.length
  }

  test('without --atomic: what it wrote is whole, and undo --last takes it all back', async () => {
    const random = prng(13_6)
    const before = image(target)
    for (let round = 0; round < 2; round++) {
      const child = start(['--store', target, '-c', `import-config --path ${exported}`], env)
      const after = 5 + Math.floor(random() * 250)
      const db = new Database(target, { readonly: true, timeout: 5000 })
      const count = db.prepare("SELECT count(*) AS n FROM resources WHERE realm = '/imp'")
      try {
        await until(
          () => (count.get() as { n: number }).n >= after || child.process.exitCode != null
        )
      } finally {
        db.close()
      }
      assert.equal(await kill(child), null, `round ${round}: the import ended before the kill`)
      assert.equal(image(target).integrity, 'ok')
      assert.ok(imported() >= after)
      const undo = runAmsh(['--store', target, '-c', 'undo --last'], { env })
      assert.equal(undo.status, 0, undo.stderr)
      assert.deepEqual(image(target).rows, before.rows, `round ${round}: undo left changes`)
    }
  })

  test('--atomic: all of it or none of it, wherever the kill falls', async () => {
    const random = prng(13_7)
    const before = image(target)
    // The kills fall within the time the whole import takes here, measured on a store of its own.
    const timing = join(temp.dir, 'timing')
    const started = Date.now()
    mkdirSync(timing)
    const alone = runAmsh(
      ['--store', join(timing, 'store.db'), '--atomic', '-c', `import-config --path ${exported}`],
      { env: { AMSH_HOME: timing } }
    )
    assert.equal(alone.status, 0, alone.stderr)
    const takes = Date.now() - started
    let none = 0
    for (let round = 0; round < 6; round++) {
      const child = start(
        ['--store', target, '--atomic', '-c', `import-config --path ${exported}`],
        env
      )
      // Start-up, reading the files and planning take the first part; then the writes.
      await sleep(Math.floor(random() * takes * 0.8))
      assert.equal(await kill(child), null, `round ${round}: the import ended before the kill`)
      const now = image(target)
      assert.equal(now.integrity, 'ok')
      assert.equal(journalIntegrity(temp.dir), 'ok')
      if (imported() === 0) {
        assert.deepEqual(now.rows, before.rows, `round ${round}: the store changed`)
        none++
        continue
      }
      // Killed after its commit: whole, and undone as a whole.
      assert.equal(imported(), SCRIPTS, `round ${round}: part of an --atomic import was kept`)
      const undo = runAmsh(['--store', target, '-c', 'undo --last'], { env })
      assert.equal(undo.status, 0, undo.stderr)
      assert.deepEqual(image(target).rows, before.rows)
    }
    assert.ok(none >= 3, `only ${none} kills fell before the commit`)
    // Left alone, the same import is whole.
    const whole = runAmsh(
      ['--store', target, '--atomic', '-c', `import-config --path ${exported}`],
      {
        env,
      }
    )
    assert.equal(whole.status, 0, whole.stderr)
    assert.equal(imported(), SCRIPTS)
  })
})

/** `amsh serve` on a store of the caller's, on a free loopback port; resolves once it listens. */
async function serveOn(
  store: string,
  home: string
): Promise<{ child: Child; base: string; token: string }> {
  const child = start(['serve', '--port', '0', '--store', store], {
    AMSH_HOME: home,
    AMSH_ADMIN_PASSWORD: SERVE_PASSWORD,
  })
  let started: RegExpExecArray | null = null
  await until(
    () =>
      (started = /amsh serve: (http\S+)/.exec(child.err())) != null ||
      child.process.exitCode != null
  )
  assert.ok(started, `amsh serve did not start: ${child.err()}`)
  const base = (started as RegExpExecArray)[1]!
  return { child, base, token: await loginTo(base) }
}

function api(base: string, token: string) {
  return async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {}
  ): Promise<{ status: number; json: Record<string, unknown> }> => {
    const response = await fetch(`${base}/json${path}`, {
      method,
      headers: {
        'accept-api-version': 'protocol=2.0,resource=1.0',
        cookie: `iPlanetDirectoryPro=${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    })
    return { status: response.status, json: (await response.json()) as Record<string, unknown> }
  }
}

describe('amsh serve killed under write load', () => {
  const temp = tempDir('amsh-crash-')
  const store = join(temp.dir, 'store.db')
  after(() => temp.remove())

  test('every create answered 201 is kept, and the server starts again on the store', async () => {
    const random = prng(13_8)
    const acknowledged = new Map<string, string>()
    for (let round = 0; round < 3; round++) {
      const { child, base, token } = await serveOn(store, temp.dir)
      const call = api(base, token)
      if (round > 0) {
        // What the last server acknowledged, this one serves.
        const { json } = await call('GET', '/realms/root/scripts?_queryFilter=true&_fields=_id')
        const ids = new Set((json.result as { _id: string }[]).map((item) => item._id))
        for (const id of acknowledged.keys()) assert.ok(ids.has(id), `${id} was lost`)
      }
      const killAfter = acknowledged.size + 40 + Math.floor(random() * 120)
      let next = 0
      const writer = async (w: number) => {
        for (;;) {
          const id = `served-${round}-${w}-${next++}`
          let answer
          try {
            answer = await call('PUT', `/realms/root/scripts/${id}`, scriptBody(id), {
              'if-none-match': '*',
            })
          } catch {
            return // the server is gone: this create's outcome is unknown
          }
          assert.equal(answer.status, 201, JSON.stringify(answer.json))
          acknowledged.set(id, String(answer.json._rev))
          if (acknowledged.size >= killAfter) child.process.kill('SIGKILL')
        }
      }
      try {
        await Promise.all(Array.from({ length: 6 }, (_, w) => writer(w)))
      } finally {
        child.process.kill('SIGKILL')
      }
      assert.equal(await child.exited, null)
      const now = image(store)
      assert.equal(now.integrity, 'ok', `round ${round}`)
      const rows = new Map(resourceRows(store, "id LIKE 'served-%'").map((row) => [row.id, row]))
      for (const [id, rev] of acknowledged) {
        assert.equal(rows.get(id)?.rev, rev, `${id} was answered 201 and is not kept as answered`)
      }
    }
    const last = await serveOn(store, temp.dir)
    await kill(last.child)
  })
})

describe('serve and two shells writing one store at once', () => {
  const temp = tempDir('amsh-crash-')
  const store = join(temp.dir, 'store.db')
  after(() => temp.remove())
  const SINGLETONS: Record<string, string> = {
    DefaultGeneralProperties: '/global-config/servers/server-default/properties/general',
    DefaultAdvancedProperties: '/global-config/servers/server-default/properties/advanced',
    DefaultSecurityProperties: '/global-config/servers/server-default/properties/security',
  }
  const ATTEMPTS = 200

  // Read, add one to the counter, write back at the revision read: a stale write must fail
  // (E_STALE) and be counted as such, never be kept; whatever else fails is reported.
  const WRITER = `
items = ${JSON.stringify(Object.keys(SINGLETONS))}
tally = { ok: {}, stale: 0, other: [] }
seed = Number(System.getProperty('seed'))
random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }
first = undefined
for (let i = 0; i < ${ATTEMPTS}; i++) {
  const entity = items[Math.floor(random() * items.length)]
  try {
    const item = await run(\`read \${entity} --global\`)
    first ??= { entity, rev: item._rev }
    const body = { counter: String(Number(item.counter ?? 0) + 1) }
    await run(\`update \${entity} --global --rev \${item._rev} --body \${JSON.stringify(body)}\`)
    tally.ok[entity] = (tally.ok[entity] ?? 0) + 1
  } catch (err) {
    if (err.code === 'E_STALE') tally.stale++
    else tally.other.push(\`\${err.code}: \${err.message}\`)
  }
}
try {
  await run(\`update \${first.entity} --global --rev \${first.rev} --body {"counter":"-1"}\`)
  tally.staleKept = true
} catch (err) {
  tally.staleRefused = err.code
}
print(JSON.stringify(tally))
`

  test('no update is lost, a stale one fails with E_STALE / 412, none sees a locked store', async () => {
    writeFileSync(join(temp.dir, 'writer.amster'), WRITER)
    const { child: server, base, token } = await serveOn(store, temp.dir)
    try {
      const call = api(base, token)
      const shells = ['7', '11'].map((seed) =>
        runAmshAsync(['--store', store, '-D', `seed=${seed}`, join(temp.dir, 'writer.amster')], {
          env: { AMSH_HOME: temp.dir },
        })
      )
      // A third shell holds the store's write lock for a whole --atomic batch meanwhile: the
      // others wait for it rather than fail.
      const held = Array.from(
        { length: 600 },
        (_, i) => `create Scripts --realm / --id held-${i} --body '${script(`Held ${i}`)}'`
      )
      writeFileSync(join(temp.dir, 'held.amster'), `${held.join('\n')}\n`)
      const holder = runAmshAsync(
        ['--store', store, '--atomic', '-o', 'ndjson', join(temp.dir, 'held.amster')],
        { env: { AMSH_HOME: temp.dir } }
      )
      const served = { ok: {} as Record<string, number>, stale: 0, other: [] as string[] }
      const random = prng(13_9)
      const http = async () => {
        for (let i = 0; i < ATTEMPTS / 2; i++) {
          const entity = pick(random, Object.keys(SINGLETONS))
          const path = SINGLETONS[entity]!
          const read = await call('GET', path)
          const body = { counter: String(Number(read.json.counter ?? 0) + 1) }
          const written = await call('PUT', path, body, {
            'if-match': `"${String(read.json._rev)}"`,
          })
          if (written.status === 200) served.ok[entity] = (served.ok[entity] ?? 0) + 1
          else if (written.status === 412) served.stale++
          else served.other.push(`${written.status}: ${JSON.stringify(written.json)}`)
        }
      }
      await Promise.all([http(), http()])
      const runs = await Promise.all(shells)
      const holding = await holder
      assert.equal(holding.status, 0, holding.stderr)
      assert.equal(resourceRows(store, "id LIKE 'held-%'").length, held.length)
      const tallies = runs.map((run) => {
        assert.equal(run.status, 0, run.stderr)
        assert.doesNotMatch(run.stderr, /locked|SQLITE_BUSY/)
        return JSON.parse(run.stdout.trim()) as {
          ok: Record<string, number>
          stale: number
          other: string[]
          staleRefused?: string
        }
      })
      for (const tally of [...tallies, served]) assert.deepEqual(tally.other, [])
      for (const tally of tallies) assert.equal(tally.staleRefused, 'E_STALE')
      assert.doesNotMatch(server.err(), /locked|SQLITE_BUSY/)
      // Every write that succeeded is in the counters; none that failed is.
      for (const entity of Object.keys(SINGLETONS)) {
        const successes = [...tallies, served].reduce((n, tally) => n + (tally.ok[entity] ?? 0), 0)
        const { json } = await call('GET', SINGLETONS[entity]!)
        assert.equal(Number(json.counter ?? 0), successes, `${entity}: updates were lost`)
      }
      const stale = [...tallies, served].reduce((n, tally) => n + tally.stale, 0)
      const ok = [...tallies, served].reduce(
        (n, tally) => n + Object.values(tally.ok).reduce((a, b) => a + b, 0),
        0
      )
      assert.ok(ok > 0)
      // Seen, not asserted (it depends on the scheduler): how often the writers collided.
      console.log(`# ${ok} updates, ${stale} refused as stale`)
      assert.equal(image(store).integrity, 'ok')
    } finally {
      await kill(server)
    }
  })
})

describe('update --set from two shells at once', () => {
  const temp = tempDir('amsh-crash-')
  const store = join(temp.dir, 'store.db')
  after(() => temp.remove())

  // Each shell sets a field of its own of one script, then reads it back: seeing an older value
  // of its own field means the other shell wrote back what it had read before (a lost update).
  const shell = (field: string, valueOf: string) => `
lost = 0
for (let i = 0; i < 60; i++) {
  const value = ${valueOf}
  await run(\`update Scripts --realm / --name Shared --set ${field}=\${value}\`)
  const item = await run('read Scripts --realm / --name Shared')
  if (item.${field} !== value) lost++
}
print(JSON.stringify({ lost }))
`

  test('neither loses the other one\u2019s field', async () => {
    const body = JSON.stringify(scriptBody('Shared'))
    const created = runAmsh(['--store', store, '-c', `create Scripts --realm / --body '${body}'`], {
      env: { AMSH_HOME: temp.dir },
    })
    assert.equal(created.status, 0, created.stderr)
    writeFileSync(join(temp.dir, 'a.amster'), shell('description', "'a' + i"))
    const source = "Buffer.from('var b = ' + i).toString('base64')"
    writeFileSync(join(temp.dir, 'b.amster'), shell('script', source))
    const runs = await Promise.all(
      ['a.amster', 'b.amster'].map((file) =>
        runAmshAsync(['--store', store, join(temp.dir, file)], { env: { AMSH_HOME: temp.dir } })
      )
    )
    for (const run of runs) {
      assert.equal(run.status, 0, run.stderr)
      assert.deepEqual(JSON.parse(run.stdout.trim().split('\n').at(-1)!), { lost: 0 })
    }
  })
})
