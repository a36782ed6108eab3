import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import Database from 'better-sqlite3'
import { getEntity } from '../src/catalog/catalog.ts'
import { getProfile } from '../src/catalog/profiles.ts'
import { AmshError } from '../src/errors.ts'
import type { JsonObject, JsonValue } from '../src/json.ts'
import { amsterJson } from '../src/migrate/amster-json.ts'
import { WholeFiles } from '../src/migrate/export.ts'
import { realmFolder, safeName } from '../src/migrate/layout.ts'
import { LocalStore } from '../src/transport/local/store.ts'
import type { Target, Transport } from '../src/transport/types.ts'
import { findVerb, parseCommand } from '../src/verbs/index.ts'
import type { VerbContext } from '../src/verbs/types.ts'
import { b64, BIN, realmBody, runAmsh, tempDir } from './helpers.ts'

// export-config and import-config as a user runs them, on the local store: Amster's layout and
// JSON style, byte-identical exports, idempotent imports with a plan, conflicts by name, the
// dependency order, configuration expressions, and every kind of bad file.

const scripts = (realm: string): Target => ({
  entity: getEntity('Scripts'),
  scope: { kind: 'realm', realm },
})
const realms: Target = { entity: getEntity('Realms'), scope: { kind: 'global' } }

function script(name: string, source = 'var a = 1;', extra: JsonObject = {}): JsonObject {
  return {
    name,
    description: `about ${name}`,
    script: b64(source),
    language: 'JAVASCRIPT',
    context: 'OIDC_CLAIMS',
    ...extra,
  }
}

interface Ran {
  value?: JsonValue
  error?: AmshError
  notes: string[]
}

/** Runs a command line against a transport, as the session would. */
async function run(
  transport: Transport,
  line: string,
  options: { answer?: string; properties?: Record<string, string>; baseDir?: string } = {}
): Promise<Ran> {
  const notes: string[] = []
  const invocation = parseCommand(line)
  const ctx: VerbContext = {
    transport,
    profile: getProfile('am8'),
    baseDir: options.baseDir ?? process.cwd(),
    connect: () => Promise.reject(new Error('no connect in these tests')),
    notify: (text) => notes.push(text),
    ask: options.answer === undefined ? undefined : () => Promise.resolve(options.answer!),
    expressions: {
      variable: () => undefined,
      properties: new Map(Object.entries(options.properties ?? {})),
      files: new Map(),
    },
  }
  try {
    return { value: await findVerb(invocation.verb)!.run(invocation, ctx), notes }
  } catch (err) {
    if (!(err instanceof AmshError)) throw err
    return { error: err, notes }
  }
}

function files(dir: string): string[] {
  const out: string[] = []
  const walk = (at: string, prefix: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1
    )) {
      if (entry.isDirectory()) walk(join(at, entry.name), `${prefix}${entry.name}/`)
      else out.push(`${prefix}${entry.name}`)
    }
  }
  walk(dir, '')
  return out
}

const json = (path: string) =>
  JSON.parse(readFileSync(path, 'utf8')) as { metadata: JsonObject; data: JsonObject }

/** An Amster export file of a realm's script. */
function scriptFile(dir: string, realm: string, body: JsonObject, relative?: string): string {
  const path = join(
    dir,
    relative ?? `realms/${realmFolder(realm)}/Scripts/${String(body._id)}.json`
  )
  mkdirSync(join(path, '..'), { recursive: true })
  const text = amsterJson({
    metadata: {
      realm,
      amsterVersion: '7.2.0',
      entityType: 'Scripts',
      entityId: body._id!,
      pathParams: {},
    },
    data: body,
  })
  writeFileSync(path, text)
  return path
}

let tmp: ReturnType<typeof tempDir>
before(() => (tmp = tempDir('amsh-migrate-')))
after(() => tmp.remove())

let counter = 0
function fresh(): { store: LocalStore; dir: string } {
  const dir = join(tmp.dir, `case-${++counter}`)
  mkdirSync(dir, { recursive: true })
  return { store: new LocalStore({ path: join(dir, 'store.db'), product: 'am8' }), dir }
}

describe('Amster JSON style', () => {
  test("real Amster export files are reproduced byte for byte (Jackson's pretty printer)", () => {
    for (const file of [
      'global/Realms/root.json',
      'realms/root/Authentication.json',
      'global/DefaultSecurityProperties.json',
    ]) {
      const text = readFileSync(`test/fixtures/exports/${file}`, 'utf8')
      assert.equal(amsterJson(JSON.parse(text) as JsonValue), text, file)
    }
  })

  test('arrays of objects, empty containers and control characters', () => {
    assert.equal(
      amsterJson({ a: [{ b: 1 }, { c: [] }], d: {}, e: 'x\u0001"' }),
      '{\n  "a" : [ {\n    "b" : 1\n  }, {\n    "c" : [ ]\n  } ],\n  "d" : { },\n  "e" : "x\\u0001\\""\n}'
    )
  })
})

describe('file names', () => {
  test('realm folders are root, root-alpha, root-a-b', () => {
    assert.deepEqual(['/', '/alpha', '/a/b'].map(realmFolder), ['root', 'root-alpha', 'root-a-b'])
  })

  test('ids and names become safe file names that stay inside their folder', () => {
    assert.equal(safeName('../../etc/passwd'), '..%2F..%2Fetc%2Fpasswd')
    assert.equal(safeName('..'), '%2E%2E')
    assert.equal(safeName('a:b*c?'), 'a%3Ab%2Ac%3F')
    assert.equal(safeName('Cors Configuration'), 'Cors Configuration')
    assert.equal(safeName('trailing.'), 'trailing%2E')
    assert.ok(Buffer.byteLength(safeName('é'.repeat(500))) <= 200)
    assert.notEqual(safeName('x'.repeat(300)), safeName(`${'x'.repeat(299)}y`))
  })
})

describe('export-config', () => {
  test("writes Amster's layout and format, and the same store exports the same bytes", async () => {
    const { store, dir } = fresh()
    await store.create(realms, realmBody('/alpha'))
    await store.create(scripts('/alpha'), script('Check user'))
    const first = await run(store, `export-config --path ${join(dir, 'one')}`)
    assert.equal(first.error, undefined, first.error?.message)
    const second = await run(store, `export-config --path ${join(dir, 'two')}`)
    assert.deepEqual(second.value, { ...(first.value as JsonObject), path: join(dir, 'two') })
    const written = files(join(dir, 'one'))
    assert.deepEqual(written, files(join(dir, 'two')))
    for (const file of written)
      assert.equal(
        readFileSync(join(dir, 'one', file), 'utf8'),
        readFileSync(join(dir, 'two', file), 'utf8'),
        file
      )
    assert.ok(written.includes('global/Realms/root.json'))
    assert.ok(written.includes('global/Realms/root-alpha.json'))
    assert.ok(written.includes('realms/root-alpha/Authentication.json'))
    assert.ok(written.includes('global/DefaultAdvancedProperties.json'))
    // The default scripts are global scripts, filed once, as the scripting service holds them.
    const globals = written.filter((f) => f.startsWith('global/GlobalScripts/'))
    assert.equal(globals.length, getProfile('am8').defaultScripts.length)
    const own = written.filter((f) => f.startsWith('realms/root-alpha/Scripts/'))
    assert.equal(own.length, 1)
    const file = json(join(dir, 'one', own[0]!))
    assert.deepEqual(Object.keys(file.metadata), [
      'realm',
      'amsterVersion',
      'entityType',
      'entityId',
      'pathParams',
    ])
    assert.equal(file.metadata.realm, '/alpha')
    assert.equal(file.metadata.entityType, 'Scripts')
    assert.equal(file.metadata.entityId, file.data._id)
    assert.equal(file.data.name, 'Check user')
    assert.match(readFileSync(join(dir, 'one', own[0]!), 'utf8'), /^\{\n {2}"metadata" : \{\n/)
    const global = json(join(dir, 'one', globals[0]!))
    assert.equal(global.metadata.realm, null)
    assert.equal(global.metadata.entityType, 'GlobalScripts')
    assert.equal(typeof global.data.creationDate, 'string')
    assert.deepEqual(global.data._type, {
      _id: 'globalScript',
      name: 'Scripting',
      collection: true,
    })
    const singleton = json(join(dir, 'one', 'global/DefaultAdvancedProperties.json'))
    assert.equal(singleton.metadata.entityId, 'DefaultAdvancedProperties')
    store.close()
  })

  test("--realms, --realmEntities and --globalEntities choose; ' ' is none", async () => {
    const { store, dir } = fresh()
    await store.create(realms, realmBody('/alpha'))
    await store.create(scripts('/alpha'), script('a'))
    await store.create(scripts('/'), script('b'))
    const out = join(dir, 'x')
    const ran = await run(
      store,
      `export-config --path ${out} --realms /alpha --realmEntities Scripts --globalEntities ' '`
    )
    assert.equal(ran.error, undefined, ran.error?.message)
    assert.deepEqual(
      files(out).map((f) => f.replace(/[0-9a-f-]{36}/, '<id>')),
      ['realms/root-alpha/Scripts/<id>.json']
    )
    const realmsOnly = join(dir, 'y')
    await run(
      store,
      `export-config --path ${realmsOnly} --realms /alpha --realmEntities ' ' --globalEntities Realms`
    )
    assert.deepEqual(files(realmsOnly), ['global/Realms/root-alpha.json'])
    const bad = await run(store, `export-config --path ${out} --realmEntities Libraries`)
    assert.equal(bad.error?.code, 'E_USAGE')
    assert.match(
      bad.error!.message,
      /Libraries cannot be exported from a realm; those that can: .*Scripts/
    )
    const missing = await run(store, `export-config --path ${out} --realms /nowhere`)
    assert.equal(missing.error?.code, 'E_NOT_FOUND')
    assert.match(
      missing.error!.message,
      /realm \/nowhere does not exist here; the realms: \/ \/alpha/
    )
    store.close()
  })

  test('--extract writes each source beside its JSON; an edited source wins at import, and the plan says so', async () => {
    const { store, dir } = fresh()
    await store.create(scripts('/'), script('Say: hi?', 'var greeting = "hi";'))
    const out = join(dir, 'x')
    await run(
      store,
      `export-config --path ${out} --extract --globalEntities ' ' --realmEntities Scripts`
    )
    const source = join(out, 'realms/root/Scripts/Say%3A hi%3F.js')
    assert.equal(readFileSync(source, 'utf8'), 'var greeting = "hi";')
    const again = await run(store, `import-config --path ${out}`)
    assert.equal((again.value as JsonObject).unchanged, 1)
    writeFileSync(source, 'var greeting = "hello";')
    const plan = await run(store, `import-config --path ${out} --dry-run`)
    assert.ok(
      plan.notes.some((n) =>
        /^update +Scripts \/ .* \(script\) \[source taken from Say%3A hi%3F\.js \(it differs from the JSON's\)\]/.test(
          n
        )
      ),
      plan.notes.join('\n')
    )
    await run(store, `import-config --path ${out}`)
    const [stored] = (await store.query(scripts('/'), { filter: 'name eq "Say: hi?"' })).result
    assert.equal(
      Buffer.from(String(stored!.script), 'base64').toString(),
      'var greeting = "hello";'
    )
    store.close()
  })

  test('ids and names a file system would refuse, or that climb out (../), stay inside --path', async () => {
    const { store, dir } = fresh()
    await store.create(scripts('/'), script('a/b:c?'), '../../escape')
    const out = join(dir, 'x')
    const ran = await run(
      store,
      `export-config --path ${out} --extract --globalEntities ' ' --realmEntities Scripts`
    )
    assert.equal(ran.error, undefined, ran.error?.message)
    assert.deepEqual(files(out), [
      'realms/root/Scripts/..%2F..%2Fescape.json',
      'realms/root/Scripts/a%2Fb%3Ac%3F.js',
    ])
    assert.deepEqual(
      readdirSync(dir).filter((f) => !f.startsWith('store.db')),
      ['x']
    )
    const back = fresh()
    const imported = await run(back.store, `import-config --path ${out}`)
    assert.equal(imported.error, undefined, imported.error?.message)
    assert.equal((await back.store.read(scripts('/'), '../../escape')).name, 'a/b:c?')
    store.close()
    back.store.close()
  })

  test('an absolute id or name stays inside --path; a folder in it that links out is not written through', async () => {
    const { store, dir } = fresh()
    await store.create(scripts('/'), script('/tmp/abs-name'), '/etc/amsh-abs-id')
    const out = join(dir, 'abs')
    const ran = await run(
      store,
      `export-config --path ${out} --extract --globalEntities ' ' --realmEntities Scripts`
    )
    assert.equal(ran.error, undefined, ran.error?.message)
    assert.deepEqual(files(out), [
      'realms/root/Scripts/%2Fetc%2Famsh-abs-id.json',
      'realms/root/Scripts/%2Ftmp%2Fabs-name.js',
    ])
    // realms/ in the export folder is a link to a folder elsewhere: refused, nothing written there.
    const outside = join(tmp.dir, `export-outside-${counter}`)
    mkdirSync(outside)
    const linked = join(dir, 'linked')
    mkdirSync(linked)
    symlinkSync(outside, join(linked, 'realms'))
    const refused = await run(
      store,
      `export-config --path ${linked} --globalEntities ' ' --realmEntities Scripts --failOnError`
    )
    assert.equal(refused.error?.code, 'E_FORBIDDEN')
    assert.match(
      refused.error!.message,
      /leads out of .* \(through a symbolic link, to .*\); nothing is written outside --path/
    )
    assert.deepEqual(readdirSync(outside), [])
    store.close()
  })

  test('an export file that is a link out of --path is replaced, not written through', async () => {
    const { store, dir } = fresh()
    await store.create(scripts('/'), script('Linked'), 'linked')
    const victim = join(tmp.dir, `victim-${counter}.json`)
    writeFileSync(victim, 'untouched')
    const out = join(dir, 'replace')
    mkdirSync(join(out, 'realms', 'root', 'Scripts'), { recursive: true })
    symlinkSync(victim, join(out, 'realms', 'root', 'Scripts', 'linked.json'))
    const ran = await run(
      store,
      `export-config --path ${out} --globalEntities ' ' --realmEntities Scripts`
    )
    assert.equal(ran.error, undefined, ran.error?.message)
    assert.equal(readFileSync(victim, 'utf8'), 'untouched')
    assert.match(
      readFileSync(join(out, 'realms', 'root', 'Scripts', 'linked.json'), 'utf8'),
      /"Linked"/
    )
    store.close()
  })

  test('a full disk: the write fails saying so, and leaves no half-written file', () => {
    const { dir } = fresh()
    const fillsUp = ((path: string, text: string) => {
      writeFileSync(path, text.slice(0, 10)) // the disk fills half-way through the file
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    }) as typeof writeFileSync
    const target = join(dir, 'x', 'a.json')
    assert.throws(
      () => new WholeFiles(fillsUp).write(target, '{ "metadata" : { } }'),
      (err: AmshError) =>
        err.code === 'E_IO' && err.message === `cannot write ${target}: the disk is full`
    )
    assert.deepEqual(readdirSync(join(dir, 'x')), [])
  })

  test('a file is written whole or not at all: no half-written file is left under its name', () => {
    const { dir } = fresh()
    // A folder of that name cannot be made where a file is: the write fails, and leaves nothing.
    writeFileSync(join(dir, 'taken'), 'a file')
    assert.throws(
      () => new WholeFiles().write(join(dir, 'taken', 'a.json'), '{}'),
      (err: AmshError) => err.code === 'E_IO' && err.message.includes(join(dir, 'taken', 'a.json'))
    )
    assert.deepEqual(
      readdirSync(dir).filter((f) => !f.startsWith('store.db')),
      ['taken']
    )
  })
})

describe('import-config', () => {
  test('moves a realm between stores; a re-import changes nothing and touches no lastModifiedDate', async () => {
    const from = fresh()
    await from.store.create(realms, realmBody('/alpha'))
    await from.store.create(realms, realmBody('/alpha/deep'))
    const made = await from.store.create(scripts('/alpha/deep'), script('Deep one'))
    const out = join(from.dir, 'x')
    await run(from.store, `export-config --path ${out}`)
    const to = fresh()
    const first = await run(to.store, `import-config --path ${out}`)
    assert.equal(first.error, undefined, first.error?.message)
    assert.match(
      first.notes.at(-1)!,
      /^imported \d+: 3 created, 2 updated, \d+ unchanged, 0 deleted, 0 conflicts, 0 failed; 0 files skipped$/
    )
    const read = await to.store.read(scripts('/alpha/deep'), String(made._id))
    assert.equal(read.name, 'Deep one')
    const second = await run(to.store, `import-config --path ${out}`)
    assert.equal((second.value as JsonObject).create, 0)
    assert.equal((second.value as JsonObject).update, 0)
    assert.deepEqual((second.value as JsonObject).entries, [])
    assert.equal(
      (await to.store.read(scripts('/alpha/deep'), String(made._id))).lastModifiedDate,
      read.lastModifiedDate
    )
    from.store.close()
    to.store.close()
  })

  test('--dry-run prints the plan with counts and changes nothing', async () => {
    const { store, dir } = fresh()
    scriptFile(dir, '/', { _id: 'a1', ...script('One') })
    const plan = await run(store, `import-config --path ${dir} --dry-run`)
    assert.equal((plan.value as JsonObject).create, 1)
    assert.ok(
      plan.notes.some((n) => /^create +Scripts \/ a1 "One"$/.test(n)),
      plan.notes.join('\n')
    )
    assert.match(plan.notes.at(-1)!, /^would import 1: 1 created/)
    await assert.rejects(store.read(scripts('/'), 'a1'), /could not be found/)
    store.close()
  })

  test('a name another id holds: fail names both ids; rename and adopt settle it', async () => {
    const { store, dir } = fresh()
    const existing = await store.create(scripts('/'), script('Shared name', 'var old = 1;'))
    scriptFile(dir, '/', { _id: 'from-dev', ...script('shared NAME', 'var fresh = 1;') })
    const failed = await run(store, `import-config --path ${dir}`)
    assert.equal(failed.error?.code, 'E_CONFLICT')
    assert.match(
      failed.error!.message,
      new RegExp(
        `name "shared NAME" is taken in realm / by ${String(existing._id)} \\(in the target\\), while the file's Scripts is from-dev`
      )
    )
    const renamed = await run(store, `import-config --path ${dir} --on-name-conflict rename`)
    assert.equal(renamed.error, undefined, renamed.error?.message)
    assert.equal((await store.read(scripts('/'), 'from-dev')).name, 'shared NAME (from-dev)')
    await store.delete(scripts('/'), 'from-dev')
    const adopted = await run(store, `import-config --path ${dir} --on-name-conflict adopt`)
    assert.equal(adopted.error, undefined, adopted.error?.message)
    const into = await store.read(scripts('/'), String(existing._id))
    assert.equal(Buffer.from(String(into.script), 'base64').toString(), 'var fresh = 1;')
    const bad = await run(store, `import-config --path ${dir} --on-name-conflict merge`)
    assert.equal(bad.error?.code, 'E_USAGE')
    store.close()
  })

  test('a default script is updated, never created', async () => {
    const { store, dir } = fresh()
    scriptFile(dir, '/', { _id: 'not-shipped', ...script('Made up default'), default: true })
    const ran = await run(store, `import-config --path ${dir}`)
    assert.equal(ran.error?.code, 'E_NOT_FOUND')
    assert.match(
      ran.error!.message,
      /not-shipped is not on the target, and it is a default script: those come with the product, so an import updates them and never creates one/
    )
    store.close()
  })

  test('libraries are imported before the scripts that require() them, whatever the order on disk', async () => {
    const { store, dir } = fresh()
    scriptFile(dir, '/', {
      _id: 'a-user',
      ...script('User', 'var lib = require("Lib B");'),
      context: 'SCRIPTED_DECISION_NODE',
      evaluatorVersion: '2.0',
    })
    scriptFile(dir, '/', {
      _id: 'b-lib',
      ...script('Lib B', 'var c = require("Lib C"); exports.x = 1;'),
      context: 'LIBRARY',
      evaluatorVersion: '2.0',
    })
    scriptFile(dir, '/', {
      _id: 'c-lib',
      ...script('Lib C', 'exports.y = 2;'),
      context: 'LIBRARY',
      evaluatorVersion: '2.0',
    })
    const plan = await run(store, `import-config --path ${dir} --dry-run`)
    const order = plan.notes.filter((n) => n.startsWith('create')).map((n) => /"(.*)"/.exec(n)![1])
    assert.deepEqual(order, ['Lib C', 'Lib B', 'User'])
    store.close()
  })

  test('realms the files name are made on an amsh store, parents first', async () => {
    const { store, dir } = fresh()
    scriptFile(dir, '/a/b', { _id: 's1', ...script('In b') })
    const ran = await run(store, `import-config --path ${dir}`)
    assert.equal(ran.error, undefined, ran.error?.message)
    const entries = (ran.value as JsonObject).entries as JsonObject[]
    assert.deepEqual(
      entries.map((e) => `${String(e.action)} ${String(e.entity)} ${String(e.name)}`),
      ['create Realms a', 'create Realms b', 'create Scripts In b']
    )
    assert.equal((await store.read(scripts('/a/b'), 's1')).name, 'In b')
    store.close()
  })

  test('configuration expressions are resolved; an unresolved one fails its file only, naming the token', async () => {
    const { store, dir } = fresh()
    scriptFile(dir, '/', {
      _id: 'x1',
      ...script('&{script.name|Fallback}'),
      description: '&{desc}',
    })
    scriptFile(dir, '/', { _id: 'x2', ...script('Second'), description: '&{not.set}' })
    const ran = await run(store, `import-config --path ${dir}`, { properties: { desc: 'from -D' } })
    assert.equal(ran.error?.code, 'E_INVALID')
    assert.match(ran.error!.message, /&\{not\.set\} is not set: give it as env NOT_SET/)
    const made = await store.read(scripts('/'), 'x1')
    assert.equal(made.name, 'Fallback')
    assert.equal(made.description, 'from -D')
    store.close()
  })

  test('--clean deletes what the files do not hold, after asking; a batch needs --yes', async () => {
    const { store, dir } = fresh()
    await store.create(scripts('/'), script('Stray'))
    scriptFile(dir, '/', { _id: 'kept', ...script('Kept') })
    const batch = await run(store, `import-config --path ${dir} --clean`)
    assert.equal(batch.error?.code, 'E_USAGE')
    assert.match(
      batch.error!.message,
      /--clean deletes 1 items the files do not hold; in a batch, add --yes/
    )
    const refused = await run(store, `import-config --path ${dir} --clean`, { answer: 'n' })
    assert.equal(refused.error?.code, 'E_INTERRUPTED')
    assert.equal((await store.query(scripts('/'), { filter: 'name eq "Stray"' })).result.length, 1)
    const done = await run(store, `import-config --path ${dir} --clean --yes`)
    assert.equal(done.error, undefined, done.error?.message)
    assert.equal((await store.query(scripts('/'), { filter: 'name eq "Stray"' })).result.length, 0)
    // The default scripts are not the import's to delete.
    assert.equal(
      (await store.query(scripts('/'), { filter: 'default eq true' })).result.length,
      getProfile('am8').defaultScripts.length
    )
    store.close()
  })

  test('an import stopped half-way is completed by running it again', async () => {
    const { store, dir } = fresh()
    for (let i = 0; i < 6; i++) scriptFile(dir, '/', { _id: `s${i}`, ...script(`Script ${i}`) })
    // As if the process had died after the first three writes.
    for (let i = 0; i < 3; i++)
      await store.create(scripts('/'), { ...script(`Script ${i}`) }, `s${i}`)
    const ran = await run(store, `import-config --path ${dir}`)
    assert.deepEqual(
      [(ran.value as JsonObject).create, (ran.value as JsonObject).unchanged],
      [3, 3]
    )
    store.close()
  })
})

describe('import-config: what real exports hold', () => {
  test("forgeops' Amster 6.5.1 / 7.0 files (Jackson style, placeholders in amsterVersion) import as they are", async () => {
    const { store } = fresh()
    const ran = await run(store, 'import-config --path test/fixtures/exports --dry-run')
    assert.equal(ran.error, undefined, ran.error?.message)
    assert.equal((ran.value as JsonObject).failed, 0)
    assert.equal((ran.value as JsonObject).skipped, 0)
    store.close()
  })

  test('evaluatorVersion "V1_0", a null description, plain JSON with a trailing newline, a placeholder realm', async () => {
    const { store, dir } = fresh()
    const body = {
      _id: 'v1',
      ...script('Enum version'),
      evaluatorVersion: 'V1_0',
      description: null,
    }
    mkdirSync(join(dir, 'realms/root-alpha/Platform/Scripts'), { recursive: true })
    writeFileSync(
      join(dir, 'realms/root-alpha/Platform/Scripts/v1.json'),
      `${JSON.stringify({ metadata: { realm: '&{realm.alpha}', amsterVersion: '@project.version@', entityType: 'Scripts', entityId: 'v1', pathParams: {} }, data: body }, null, 2)}\n`
    )
    const ran = await run(store, `import-config --path ${dir} --dry-run`)
    assert.equal(ran.error?.code, 'E_INVALID')
    assert.match(ran.error!.message, /&\{realm\.alpha\} is not set/)
    const resolved = await run(store, `import-config --path ${dir}`, {
      properties: { 'realm.alpha': '/alpha' },
    })
    assert.equal(resolved.error, undefined, resolved.error?.message)
    const entry = ((resolved.value as JsonObject).entries as JsonObject[]).find(
      (e) => e.id === 'v1'
    )!
    assert.deepEqual(entry.notes, [
      'evaluatorVersion V1_0 read as "1.0"',
      'description null read as ""',
    ])
    assert.equal((await store.read(scripts('/alpha'), 'v1')).evaluatorVersion, '1.0')
    store.close()
  })

  test('files that are not configuration: each a precise reason, never a stop', async () => {
    const { store, dir } = fresh()
    writeFileSync(join(dir, 'broken.json'), '{\n  "metadata": {\n    "realm": "/",,\n  }\n}')
    writeFileSync(join(dir, 'plain.json'), '{"name": "not an export"}')
    writeFileSync(
      join(dir, 'unknown.json'),
      JSON.stringify({
        metadata: { realm: '/', entityType: 'OAuth2Clients', entityId: 'c' },
        data: { _id: 'c' },
      })
    )
    writeFileSync(join(dir, 'notes.txt'), 'not read at all')
    const ran = await run(store, `import-config --path ${dir} --dry-run`)
    assert.equal(ran.error?.code, 'E_PARSE')
    assert.match(
      ran.error!.message,
      /the first: failed +broken\.json is not valid JSON at 3:18: a property name in double quotes was expected$/
    )
    assert.ok(
      ran.notes.includes(
        'skipped   plain.json: not an export file: it has no "metadata" (Amster files are {"metadata": ..., "data": ...})'
      ),
      ran.notes.join('\n')
    )
    assert.ok(
      ran.notes.includes('skipped   unknown.json: entity type OAuth2Clients is not one amsh knows'),
      ran.notes.join('\n')
    )
    store.close()
  })

  test('a symbolic link leading out of the import folder is not followed', async () => {
    const { store, dir } = fresh()
    const outside = join(tmp.dir, `outside-${counter}`)
    mkdirSync(outside)
    scriptFile(outside, '/', { _id: 'secret', ...script('Outside') })
    mkdirSync(join(dir, 'tree'))
    symlinkSync(join(outside, 'realms/root/Scripts/secret.json'), join(dir, 'tree', 'link.json'))
    const ran = await run(store, `import-config --path ${join(dir, 'tree')} --dry-run`)
    assert.ok(
      ran.notes.some((n) =>
        /^skipped +link\.json: a symbolic link leading out of .* \(to .*secret\.json\): not read$/.test(
          n
        )
      ),
      ran.notes.join('\n')
    )
    assert.equal((ran.value as JsonObject).create, 0)
    store.close()
  })

  test('a linked folder leading out of the import folder is not read; an absolute source path is refused', async () => {
    const { store, dir } = fresh()
    const outside = join(tmp.dir, `outside-folder-${counter}`)
    mkdirSync(outside)
    scriptFile(outside, '/', { _id: 'secret', ...script('Outside') })
    mkdirSync(join(dir, 'tree'))
    symlinkSync(join(outside, 'realms'), join(dir, 'tree', 'realms'))
    const ran = await run(store, `import-config --path ${join(dir, 'tree')} --dry-run`)
    assert.ok(
      ran.notes.some((n) => /^skipped +realms: a symbolic link leading out of /.test(n)),
      ran.notes.join('\n')
    )
    assert.equal((ran.value as JsonObject).create, 0)
    writeFileSync(join(outside, 'source.js'), 'var secret = 1;')
    scriptFile(
      dir,
      '/',
      {
        _id: 'abs',
        ...script('Absolute'),
        script: { '$base64:encode': { $inline: join(outside, 'source.js') } },
      } as JsonObject,
      'abs.json'
    )
    const absolute = await run(store, `import-config --path ${dir}`)
    assert.equal(absolute.error?.code, 'E_FORBIDDEN')
    assert.match(absolute.error!.message, /abs\.json.*outside the import folder/)
    store.close()
  })

  test('$inline reads below the import folder only', async () => {
    const { store, dir } = fresh()
    writeFileSync(join(dir, 'source.js'), 'var inlined = true;')
    scriptFile(
      dir,
      '/',
      {
        _id: 'in1',
        ...script('Inlined'),
        script: { '$base64:encode': { $inline: 'source.js' } },
      } as JsonObject,
      'in1.json'
    )
    scriptFile(
      dir,
      '/',
      {
        _id: 'in2',
        ...script('Escaping'),
        script: { '$base64:encode': { $inline: '../../etc/passwd' } },
      } as JsonObject,
      'in2.json'
    )
    const ran = await run(store, `import-config --path ${dir}`)
    assert.equal(ran.error?.code, 'E_FORBIDDEN')
    assert.match(ran.error!.message, /in2\.json.*outside/)
    assert.equal(
      Buffer.from(String((await store.read(scripts('/'), 'in1')).script), 'base64').toString(),
      'var inlined = true;'
    )
    assert.equal(existsSync(join(dir, 'in2.json')), true)
    store.close()
  })
})

describe('import-config: the real files of test/fixtures/migrate', () => {
  const FIXTURES = 'test/fixtures/migrate'

  test('Amster 6.0 / 6.5 Scripts and GlobalScripts (dates as strings, _type, description null) import, then stand unchanged', async () => {
    const { store } = fresh()
    const first = await run(store, `import-config --path ${FIXTURES}/amster`)
    // Two of the exports hold the same global script, alike: it is imported once.
    assert.equal(first.error, undefined, first.error?.message)
    const value = first.value as JsonObject
    assert.equal(value.failed, 0)
    assert.equal(value.create, 2, JSON.stringify(value.entries))
    const read = await store.read(scripts('/'), '7b6a6668-3bbb-4b9d-9090-8e1c4625c72f')
    assert.equal(read.name, 'hasDelegatedAdminRole')
    assert.equal(read.description, '')
    const again = await run(store, `import-config --path ${FIXTURES}/amster`)
    assert.equal((again.value as JsonObject).create, 0)
    assert.equal((again.value as JsonObject).update, 0)
    store.close()
  })

  test('AM file-based configuration is skipped with the precise reason', async () => {
    const { store } = fresh()
    const ran = await run(store, `import-config --path ${FIXTURES}/fbc --dry-run`)
    assert.equal(ran.error, undefined, ran.error?.message)
    assert.equal((ran.value as JsonObject).skipped, 2)
    assert.ok(
      ran.notes.some((n) =>
        /^skipped +cdk-7\.0\/.*01e1a3c0.*\.json: AM file-based configuration \(its metadata has sunServiceID\)/.test(
          n
        )
      ),
      ran.notes.join('\n')
    )
    store.close()
  })

  test('frodo exports: sources by file:// reference, realm from the folder; one pointing nowhere fails alone, naming it', async () => {
    const { store } = fresh()
    const ran = await run(store, `import-config --path ${FIXTURES}/frodo --dry-run`)
    const failed = ((ran.error?.details?.result as JsonObject).entries as JsonObject[]).filter(
      (e) => e.action === 'failed'
    )
    assert.deepEqual(
      failed.map((e) => e.file),
      ['built/realm/root-my--realm/script/Missing-Source.script.json']
    )
    assert.match(String(failed[0]!.reason), /Missing-Source\.script\.js.*no such file/)
    const planned = (ran.error?.details?.result as JsonObject).entries as JsonObject[]
    assert.ok(
      planned.some(
        (e) =>
          e.entity === 'Scripts' &&
          e.realm === '/first/second' &&
          e.name === 'Element NameID Mapper'
      ),
      JSON.stringify(planned.map((e) => [e.realm, e.name]))
    )
    store.close()
  })

  test('fr-config-manager trees: the source from scripts-content, the realm from the folder', async () => {
    const { store } = fresh()
    const ran = await run(
      store,
      `import-config --path ${FIXTURES}/fr-config-manager --on-name-conflict rename`
    )
    const entries = (ran.error?.details?.result as JsonObject).entries as JsonObject[]
    const scriptsPlanned = entries.filter((e) => e.entity === 'Scripts')
    assert.deepEqual(
      scriptsPlanned.map((e) => `${String(e.action)} ${String(e.realm)} ${String(e.name)}`).sort(),
      ['create / Debug', 'create /alpha PaseUsername', 'create /bravo Check Age']
    )
    const failed = entries.filter((e) => e.action === 'failed')
    assert.deepEqual(
      failed.map((e) => e.file),
      ['built/realms/bravo/scripts/scripts-config/6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098.json']
    )
    assert.match(
      String(failed[0]!.reason),
      /scripts-content\/SCRIPTED_DECISION_NODE\/Gone\.js: cannot read .*: no such file/
    )
    const alpha = await store.query(scripts('/alpha'), { filter: 'default eq false' })
    const source = Buffer.from(String(alpha.result[0]!.script), 'base64').toString()
    assert.equal(
      source,
      readFileSync(
        `${FIXTURES}/fr-config-manager/realms/alpha/scripts/scripts-content/SCRIPTED_DECISION_NODE/PaseUsername.js`,
        'utf8'
      )
    )
    store.close()
  })
})

describe('export-config and import-config in batch files', () => {
  test('as real Amster batch files write them: paths beside the batch file, --clean false, :exit', () => {
    const { dir } = fresh()
    mkdirSync(join(dir, 'config'))
    scriptFile(join(dir, 'config'), '/alpha', { _id: 'b1', ...script('From the batch') })
    writeFileSync(
      join(dir, 'import.amster'),
      [
        'import-config --path config --clean false --failOnError false',
        "export-config --path out --realms /alpha --globalEntities ' '",
        ':exit',
        '',
      ].join('\n')
    )
    const home = join(dir, 'home')
    const ran = runAmsh(['--store', join(dir, 'batch.db'), join(dir, 'import.amster')], {
      env: { AMSH_HOME: home },
    })
    assert.equal(ran.status, 0, ran.stderr)
    assert.match(ran.stderr, /imported 2: 2 created, 0 updated/)
    assert.match(ran.stderr, /exported 2 items to .*out, 0 failed/)
    assert.ok(existsSync(join(dir, 'out/realms/root-alpha/Scripts/b1.json')))
  })
})

describe('amsh diff', () => {
  test('two exports: exit 0 the same, 1 different with a unified diff of the decoded source, 2 unreadable', async () => {
    const { store, dir } = fresh()
    await store.create(
      scripts('/'),
      script('Greeter', 'var greeting = "hi";\nvar n = 1;\n', { description: 'old' }),
      'g1'
    )
    const a = join(dir, 'a')
    await run(store, `export-config --path ${a}`)
    await store.update(
      scripts('/'),
      'g1',
      script('Greeter', 'var greeting = "hello";\nvar n = 1;\n', { description: 'new' })
    )
    await store.create(scripts('/'), script('Only here'), 'o1')
    const b = join(dir, 'b')
    await run(store, `export-config --path ${b}`)
    store.close()
    assert.equal(runAmsh(['diff', a, a]).status, 0)
    const different = runAmsh(['diff', a, b])
    assert.equal(different.status, 1, different.stderr)
    assert.match(different.stdout, /^changed: Scripts \/ g1 "Greeter" \(description, script\)$/m)
    assert.match(different.stdout, /^-var greeting = "hi";\n\+var greeting = "hello";$/m)
    assert.match(different.stdout, /^- {2}"description": "old"\n\+ {2}"description": "new"$/m)
    assert.match(different.stdout, new RegExp(`^only in ${b}: Scripts / o1 "Only here"$`, 'm'))
    const asJson = runAmsh(['diff', a, b, '-o', 'json'])
    const report = JSON.parse(asJson.stdout) as { counts: JsonObject; entries: JsonObject[] }
    assert.deepEqual(report.counts.changed, 1)
    assert.deepEqual(report.counts.onlyB, 1)
    writeFileSync(join(a, 'broken.json'), '{')
    const broken = runAmsh(['diff', a, b])
    assert.equal(broken.status, 2)
    assert.match(broken.stderr, /broken\.json is not valid JSON at 1:2/)
  })

  test('an export against the local store it came from, and a word that names nothing', async () => {
    const { store, dir } = fresh()
    await store.create(scripts('/'), script('Kept'), 'k1')
    const out = join(dir, 'out')
    await run(store, `export-config --path ${out} --realmEntities Scripts --globalEntities ' '`)
    store.close()
    const same = runAmsh(['diff', out, `local:${join(dir, 'store.db')}`])
    assert.equal(same.status, 0, same.stdout + same.stderr)
    assert.match(same.stderr, /^1 same, 0 changed, 0 only in/m)
    const nothing = runAmsh(['diff', out, 'no-such-profile'], { env: { XDG_CONFIG_HOME: dir } })
    assert.equal(nothing.status, 2)
    assert.match(
      nothing.stderr,
      /"no-such-profile" is not a folder, not local or local:<file>, and not a saved connection that opens/
    )
  })
})

describe('an import killed half-way', () => {
  test('running it again completes it, and undo (twice) puts the store back as it started', async () => {
    const { dir } = fresh()
    const tree = join(dir, 'tree')
    for (let i = 0; i < 3000; i++) scriptFile(tree, '/', { _id: `k${i}`, ...script(`Killed ${i}`) })
    const home = join(dir, 'home')
    mkdirSync(home)
    const storeFile = join(dir, 'killed.db')
    const env = { ...process.env, AMSH_HOME: home }
    const child = spawn(
      process.execPath,
      [BIN, '--store', storeFile, '-c', `import-config --path ${tree}`],
      { env, stdio: 'ignore' }
    )
    // Killed once the journal holds some of the import's changes: the import is under way.
    const journalFile = join(home, 'journal.db')
    const entries = () => {
      if (!existsSync(journalFile)) return 0
      let db: Database.Database | undefined
      try {
        db = new Database(journalFile, { readonly: true, fileMustExist: true })
        return (db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n
      } catch {
        return 0 // still being made
      } finally {
        db?.close()
      }
    }
    while (entries() < 10 && child.exitCode == null) await new Promise((r) => setTimeout(r, 5))
    child.kill('SIGKILL')
    await new Promise((done) => child.on('exit', done))
    const amsh = (line: string) =>
      runAmsh(['--store', storeFile, '-q', '-c', line], { env: { AMSH_HOME: home } })
    const made = () =>
      (
        JSON.parse(
          amsh("query Scripts --realm / --filter 'default eq false' --fields _id").stdout
        ) as unknown[]
      ).length
    const before = made()
    assert.ok(before > 0 && before < 3000, `the kill came half-way (${before} made)`)
    const again = amsh(`import-config --path ${tree}`)
    assert.equal(again.status, 0, again.stderr)
    assert.match(
      again.stderr,
      new RegExp(`imported 3000: ${3000 - before} created, 0 updated, ${before} unchanged`)
    )
    assert.equal(made(), 3000)
    assert.equal(amsh('undo --last').status, 0)
    assert.equal(made(), before)
    const back = amsh('undo --last')
    assert.equal(back.status, 0, back.stderr)
    assert.equal(made(), 0)
  })
})
