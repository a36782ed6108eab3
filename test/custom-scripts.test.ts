import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { getEntity } from '../src/catalog/catalog.ts'
import type { AmshError } from '../src/errors.ts'
import type { JsonObject } from '../src/json.ts'
import { LocalStore } from '../src/transport/local/store.ts'
import type { Target } from '../src/transport/types.ts'
import { getProfile } from '../src/catalog/profiles.ts'
import { findVerb, parseCommand } from '../src/verbs/index.ts'
import type { VerbContext } from '../src/verbs/types.ts'
import { runAmsh, SERVE_PASSWORD, startServe, tempDir } from './helpers.ts'

// Janssen custom scripts on the local store: inums as Janssen makes them, revisions, the
// template for a script sent without source, Janssen's enums in either case, the deprecated
// ldap location refused, and AM's scripts beside them untouched.

const target: Target = { entity: getEntity('CustomScripts'), scope: { kind: 'global' } }
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

function body(extra: JsonObject = {}): JsonObject {
  return {
    name: 'basic_auth',
    scriptType: 'person_authentication',
    programmingLanguage: 'python',
    script: 'x = 1\n',
    ...extra,
  }
}

describe('CustomScripts on the local store', () => {
  let store: LocalStore
  before(() => {
    store = new LocalStore({ path: ':memory:', product: 'am8' })
  })
  after(() => store.close())

  test('a create is given a UUID inum, its dn, revision 1, enabled false and locationType db', async () => {
    const made = await store.create(target, body())
    assert.match(String(made.inum), UUID)
    assert.equal(made.dn, `inum=${String(made.inum)},ou=scripts,o=jans`)
    assert.equal(made.revision, 1)
    assert.equal(made.enabled, false)
    assert.equal(made.locationType, 'db')
    assert.equal(made.script, 'x = 1\n')
    assert.equal('_rev' in made, false, 'Janssen has no _rev')
    const read = await store.read(target, String(made.inum))
    assert.deepEqual(read, made)
    await store.delete(target, String(made.inum))
  })

  test('each update raises the revision by one; the inum a client sends is kept', async () => {
    const made = await store.create(target, body({ name: 'kept_inum' }), 'A51E-76DA')
    assert.equal(made.inum, 'A51E-76DA')
    const once = await store.update(target, 'A51E-76DA', body({ name: 'kept_inum', level: 10 }))
    const twice = await store.update(target, 'A51E-76DA', { ...once, enabled: true })
    assert.deepEqual([once.revision, twice.revision, twice.enabled], [2, 3, true])
  })

  test('a script sent without source gets a template for its type', async () => {
    const auth = await store.create(target, body({ name: 'templ_auth', script: null }))
    assert.match(String(auth.script), /class PersonAuthentication\(PersonAuthenticationType\)/)
    const { script: _none, ...sourceless } = body({ name: 'templ_consent' })
    const other = await store.create(target, { ...sourceless, scriptType: 'consent_gathering' })
    assert.match(String(other.script), /^class SampleScript:/)
  })

  test("Janssen's Java names are read as its wire values", async () => {
    const made = await store.create(
      target,
      body({ name: 'names_upper', scriptType: 'CONFIG_API', programmingLanguage: 'JAVA' })
    )
    assert.deepEqual([made.scriptType, made.programmingLanguage], ['config_api_auth', 'java'])
  })

  test('names are unique, case-insensitively; bad names and ldap locations are refused', async () => {
    await store.create(target, body({ name: 'unique_one' }))
    await assert.rejects(
      store.create(target, body({ name: 'UNIQUE_ONE' })),
      (err: AmshError) =>
        err.code === 'E_CONFLICT' && /name UNIQUE_ONE already exists/.test(err.message)
    )
    await assert.rejects(store.create(target, body({ name: 'a b' })), /Invalid script name 'a b'/)
    await assert.rejects(
      store.create(target, body({ name: 'ldap_one', locationType: 'ldap' })),
      /'ldap' which is deprecated\. Use 'db' instead\./
    )
  })

  test('--type and --pattern narrow a query as Janssen does (type, and name or description)', async () => {
    await store.create(target, body({ name: 'narrow_a', description: 'Sends an OTP' }))
    await store.create(target, body({ name: 'narrow_b', scriptType: 'scim' }))
    const names = async (narrow: Record<string, string>) =>
      (await store.query(target, { filter: 'name sw "narrow_"', narrow })).result.map(
        (item) => item.name
      )
    assert.deepEqual(await names({ type: 'scim' }), ['narrow_b'])
    assert.deepEqual(await names({ pattern: 'OTP' }), ['narrow_a'])
    assert.deepEqual(await names({ pattern: 'narrow_b' }), ['narrow_b'])
  })

  test("AM's scripts are not among them, nor they among AM's", async () => {
    const am = await store.query(
      { entity: getEntity('Scripts'), scope: { kind: 'realm', realm: '/' } },
      { filter: 'name eq "basic_auth"' }
    )
    assert.equal(am.result.length, 0)
  })
})

describe('addressed by name, deleted when confirmed', () => {
  let store: LocalStore
  before(() => {
    store = new LocalStore({ path: ':memory:', product: 'am8' })
  })
  after(() => store.close())

  /** A command line run in process, with `answer` typed at a confirmation (none: a batch). */
  async function run(line: string, answer?: string) {
    const invocation = parseCommand(line)
    const ctx: VerbContext = {
      transport: store,
      profile: getProfile('am8'),
      baseDir: process.cwd(),
      connect: () => Promise.reject(new Error('no connect here')),
      notify: () => undefined,
      ask: answer === undefined ? undefined : () => Promise.resolve(answer),
      expressions: { variable: () => undefined, properties: new Map(), files: new Map() },
    }
    return findVerb(invocation.verb)!.run(invocation, ctx)
  }

  test('--name finds the item whatever the case; an unknown name says where it looked', async () => {
    const made = await store.create(target, body({ name: 'Named_One' }))
    const read = (await run('read CustomScripts --name named_one')) as JsonObject
    assert.equal(read.inum, made.inum)
    await assert.rejects(
      run('read CustomScripts --name nosuch'),
      /E_NOT_FOUND|no CustomScripts item is named "nosuch" globally/
    )
    await assert.rejects(
      run(`read CustomScripts --name x --id ${String(made.inum)}`),
      /give --id or --name, not both/
    )
    const am = (await run(
      "read Scripts --realm / --name 'AUTHENTICATION TREE DECISION NODE SCRIPT'"
    )) as JsonObject
    assert.equal(am.name, 'Authentication Tree Decision Node Script')
  })

  test('update --set changes one field by its schema type and keeps the rest; --scriptFile only the source', async () => {
    const made = await store.create(target, body({ name: 'set_me', description: 'kept' }))
    const set = (await run(
      'update CustomScripts --name set_me --set enabled=true --set level=10 --set locationPath=007'
    )) as JsonObject
    assert.deepEqual(
      [set.enabled, set.level, set.locationPath, set.description, set.revision],
      [true, 10, '007', 'kept', 2]
    )
    await assert.rejects(
      run('update CustomScripts --name set_me --set nosuch=1'),
      /CustomScripts has no field nosuch; its fields: dn, inum, name/
    )
    await assert.rejects(
      run('update CustomScripts --name set_me --set level=high'),
      /--set level=high: \/level must be of type integer, and "high" is not one/
    )
    await assert.rejects(
      run(`update CustomScripts --name set_me --set enabled=true --body '{}'`),
      /give --body \(the whole item\) or --set \(one field\), not both/
    )
    const { dir, remove } = tempDir()
    try {
      writeFileSync(join(dir, 'new.py'), 'y = 2\n')
      const sourced = (await run(
        `update CustomScripts --id ${String(made.inum)} --scriptFile ${join(dir, 'new.py')}`
      )) as JsonObject
      assert.deepEqual([sourced.script, sourced.level], ['y = 2\n', 10])
    } finally {
      remove()
    }
  })

  test('a delete asks first: "n" keeps the script, "y" deletes it, a batch needs --yes', async () => {
    const made = await store.create(target, body({ name: 'doomed' }))
    const inum = String(made.inum)
    await assert.rejects(run('delete CustomScripts --name doomed', 'n'), (err: AmshError) => {
      assert.equal(err.code, 'E_INTERRUPTED')
      assert.match(
        err.message,
        /not confirmed \(this deletes CustomScripts .*\); nothing was changed/
      )
      return true
    })
    assert.equal((await store.read(target, inum)).name, 'doomed')
    await assert.rejects(
      run('delete CustomScripts --name doomed'),
      /in a batch, add --yes to confirm/
    )
    await run('delete CustomScripts --name doomed', 'y')
    await assert.rejects(store.read(target, inum), /not found/)
    const again = await store.create(target, body({ name: 'doomed' }))
    await run(`delete CustomScripts --id ${String(again.inum)} --yes`)
  })
})

describe('CustomScripts from the command line', () => {
  const { dir, remove } = tempDir()
  after(remove)
  const amsh = (...lines: string[]) =>
    runAmsh(['--store', join(dir, 'store.db'), ...lines.flatMap((line) => ['-c', line])], {
      env: { AMSH_HOME: dir },
    })

  test('create takes --scriptFile (the language from its extension) and needs no --global', () => {
    writeFileSync(join(dir, 'otp.py'), 'print "Jython 2.7"\n')
    const run = amsh(
      `create CustomScripts --body '{"name":"otp","scriptType":"PERSON_AUTHENTICATION"}' --scriptFile ${join(dir, 'otp.py')}`
    )
    assert.equal(run.status, 0, run.stderr)
    const made = JSON.parse(run.stdout) as JsonObject
    assert.deepEqual([made.programmingLanguage, made.script], ['python', 'print "Jython 2.7"\n'])
    const listed = amsh('query CustomScripts --type PERSON_AUTHENTICATION --fields name')
    assert.deepEqual(
      (JSON.parse(listed.stdout) as JsonObject[]).map((item) => item.name),
      ['otp']
    )
  })

  test('a Python source that does not parse is refused with file:line:column', () => {
    writeFileSync(join(dir, 'broken.py'), 'def ok():\n    return 1\n\ndef broken(:\n    pass\n')
    const create = (extra: string) =>
      amsh(
        `create CustomScripts --body '{"name":"broken","scriptType":"scim"}' --scriptFile ${join(dir, 'broken.py')}${extra}`
      )
    const refused = create('')
    assert.notEqual(refused.status, 0)
    assert.match(
      refused.stderr,
      /E_SYNTAX: PYTHON source does not parse at .*broken\.py:4:\d+: .*--skipSourceCheck/
    )
    assert.equal(create(' --skipSourceCheck').status, 0)
  })

  test('an unknown scriptType lists the allowed ones; ldap is refused before anything is sent', () => {
    const run = amsh(
      `create CustomScripts --body '{"name":"x1","scriptType":"nope","programmingLanguage":"python","locationType":"ldap"}'`
    )
    assert.notEqual(run.status, 0)
    assert.match(
      run.stderr,
      /\/scriptType must be one of "person_authentication", .*"lock_extension"/
    )
    assert.match(run.stderr, /\/locationType is ldap, which Janssen no longer takes: use db/)
  })
})

describe('-o table', () => {
  test('lists CustomScripts as the Janssen CLI does: numbered rows under its four columns', async () => {
    const { renderTable } = await import('../src/output/table.ts')
    const grid = renderTable(
      [
        { scriptType: 'person_authentication', name: 'basic', enabled: false, inum: 'A51E-76DA' },
        { scriptType: 'scim', name: 'scim_event_handler', enabled: true, inum: 'C1BA-C1BA' },
      ],
      getEntity('CustomScripts').table!.columns
    )
    assert.equal(
      grid,
      [
        '+---+-----------------------+--------------------+---------+-----------+',
        '|   | scriptType            | name               | enabled | inum      |',
        '+===+=======================+====================+=========+===========+',
        '| 1 | person_authentication | basic              | false   | A51E-76DA |',
        '+---+-----------------------+--------------------+---------+-----------+',
        '| 2 | scim                  | scim_event_handler | true    | C1BA-C1BA |',
        '+---+-----------------------+--------------------+---------+-----------+',
      ].join('\n')
    )
    assert.match(renderTable([{ name: 'a\u001b[31mred' }]), /a\ufffd\[31mred/)
  })
})

describe('the Janssen CLI menu, through the Janssen transport to serve --flavour jans', () => {
  test('create, list as a table, read by name, --set as a JSON Patch, delete --yes', async () => {
    const served = await startServe(['--flavour', 'jans'])
    const { dir, remove } = tempDir()
    try {
      writeFileSync(join(dir, 'otp.py'), 'print "otp"\n')
      const connect = `connect jans ${served.base} --client-id amsh-client --client-secret-env JANS_SECRET`
      const amsh = (...lines: string[]) =>
        runAmsh(['-q', ...[connect, ...lines].flatMap((line) => ['-c', line])], {
          env: { AMSH_HOME: dir, JANS_SECRET: SERVE_PASSWORD },
        })
      // connect answers true before the command's own answer.
      const answer = (run: { stdout: string }) =>
        JSON.parse(run.stdout.replace(/^true\n/, '')) as JsonObject
      const made = amsh(
        `create CustomScripts --body '{"name":"otp","scriptType":"PERSON_AUTHENTICATION"}' --scriptFile ${join(dir, 'otp.py')}`
      )
      assert.equal(made.status, 0, made.stderr)
      const listed = amsh('query CustomScripts --type person_authentication')
      assert.equal(listed.status, 0, listed.stderr)
      const table = runAmsh(['-q', '-o', 'table', '-c', connect, '-c', 'query CustomScripts'], {
        env: { AMSH_HOME: dir, JANS_SECRET: SERVE_PASSWORD },
      })
      assert.match(
        table.stdout,
        /\| 1 \| person_authentication \| otp {2}\| false {3}\| [0-9a-f-]{36} \|/
      )
      const set = amsh('update CustomScripts --name otp --set enabled=true --set level=10')
      assert.equal(set.status, 0, set.stderr)
      const patched = answer(set)
      assert.deepEqual([patched.enabled, patched.level, patched.revision], [true, 10, 2])
      // The server's log is read while this process waits, not during spawnSync.
      for (let i = 0; i < 50 && !/PATCH /.test(served.log()); i++) {
        await new Promise((r) => setTimeout(r, 20))
      }
      assert.match(
        served.log(),
        /PATCH \/jans-config-api\/api\/v1\/config\/scripts\/[0-9a-f-]{36} 200/
      )
      assert.equal(amsh('delete CustomScripts --name otp --yes').status, 0)
      assert.deepEqual(answer(amsh('query CustomScripts')), [])
    } finally {
      remove()
      served.stop()
    }
  })
})

test(':help CustomScripts names its API and no resource version', () => {
  const { dir, remove } = tempDir()
  after(remove)
  const help = runAmsh(['--store', join(dir, 'store.db'), '-c', ':help CustomScripts'], {
    env: { AMSH_HOME: dir },
  })
  assert.match(help.stdout, /Resource path \(jans API\): \/config\/scripts \(global\)\n?$/)
  assert.doesNotMatch(help.stdout, /undefined/)
})
