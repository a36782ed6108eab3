import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { getEntity } from '../src/catalog/catalog.ts'
import { getProfile } from '../src/catalog/profiles.ts'
import { compileLine } from '../src/script/compile.ts'
import { ScriptContext } from '../src/script/context.ts'
import { Completer } from '../src/shell/complete.ts'
import { ForwardingTransport } from '../src/transport/forwarding.ts'
import { LocalStore } from '../src/transport/local/store.ts'
import type { QueryParams, QueryResult, Target, Transport } from '../src/transport/types.ts'
import { realmBody, runAmsh, tempDir } from './helpers.ts'

// Tab at the prompt: what completes comes from the verb registry and the catalog, realms, ids
// and names from the transport (cached, and given up on after 300 ms), JavaScript from the
// session's own context.

/** A transport that counts its queries and, when told, never answers them. */
class Watched extends ForwardingTransport {
  queries = 0
  silent = false
  override query(target: Target, params: QueryParams): Promise<QueryResult> {
    this.queries++
    return this.silent ? new Promise(() => {}) : this.inner.query(target, params)
  }
}

const files = tempDir()
let store: LocalStore
let watched: Watched
let completer: Completer

before(async () => {
  store = new LocalStore({ path: ':memory:', product: 'am8' })
  await store.create(
    { entity: getEntity('Realms'), scope: { kind: 'global' } },
    realmBody('/alpha')
  )
  await store.create(
    { entity: getEntity('Scripts'), scope: { kind: 'realm', realm: '/alpha' } },
    {
      name: 'Check user',
      description: '',
      script: Buffer.from('var a = 1;').toString('base64'),
      language: 'JAVASCRIPT',
      context: 'LIBRARY',
    },
    'check-user'
  )
  watched = new Watched(store)
  completer = new Completer(() => ({
    transport: watched as Transport,
    profile: getProfile('am8'),
    cwd: files.dir,
  }))
  mkdirSync(join(files.dir, 'scripts'))
  writeFileSync(join(files.dir, 'scripts', 'login.js'), '')
  writeFileSync(join(files.dir, 'setup.amster'), '')
  writeFileSync(join(files.dir, 'body.json'), '{}')
})
after(() => {
  store.close()
  files.remove()
})

const complete = (line: string) => completer.complete(line)

describe('commands', () => {
  test('verbs and shell commands; a line that is no command is left to JavaScript', async () => {
    assert.deepEqual(await complete('cre'), [['create'], 'cre'])
    assert.deepEqual(await complete(':he'), [[':help'], ':he'])
    assert.deepEqual(await complete(':set output '), [['json', 'ndjson', 'table', 'yaml'], ''])
    assert.equal(await complete('myVariable.fo'), undefined)
  })

  test("entity types from the catalog, whatever the case typed; each verb's options for it", async () => {
    assert.deepEqual(await complete('query cust'), [['CustomScripts'], 'cust'])
    const [options] = (await complete('create Scripts --realm / --'))!
    assert.ok(options.includes('--scriptFile') && options.includes('--body'))
    assert.ok(!options.includes('--filter'))
    assert.deepEqual(await complete('query CustomScripts --ty'), [['--type'], '--ty'])
    assert.deepEqual(await complete('action Scripts --realm / --actionName '), [
      ['createGlobal', 'validate'],
      '',
    ])
  })

  test('realms, ids and names from the transport, the second Tab from the cache', async () => {
    watched.queries = 0
    assert.deepEqual(await complete('query Scripts --realm /a'), [['/alpha'], '/a'])
    assert.deepEqual(await complete('read Scripts --realm /alpha --id check'), [
      ['check-user'],
      'check',
    ])
    assert.deepEqual(await complete('read Scripts --realm /alpha --name check'), [
      ['"Check user"'],
      'check',
    ])
    const asked = watched.queries
    await complete('read Scripts --realm /alpha --name ch')
    await complete('query Scripts --realm /')
    assert.equal(watched.queries, asked, 'answered from the cache')
  })

  test('--set: the fields of the schema, then the product’s contexts and languages', async () => {
    const [fields] = (await complete('update Scripts --realm / --name x --set con'))!
    assert.deepEqual(fields, ['context='])
    const [contexts] = (await complete('update Scripts --realm / --name x --set context=OIDC'))!
    assert.ok(contexts.includes('context=OIDC_CLAIMS'), contexts.join(' '))
    assert.deepEqual((await complete('update Scripts --realm / --name x --set language='))![0], [
      'language=GROOVY',
      'language=JAVASCRIPT',
    ])
    assert.deepEqual((await complete('update CustomScripts --name x --set enabled='))![0], [
      'enabled=false',
      'enabled=true',
    ])
  })

  test('file paths after --scriptFile, @ of --body, :load and --path', async () => {
    assert.deepEqual(await complete('create Scripts --realm / --scriptFile scr'), [
      ['scripts/'],
      'scr',
    ])
    assert.deepEqual(await complete('create Scripts --realm / --scriptFile scripts/'), [
      ['scripts/login.js'],
      'scripts/',
    ])
    assert.deepEqual(await complete('create Scripts --realm / --body @bo'), [['@body.json'], '@bo'])
    assert.deepEqual(await complete(':load se'), [['setup.amster'], 'se'])
    assert.deepEqual(await complete('import-config --path scripts/l'), [
      ['scripts/login.js'],
      'scripts/l',
    ])
  })

  test('a transport that does not answer: the catalog alone, within about 300 ms', async () => {
    const silent = new Watched(store)
    silent.silent = true
    const offline = new Completer(() => ({
      transport: silent as Transport,
      profile: getProfile('am8'),
      cwd: files.dir,
    }))
    const started = Date.now()
    assert.deepEqual(await offline.complete('query Scripts --realm '), [['/'], ''])
    assert.deepEqual(await offline.complete('read Scripts --realm / --id '), [[], ''])
    assert.ok(Date.now() - started < 1500, `answered in ${Date.now() - started} ms`)
    assert.deepEqual(await offline.complete('query Scr'), [['Scripts'], 'Scr'])
  })
})

test("JavaScript completes from the session's context, and never runs a Proxy's traps into a crash", async () => {
  const context = new ScriptContext({
    run: () => Promise.resolve(undefined),
    isCommand: () => false,
    write: () => {},
    writeError: () => {},
    readFile: () => '',
    writeFile: () => {},
    properties: new Map(),
    env: {},
    isExit: () => false,
  })
  await context.evaluate(compileLine('var settings = { realm: "/", retries: 3 }'), 'x', 1)
  assert.deepEqual(context.complete('settings.re'), [['realm', 'retries'], 're'])
  assert.ok(context.complete('Math.ma')[0].includes('max'))
  await context.evaluate(
    compileLine(
      'var trap = new Proxy({}, { ownKeys() { throw new Error("no") }, get() { throw new Error("no") } })'
    ),
    'x',
    2
  )
  assert.deepEqual(context.complete('trap.a'), [[], 'a'])
  assert.deepEqual(context.complete('trap.inner.a'), [[], 'a'])
})

test('amsh completion bash completes the outer command line', () => {
  const script = runAmsh(['completion', 'bash'])
  assert.equal(script.status, 0)
  const bash = (words: string[]) =>
    spawnSync(
      'bash',
      [
        '-c',
        `${script.stdout}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _amsh; echo "\${COMPREPLY[@]}"`,
      ],
      { encoding: 'utf8' }
    ).stdout.trim()
  assert.equal(bash(['amsh', '--ou']), '--output')
  assert.equal(bash(['amsh', '-o', '']), 'json yaml ndjson table')
  assert.equal(bash(['amsh', 'se']), 'serve')
  assert.match(runAmsh(['completion', 'zsh']).stdout, /^#compdef amsh\n[\s\S]*bashcompinit/)
  const wrong = runAmsh(['completion', 'fish'])
  assert.equal(wrong.status, 2)
  assert.match(wrong.stderr, /say which shell: amsh completion bash, or amsh completion zsh/)
})
