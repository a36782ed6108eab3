import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, test } from 'node:test'
import Database from 'better-sqlite3'
import { getEntity } from '../src/catalog/catalog.ts'
import { getProfile } from '../src/catalog/profiles.ts'
import { AmshError, type ErrorCode } from '../src/errors.ts'
import { REDACTED, redact, redactText, restoredBody, sameImage } from '../src/journal/images.ts'
import { rollBack } from '../src/journal/compensate.ts'
import { Journal, localPlace } from '../src/journal/journal.ts'
import { undoBatch } from '../src/journal/undo.ts'
import type { JsonObject } from '../src/json.ts'
import { Connector } from '../src/shell/connect.ts'
import { PROMPT, Session } from '../src/shell/session.ts'
import { PasswordLogin } from '../src/transport/am/auth.ts'
import { AmTransport } from '../src/transport/am/transport.ts'
import { JournalingTransport } from '../src/transport/journaling.ts'
import { LocalStore } from '../src/transport/local/store.ts'
import type { Target, Transport } from '../src/transport/types.ts'
import { runCrudContract } from './crud-contract.ts'
import {
  BIN,
  quietSession,
  realmBody,
  runAmsh,
  runAmshAsync,
  SERVE_PASSWORD,
  serveInProcess,
  tempDir,
} from './helpers.ts'
import { runTransportContract, scriptBody } from './transport-contract.ts'

// The journal and undo: what each change records (before-images, no secrets), how undo puts a
// batch back through the local store and through REST, what it refuses, and the two promises made
// to a user: a run killed half-way is undone by `undo --last`, and `--atomic` over REST rolls a
// failed batch back.

const root: Target = { entity: getEntity('Scripts'), scope: { kind: 'realm', realm: '/' } }
const authentication: Target = {
  entity: getEntity('Authentication'),
  scope: { kind: 'realm', realm: '/' },
}

function code(expected: ErrorCode, message?: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof AmshError, `expected an AmshError, got ${String(err)}`)
    assert.equal(err.code, expected, err.message)
    if (message) assert.match(err.message, message)
    return true
  }
}

async function userScripts(transport: Transport): Promise<string[]> {
  const found = await transport.query(root, { filter: 'default eq false', fields: ['name'] })
  return found.result.map((s) => String(s.name)).sort()
}

const quietHost = {
  load: async () => undefined,
  exit: () => undefined,
  errexit: () => undefined,
  output: () => undefined,
  failed: () => undefined,
}

/** Each test's own store, journal and journaled transport. */
let temp: ReturnType<typeof tempDir>
let store: LocalStore
let journal: Journal
let journaled: JournalingTransport
function freshEachTest(): void {
  beforeEach(() => {
    temp = tempDir()
    store = new LocalStore({ path: join(temp.dir, 'store.db'), product: 'am8' })
    journal = new Journal(join(temp.dir, 'journal.db'))
    journaled = new JournalingTransport(store, journal, localPlace(join(temp.dir, 'store.db')))
  })
  afterEach(() => {
    journal.close()
    store.close()
    temp.remove()
  })
}

/** One batch: the run's changes through `transport`; its id. */
async function batch(work: () => Promise<unknown>, what = 'test'): Promise<number> {
  journal.begin(what)
  try {
    await work()
  } finally {
    journal.end('done')
  }
  return journal.list(1)[0]!.id
}

// Journaling changes nothing about what a transport does.
runTransportContract('journaled local store', async () => {
  const home = tempDir()
  const local = new LocalStore({ path: ':memory:', product: 'am8' })
  const log = new Journal(join(home.dir, 'journal.db'))
  return {
    transport: new JournalingTransport(local, log, 'local :memory:'),
    dispose: () => {
      log.close()
      local.close()
      home.remove()
    },
  }
})
runCrudContract({
  name: 'journaled local store',
  open: async () => {
    const home = tempDir()
    const local = new LocalStore({ path: ':memory:', product: 'am8' })
    const log = new Journal(join(home.dir, 'journal.db'))
    return {
      transport: new JournalingTransport(local, log, 'local :memory:'),
      dispose: () => {
        log.close()
        local.close()
        home.remove()
      },
    }
  },
})

describe('the journal', () => {
  freshEachTest()
  test('records create, update, delete and a mutating action, each with the item before', async () => {
    const id = await batch(async () => {
      await journaled.create(root, scriptBody('One'), 's1')
      await journaled.update(root, 's1', scriptBody('One', { description: 'changed' }))
      await journaled.delete(root, 's1')
      await journaled.action(root, 'createGlobal', scriptBody('Global'), {})
      // validate changes nothing: no entry
      await journaled.action(
        root,
        'validate',
        { script: scriptBody('x').script!, language: 'JAVASCRIPT' },
        {}
      )
    })
    const entries = journal.entries(id)
    assert.deepEqual(
      entries.map((e) => [e.op, e.action ?? null, e.entity, e.answered]),
      [
        ['create', null, 'Scripts', true],
        ['update', null, 'Scripts', true],
        ['delete', null, 'Scripts', true],
        ['action', 'createGlobal', 'Scripts', true],
      ]
    )
    assert.equal(entries[0]!.before, null)
    assert.equal(entries[1]!.before!.description, 'about One')
    assert.equal(entries[2]!.before!.description, 'changed')
    assert.equal(entries[2]!.after, null)
    assert.match(entries[3]!.id!, /^[0-9a-f-]{36}$/, 'the id the action made is recorded')
    const [listed] = journal.list(10)
    assert.equal(listed!.changes, 4)
    assert.equal(listed!.state, 'done')
    assert.equal(listed!.place, localPlace(join(temp.dir, 'store.db')))
    assert.equal(statSync(join(temp.dir, 'journal.db')).mode & 0o777, 0o600)
  })

  test('a refused change leaves no entry, and a batch that changed nothing is not kept', async () => {
    await journaled.create(root, scriptBody('Taken'), 'taken')
    journal.end('done')
    await assert.rejects(
      batch(() => journaled.create(root, scriptBody('Again'), 'taken')),
      code('E_EXISTS')
    )
    await assert.rejects(
      batch(() => journaled.update(root, 'missing', scriptBody('Missing'))),
      code('E_NOT_FOUND')
    )
    assert.deepEqual(
      journal.list(10).map((b) => b.changes),
      [1]
    )
  })

  test('keeps no secret: values under secret-looking keys, in images and command lines', async () => {
    const settings = (secret: string) => ({
      core: { adminAuthModule: 'ldapService' },
      security: { sharedSecret: secret, 'keyAlias-encrypted': 'AAAA', zeroPageLoginEnabled: false },
    })
    await journaled.update(authentication, '', settings('hunter2'))
    journal.end('done')
    const id = await batch(() => journaled.update(authentication, '', settings('s3cr3t')))
    const [entry] = journal.entries(id)
    const security = entry!.before!.security as JsonObject
    assert.equal(security.sharedSecret, REDACTED)
    assert.equal(security['keyAlias-encrypted'], REDACTED)
    assert.equal(security.zeroPageLoginEnabled, false)
    journal.close()
    for (const file of ['journal.db', 'journal.db-wal']) {
      if (!existsSync(join(temp.dir, file))) continue
      const bytes = readFileSync(join(temp.dir, file), 'latin1')
      assert.ok(!bytes.includes('hunter2') && !bytes.includes('s3cr3t'), `${file} holds a secret`)
    }
    // Undo puts the rest back, and leaves the secret as it is now.
    await store.update(authentication, '', {
      ...settings('newer'),
      core: { adminAuthModule: 'other' },
    })
    const outcome = await undoBatch(store, journal, journal.batch(id)!, { force: true })
    assert.equal(outcome.restored, 1)
    const now = await store.read(authentication, '')
    assert.deepEqual(now.core, { adminAuthModule: 'ldapService' })
    assert.equal((now.security as JsonObject).sharedSecret, 'newer')

    assert.equal(
      redactText(
        `connect https://am --username amadmin --password 'p w' -D adminPassword=x --body {"userPassword": "y", "name": "n"}`
      ),
      `connect https://am --username amadmin --password *** -D adminPassword=*** --body {"userPassword": "***", "name": "n"}`
    )
    assert.equal(
      redactText(`const adminPassword = "x y"; run(\`connect \${url} --username a\`)`),
      `const adminPassword = '***'; run(\`connect \${url} --username a\`)`
    )
  })

  test('refuses a file that is not an amsh journal, or one a newer amsh wrote', async () => {
    const foreign = join(temp.dir, 'foreign.db')
    const other = new Database(foreign)
    other.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY)')
    other.close()
    assert.throws(() => new Journal(foreign).list(1), code('E_STORE', /not an amsh journal/))
    await journaled.create(root, scriptBody('Any'))
    journal.close()
    const raw = new Database(join(temp.dir, 'journal.db'))
    raw.pragma('user_version = 9')
    raw.close()
    assert.throws(() => journal.list(1), code('E_STORE', /newer amsh \(journal schema 9/))
  })

  test('read-only (a dry run): reads, records nothing, and needs no file', async () => {
    const dry = new Journal(join(temp.dir, 'none', 'journal.db'), { readonly: true })
    const planned = new JournalingTransport(store, dry, 'local x')
    await planned.create(root, scriptBody('Planned'))
    assert.deepEqual(dry.list(5), [])
    assert.equal(dry.latestUndoable(), undefined)
    assert.equal(existsSync(join(temp.dir, 'none')), false)
    dry.close()
  })

  test('images: redaction, comparison without stamps, restored bodies keep current secrets', () => {
    assert.deepEqual(redact({ token: 'x', tokenEnabled: true, list: [{ password: 'p' }] }), {
      token: REDACTED,
      tokenEnabled: true,
      list: [{ password: REDACTED }],
    })
    assert.ok(sameImage({ _rev: '1', a: 1, lastModifiedDate: 5 }, { a: 1, _rev: '2' }))
    assert.ok(!sameImage({ a: 1 }, null))
    assert.deepEqual(
      restoredBody(
        { _rev: '1', a: 1, s: { password: REDACTED, b: 2 } },
        { s: { password: 'now' } }
      ),
      { a: 1, s: { password: 'now', b: 2 } }
    )
  })
})

describe('undo', () => {
  freshEachTest()
  test('deletes what a batch made, restores what it changed, recreates what it deleted', async () => {
    await store.create(root, scriptBody('Changed'), 'p')
    await store.create(root, scriptBody('Deleted'), 'q')
    const id = await batch(async () => {
      await journaled.create(root, scriptBody('Made'))
      await journaled.update(root, 'p', scriptBody('Changed', { description: 'new' }))
      await journaled.delete(root, 'q')
    })
    assert.deepEqual(await userScripts(store), ['Changed', 'Made'])
    const outcome = await undoBatch(journaled, journal, journal.batch(id)!, { force: false })
    assert.deepEqual(
      [outcome.deleted, outcome.restored, outcome.recreated, outcome.already],
      [1, 1, 1, 0]
    )
    assert.deepEqual(await userScripts(store), ['Changed', 'Deleted'])
    assert.equal((await store.read(root, 'p')).description, 'about Changed')
    assert.equal((await store.read(root, 'q')).name, 'Deleted')
    // Done again, everything is as before already.
    const again = await undoBatch(store, journal, journal.batch(id)!, { force: false })
    assert.equal(again.already, 3)
  })

  test('realms: what a batch made in a realm it made goes first; a deleted realm comes back', async () => {
    const realms: Target = { entity: getEntity('Realms'), scope: { kind: 'global' } }
    const inR: Target = { entity: getEntity('Scripts'), scope: { kind: 'realm', realm: '/r' } }
    const made = await batch(async () => {
      await journaled.create(realms, realmBody('/r'))
      await journaled.create(inR, scriptBody('In r'))
      await journaled.update(realms, 'L3I', { ...realmBody('/r'), active: false })
    })
    const outcome = await undoBatch(journaled, journal, journal.batch(made)!, { force: false })
    assert.deepEqual([outcome.deleted, outcome.notRestored.length], [2, 0])
    await assert.rejects(store.read(realms, 'L3I'), code('E_NOT_FOUND'))
    await store.create(realms, realmBody('/s'))
    const deleted = await batch(() => journaled.delete(realms, 'L3M'))
    assert.equal(
      (await undoBatch(journaled, journal, journal.batch(deleted)!, { force: false })).recreated,
      1
    )
    assert.equal((await store.read(realms, 'L3M')).name, 's')
  })

  test('leaves an item changed since the batch alone, unless forced', async () => {
    await store.create(root, scriptBody('Mine'), 'm')
    const id = await batch(() =>
      journaled.update(root, 'm', scriptBody('Mine', { description: 'batch' }))
    )
    await store.update(root, 'm', scriptBody('Mine', { description: 'someone else' }))
    const refused = await undoBatch(store, journal, journal.batch(id)!, { force: false })
    assert.equal(refused.notRestored[0]?.code, 'E_STALE')
    assert.match(refused.notRestored[0]!.why, /--force/)
    assert.equal((await store.read(root, 'm')).description, 'someone else')
    const forced = await undoBatch(store, journal, journal.batch(id)!, { force: true })
    assert.equal(forced.restored, 1)
    assert.equal((await store.read(root, 'm')).description, 'about Mine')
  })

  test('an entry whose change never answered: harmless if nothing changed, named if unknown', async () => {
    const place = localPlace(join(temp.dir, 'store.db'))
    journal.begin('killed')
    journal.intend(place, {
      entity: 'Scripts',
      scope: root.scope,
      id: 'never',
      op: 'create',
      before: null,
    })
    journal.intend(place, {
      entity: 'Scripts',
      scope: root.scope,
      id: undefined,
      op: 'create',
      name: 'Lost',
      before: null,
    })
    journal.end('failed')
    const outcome = await undoBatch(store, journal, journal.list(1)[0]!, { force: false })
    assert.equal(outcome.already, 1)
    assert.match(
      outcome.notRestored[0]!.why,
      /never answered.*query Scripts --realm \/ --filter 'name eq "Lost"' finds it/
    )
  })

  test('--atomic compensation: undoes the run, and reports what it could not put back', async () => {
    await store.create(root, scriptBody('Theirs'), 't')
    journal.begin('amsh --atomic x.amster')
    await journaled.create(root, scriptBody('Ours'))
    await journaled.update(root, 't', scriptBody('Theirs', { description: 'ours' }))
    await store.update(root, 't', scriptBody('Theirs', { description: 'changed meanwhile' }))
    const lines: string[] = []
    const now = { transport: journaled, journal: journaled }
    assert.equal(await rollBack(journal, undefined, now, (line) => lines.push(line)), false)
    journal.end('failed')
    assert.deepEqual(await userScripts(store), ['Theirs'])
    assert.equal((await store.read(root, 't')).description, 'changed meanwhile')
    assert.match(lines.join('\n'), /rolled back only part of batch 1: 1 deleted, 1 not restored/)
    assert.match(lines.join('\n'), /not restored: Scripts \/ t: it was changed after batch 1/)
    assert.equal(journal.batch(1)!.state, 'failed')
    assert.equal(journal.list(5).length, 1, 'the rollback is not a batch of its own')
  })

  test('through REST to amsh serve', async () => {
    const served = await serveInProcess(store)
    const remote = new AmTransport({
      baseUrl: served.url,
      credentials: new PasswordLogin('amadmin', SERVE_PASSWORD),
    })
    const overRest = new JournalingTransport(remote, journal, served.url)
    try {
      await store.create(root, scriptBody('Changed'), 'p')
      await store.create(root, scriptBody('Deleted'), 'q')
      const id = await batch(async () => {
        await overRest.create(root, scriptBody('Made'))
        await overRest.update(root, 'p', scriptBody('Changed', { description: 'new' }))
        await overRest.delete(root, 'q')
        await assert.rejects(overRest.create(root, scriptBody('Again'), 'p'), code('E_EXISTS'))
      })
      assert.equal(journal.entries(id).length, 3, 'the refused create was withdrawn')
      assert.ok(journal.entries(id).every((e) => e.answered))
      const outcome = await undoBatch(overRest, journal, journal.batch(id)!, { force: false })
      assert.deepEqual([outcome.deleted, outcome.restored, outcome.recreated], [1, 1, 1])
      assert.deepEqual(await userScripts(store), ['Changed', 'Deleted'])
      assert.equal((await store.read(root, 'q')).description, 'about Deleted')
    } finally {
      remote.close()
      await served.close()
    }
  })
})

describe('undo and journal, as commands', () => {
  freshEachTest()
  let connector: Connector
  let session: Session
  const storePath = () => join(temp.dir, 'store.db')
  beforeEach(() => {
    connector = new Connector({
      home: { transport: store, label: undefined, owned: false },
      homePlace: localPlace(storePath()),
      journal,
      product: 'am8',
      env: {},
      warn: () => undefined,
      debug: false,
    })
    session = new Session({
      connector,
      profile: getProfile('am8'),
      properties: new Map(),
      write: () => undefined,
      writeError: () => undefined,
    })
  })
  afterEach(() => session.close())

  /** A line typed at the prompt: each is a batch of its own. */
  async function type(line: string): Promise<unknown> {
    const outcome = await session.execute(line, {
      file: PROMPT,
      line: 1,
      baseDir: temp.dir,
      host: quietHost,
      chain: [],
      via: undefined,
    })
    return outcome.kind === 'value' ? outcome.value : undefined
  }
  const create = (name: string) =>
    type(`create Scripts --realm / --body '${JSON.stringify(scriptBody(name))}'`)

  test('each prompt line is a batch; undo after undo walks back; undoing an undo redoes', async () => {
    await create('First')
    await create('Second')
    assert.deepEqual(await userScripts(store), ['First', 'Second'])
    const undone = (await type('undo')) as JsonObject
    assert.equal(undone.summary, 'undid batch 2: 1 deleted')
    assert.equal(undone.undoBatch, 3)
    assert.deepEqual(await userScripts(store), ['First'])
    assert.equal(((await type('undo --last')) as JsonObject).summary, 'undid batch 1: 1 deleted')
    assert.deepEqual(await userScripts(store), [])
    await assert.rejects(type('undo'), code('E_NOT_FOUND', /nothing to undo/))
    // Redo: undo the undo's batch; the batch it undid is done again.
    assert.equal(
      ((await type('undo --batch 4')) as JsonObject).summary,
      'undid batch 4: 1 recreated'
    )
    assert.deepEqual(await userScripts(store), ['First'])
    const list = (await type('journal list --limit 4')) as JsonObject[]
    assert.deepEqual(
      list.map((b) => [b.id, b.state, b.undoes ?? null]),
      [
        [5, 'done', 4],
        [4, 'undone', 1],
        [3, 'done', 2],
        [2, 'undone', null],
      ]
    )
    assert.match(String(list[3]!.what), /^create Scripts --realm \//)
    assert.equal(String(list[0]!.what), 'undo --batch 4')
    const shown = (await type('journal show 1')) as JsonObject & { entries: JsonObject[] }
    assert.equal(shown.state, 'done')
    assert.deepEqual(
      shown.entries.map((e) => [e.op, e.entity, e.scope, e.existedBefore]),
      [['create', 'Scripts', '/', false]]
    )
    await assert.rejects(type('undo --batch 4'), code('E_USAGE', /undone already.*--force/))
    await assert.rejects(type('undo --batch 2 --last'), code('E_USAGE', /not both/))
    assert.equal(((await type('undo')) as JsonObject).summary, 'undid batch 1: 1 deleted')
  })

  test('refuses an unknown batch, and a batch of another place, naming both', async () => {
    await assert.rejects(type('undo'), code('E_NOT_FOUND', /nothing to undo/))
    await assert.rejects(type('undo --batch 42'), code('E_NOT_FOUND', /no batch 42.*journal list/))
    await assert.rejects(type('journal show 42'), code('E_NOT_FOUND', /no batch 42/))
    await assert.rejects(type('undo --batch two'), code('E_USAGE', /a number/))
    await create('Here')
    const other = join(temp.dir, 'other.db')
    await type(`connect local:${other}`)
    await assert.rejects(
      type('undo --batch 1'),
      code(
        'E_USAGE',
        new RegExp(
          `batch 1 changed local ${storePath()}, but commands go to local ${other} now; connect local:${storePath()} first`
        )
      )
    )
    await type('connect local')
    await type('undo --batch 1')
    assert.deepEqual(await userScripts(store), [])
  })

  test('refuses what makes no sense, saying what does', async () => {
    await assert.rejects(type('journal list extra'), code('E_USAGE', /no argument/))
    await assert.rejects(type('journal list --limit 0'), code('E_USAGE', /a count/))
    await assert.rejects(type('journal show'), code('E_USAGE', /needs a batch id/))
    await assert.rejects(type('journal frob'), code('E_USAGE', /journal list or journal show/))
    await create('Rolled')
    await assert.rejects(type('journal show 1 --limit 2'), code('E_USAGE', /--limit applies/))
    journal.setState(1, 'rolled-back')
    await assert.rejects(type('undo --batch 1'), code('E_USAGE', /rolled back when it failed/))
    // A batch another amsh is making now (here: the process that started this test runner).
    journal.setState(1, 'open')
    journal.close()
    const raw = new Database(join(temp.dir, 'journal.db'))
    raw.prepare('UPDATE batches SET pid = ? WHERE id = 1').run(process.ppid)
    raw.close()
    await assert.rejects(type('undo'), code('E_USAGE', /still being made by another amsh/))
    assert.equal(((await type('undo --force')) as JsonObject).deleted, 1)
  })

  test('an undo that cannot put everything back fails, saying what it left', async () => {
    await store.create(root, scriptBody('Shared'), 'shared')
    await type(
      `update Scripts --realm / --id shared --body '${JSON.stringify(scriptBody('Shared', { description: 'mine' }))}'`
    )
    await create('Mine')
    await store.update(root, 'shared', scriptBody('Shared', { description: 'theirs' }))
    await type('undo')
    await assert.rejects(
      type('undo'),
      code('E_STALE', /undid only part of batch 1.*Scripts \/ shared: it was changed after batch 1/)
    )
    assert.equal(journal.batch(1)!.state, 'done', 'not undone while an item is left')
  })

  test('with the journal off, undo and journal say so', async () => {
    const bare = quietSession(store)
    for (const line of ['undo', 'journal list']) {
      await assert.rejects(
        bare.execute(line, {
          file: PROMPT,
          line: 1,
          baseDir: temp.dir,
          host: quietHost,
          chain: [],
          via: undefined,
        }),
        code('E_UNSUPPORTED', /the journal is off \(AMSH_JOURNAL=off\)/)
      )
    }
  })

  test('a verb knows the batch its changes went to', async () => {
    assert.equal(session.journal?.currentBatch(), undefined)
    journal.begin('a run')
    await create('In a run')
    assert.equal(session.journal?.currentBatch(), journal.batchesOfRun()[0]?.id)
    journal.end('done')
  })
})

describe('the binary', () => {
  const body = (name: string) => JSON.stringify(scriptBody(name))

  test('a run killed half-way is put back by undo --last', async () => {
    const home = tempDir()
    try {
      const storeFile = join(home.dir, 'store.db')
      const lines = Array.from(
        { length: 20_000 },
        (_, i) => `create Scripts --realm / --body '${body(`Killed ${i}`)}'`
      )
      writeFileSync(join(home.dir, 'killed.amster'), `${lines.join('\n')}\n`)
      const child = spawn(
        process.execPath,
        [BIN, '--store', storeFile, join(home.dir, 'killed.amster')],
        {
          env: { ...process.env, AMSH_HOME: home.dir },
          stdio: ['ignore', 'pipe', 'pipe'],
        }
      )
      await new Promise<void>((done) => {
        let seen = 0
        child.stdout.on('data', (chunk: Buffer) => {
          seen += chunk.length
          if (seen > 30_000) {
            child.kill('SIGKILL')
            done()
          }
        })
      })
      await new Promise((done) => child.on('exit', done))
      const amsh = (line: string) =>
        runAmsh(['--store', storeFile, '-c', line], { env: { AMSH_HOME: home.dir } })
      const count = () =>
        (
          JSON.parse(
            amsh("query Scripts --realm / --filter 'default eq false'").stdout
          ) as unknown[]
        ).length
      assert.ok(count() > 0, 'some creates were made before the kill')
      const [killed] = JSON.parse(amsh('journal list').stdout) as JsonObject[]
      assert.equal(killed!.state, 'open')
      const undo = amsh('undo --last')
      assert.equal(undo.status, 0, undo.stderr)
      assert.equal(count(), 0)
      const [, again] = JSON.parse(amsh('journal list').stdout) as JsonObject[]
      assert.equal(again!.state, 'undone')
    } finally {
      home.remove()
    }
  })

  test('--atomic: no connect once the batch has changed something', () => {
    const home = tempDir()
    try {
      const file = join(home.dir, 'moves.amster')
      writeFileSync(
        file,
        [
          `create Scripts --realm / --body '${body('Local')}'`,
          'connect http://127.0.0.1:9/am --username amadmin --password-env AM_PASS',
        ].join('\n')
      )
      const storeFile = join(home.dir, 'store.db')
      const moved = runAmsh(['--store', storeFile, '--atomic', file], {
        env: { AMSH_HOME: home.dir },
      })
      assert.equal(moved.status, 3)
      assert.match(
        moved.stderr,
        /E_UNSUPPORTED: connect http:\/\/127.0.0.1:9\/am: --atomic: this batch has changed things already/
      )
      assert.match(moved.stderr, /none of its changes were kept/)
      const off = runAmsh(['--store', storeFile, '--atomic', file], {
        env: { AMSH_HOME: home.dir, AMSH_JOURNAL: 'off' },
      })
      assert.match(
        off.stderr,
        /with the journal off, AMSH_JOURNAL=off, nothing else can roll it back/
      )
      const left = runAmsh(
        ['--store', storeFile, '-c', "query Scripts --realm / --filter 'default eq false'"],
        {
          env: { AMSH_HOME: home.dir },
        }
      )
      assert.equal(left.stdout.trim(), '[]')
    } finally {
      home.remove()
    }
  })

  test('--atomic over REST: a failing command rolls back the changes before it', async () => {
    const home = tempDir()
    const remote = new LocalStore({ path: ':memory:', product: 'am8' })
    const served = await serveInProcess(remote)
    try {
      const file = join(home.dir, 'atomic.amster')
      writeFileSync(
        file,
        [
          `connect ${served.url} --username amadmin --password-env AM_PASS`,
          `create Scripts --realm / --body '${body('One')}'`,
          `create Scripts --realm / --body '${body('Two')}'`,
          'read Scripts --realm / --id missing',
          `create Scripts --realm / --body '${body('Never')}'`,
        ].join('\n')
      )
      const run = await runAmshAsync(['--store', join(home.dir, 'store.db'), '--atomic', file], {
        env: { AMSH_HOME: home.dir, AM_PASS: SERVE_PASSWORD },
      })
      assert.equal(run.status, 3, run.stderr)
      assert.match(run.stderr, /E_NOT_FOUND/)
      assert.match(
        run.stderr,
        /--atomic: the batch failed; rolled back batch \d+: 2 deleted on http/
      )
      assert.deepEqual(await userScripts(remote), [])
      const list = await runAmshAsync(
        ['--store', join(home.dir, 'store.db'), '-c', 'journal list'],
        {
          env: { AMSH_HOME: home.dir },
        }
      )
      const [rolled] = JSON.parse(list.stdout) as JsonObject[]
      assert.equal(rolled!.state, 'rolled-back')
      assert.equal(rolled!.where, served.url)
      assert.doesNotMatch(String(rolled!.what), /AM_PASS=|p4ss/)
    } finally {
      await served.close()
      remote.close()
      home.remove()
    }
  })
})
