import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { getEntity } from '../src/catalog/catalog.ts'
import { AmshError } from '../src/errors.ts'
import type { JsonObject } from '../src/json.ts'
import { PasswordLogin } from '../src/transport/am/auth.ts'
import { AmTransport } from '../src/transport/am/transport.ts'
import { LocalStore } from '../src/transport/local/store.ts'
import type { QueryParams, Target, Transport } from '../src/transport/types.ts'
import { b64, loginTo, realmBody, SERVE_PASSWORD, serveInProcess } from './helpers.ts'

// AM's /json{realm}/libraries (commands/Libraries.json, src/kinds/am-library/): the LIBRARY
// scripts a realm sees, with their exports, as frodo asks for them when it exports scripts. On
// the local store, through `amsh serve` over HTTP, and through the AM transport to serve.

const inRealm = (name: string, realm: string): Target => ({
  entity: getEntity(name),
  scope: { kind: 'realm', realm },
})
const libraries = (realm: string) => inRealm('Libraries', realm)

/** The library of frodo's recording. */
const ROOT_LIB = [
  'function add(i) {',
  '  return i + 1;',
  '}',
  'exports.add = add;',
  "exports.MSG = 'Hello';",
].join('\n')
const ROOT_EXPORTS: JsonObject[] = [
  { id: 'add', type: 'Function', arity: 1 },
  { id: 'MSG', type: 'String' },
]

function script(name: string, source: string, context = 'LIBRARY'): JsonObject {
  return { name, description: '', script: b64(source), language: 'JAVASCRIPT', context }
}

/** Realm /alpha, and scripts in it, in / and in the global scope; the ids by name. */
async function populate(t: Transport): Promise<Record<string, string>> {
  await t.create({ entity: getEntity('Realms'), scope: { kind: 'global' } }, realmBody('/alpha'))
  const root = inRealm('Scripts', '/')
  const made = [
    await t.create(root, script('Root lib', ROOT_LIB)),
    await t.create(root, script('Broken lib', 'exports.a = ')),
    await t.create(root, script('Not a library', 'exports.nope = 1;', 'OIDC_CLAIMS')),
    await t.create(inRealm('Scripts', '/alpha'), script('Alpha lib', 'exports.list = [];')),
    (await t.action(
      root,
      'createGlobal',
      script('Shared lib', 'module.exports = { greet: (name) => name, VERSION: 2 };'),
      {}
    )) as JsonObject,
  ]
  return Object.fromEntries(made.map((s) => [String(s.name), String(s._id)]))
}

const names = (items: JsonObject[]) => items.map((item) => String(item.name)).sort()

function envelope(result: JsonObject[], remaining = 0): JsonObject {
  return {
    result,
    resultCount: result.length,
    pagedResultsCookie: null,
    totalPagedResultsPolicy: 'NONE',
    totalPagedResults: -1,
    remainingPagedResults: remaining,
  }
}

function realmNotFound(err: unknown): boolean {
  return err instanceof AmshError && err.code === 'E_NOT_FOUND' && err.message === 'Realm not found'
}

describe('Libraries on the local store', () => {
  const store = new LocalStore({ path: ':memory:', product: 'am8' })
  let ids: Record<string, string>
  before(async () => {
    ids = await populate(store)
  })
  after(() => store.close())

  test('query Libraries --realm /: the envelope, an item with its exports and nothing else', async () => {
    const answer = await store.query(libraries('/'), { filter: 'name eq "Root lib"' })
    assert.deepEqual(
      answer,
      envelope([{ _id: ids['Root lib']!, name: 'Root lib', exports: ROOT_EXPORTS }])
    )
  })

  test("only LIBRARY scripts: the realm's own and the global ones", async () => {
    const all = (await store.query(libraries('/'), { filter: 'true' })).result
    // "Library Script" is AM's default global library (its source is not bundled: no exports).
    assert.deepEqual(names(all), ['Broken lib', 'Library Script', 'Root lib', 'Shared lib'])
    for (const item of all) assert.deepEqual(Object.keys(item), ['_id', 'name', 'exports'])
    const byName = Object.fromEntries(all.map((item) => [item.name, item.exports]))
    assert.deepEqual(byName['Shared lib'], [
      { id: 'greet', type: 'Function', arity: 1 },
      { id: 'VERSION', type: 'Number' },
    ])
    assert.deepEqual(byName['Broken lib'], [], 'a source that does not parse exports nothing')
    assert.deepEqual(byName['Library Script'], [])
  })

  test('a sub-realm sees its own libraries and the global ones, not its parent', async () => {
    const all = (await store.query(libraries('/alpha'), { filter: 'true' })).result
    assert.deepEqual(names(all), ['Alpha lib', 'Library Script', 'Shared lib'])
    const alpha = all.find((item) => item.name === 'Alpha lib')!
    assert.deepEqual(alpha, {
      _id: ids['Alpha lib']!,
      name: 'Alpha lib',
      exports: [{ id: 'list', type: 'Array' }],
    })
  })

  test('filters, fields and pages as any CREST query', async () => {
    const target = libraries('/')
    const filtered = await store.query(target, { filter: 'name sw "Shared" or name eq "Nope"' })
    assert.deepEqual(names(filtered.result), ['Shared lib'])
    // A filter beyond the id and the name reads every source first.
    const withExports = await store.query(target, { filter: 'name eq "Root lib" and exports pr' })
    assert.deepEqual(withExports.result[0]!.exports, ROOT_EXPORTS)
    const fields = await store.query(target, { filter: 'name eq "Root lib"', fields: ['name'] })
    assert.deepEqual(fields.result, [{ _id: ids['Root lib']!, name: 'Root lib' }])
    const page = await store.query(target, { filter: 'true', pageSize: 1, pagedResultsOffset: 1 })
    assert.equal(page.resultCount, 1)
    assert.equal(page.remainingPagedResults, 2)
    const byId = await store.query(target, { filter: `_id eq "${ids['Root lib']!}"` })
    assert.deepEqual(names(byId.result), ['Root lib'])
  })

  test('a realm that does not exist is Realm not found', async () => {
    await assert.rejects(store.query(libraries('/ghost'), { filter: 'true' }), realmNotFound)
  })

  test('libraries are read-only and realm-scoped: they are made and changed as Scripts', async () => {
    const unsupported = (err: unknown) => err instanceof AmshError && err.code === 'E_UNSUPPORTED'
    await assert.rejects(store.read(libraries('/'), ids['Root lib']!), unsupported)
    await assert.rejects(store.create(libraries('/'), { name: 'x' }), unsupported)
    await assert.rejects(store.delete(libraries('/'), ids['Root lib']!), unsupported)
    const global: Target = { entity: getEntity('Libraries'), scope: { kind: 'global' } }
    await assert.rejects(store.query(global, { filter: 'true' }), unsupported)
  })

  test('a changed library lists its new exports', async () => {
    const target = inRealm('Scripts', '/')
    const id = ids['Broken lib']!
    await store.update(target, id, script('Broken lib', 'exports.fixed = function (a, b) {};'))
    const answer = await store.query(libraries('/'), { filter: 'name eq "Broken lib"' })
    assert.deepEqual(answer.result[0]!.exports, [{ id: 'fixed', type: 'Function', arity: 2 }])
    await store.update(target, id, script('Broken lib', 'exports.a = '))
  })
})

describe('Libraries through amsh serve', () => {
  const store = new LocalStore({ path: ':memory:', product: 'am8' })
  let served: Awaited<ReturnType<typeof serveInProcess>>
  let ids: Record<string, string>
  let token: string
  before(async () => {
    ids = await populate(store)
    served = await serveInProcess(store)
    token = await loginTo(served.url)
  })
  after(async () => {
    await served.close()
    store.close()
  })

  /** GET as frodo sends it. */
  const get = (path: string) =>
    fetch(`${served.url}/json${path}`, {
      headers: { 'accept-api-version': 'protocol=2.0,resource=1.0', iplanetdirectorypro: token },
    })

  test("frodo's request: the query by name, its envelope and its version header", async () => {
    const answer = await get(`/realms/root/libraries?_queryFilter=name+eq+%22Root%20lib%22`)
    assert.equal(answer.status, 200)
    assert.equal(
      answer.headers.get('content-api-version'),
      'protocol=2.0,resource=1.0, resource=1.0'
    )
    assert.deepEqual(
      await answer.json(),
      envelope([{ _id: ids['Root lib']!, name: 'Root lib', exports: ROOT_EXPORTS }])
    )
  })

  test('a sub-realm sees the global libraries; the top-level realm answers at /json too', async () => {
    const alpha = await get('/realms/root/realms/alpha/libraries?_queryFilter=true')
    assert.equal(alpha.status, 200)
    const body = (await alpha.json()) as { result: JsonObject[] }
    assert.deepEqual(names(body.result), ['Alpha lib', 'Library Script', 'Shared lib'])
    const top = await get('/libraries?_queryFilter=name+eq+%22Root%20lib%22')
    assert.equal(((await top.json()) as { resultCount: number }).resultCount, 1)
  })

  test('a realm that does not exist is 404 Realm not found', async () => {
    const answer = await get('/realms/root/realms/ghost/libraries?_queryFilter=true')
    assert.equal(answer.status, 404)
    assert.equal(((await answer.json()) as JsonObject).message, 'Realm not found')
  })

  test('a library is not read by id, and the collection takes no create', async () => {
    const read = await get(`/realms/root/libraries/${ids['Root lib']!}`)
    assert.equal(read.status, 501)
    const created = await fetch(`${served.url}/json/realms/root/libraries?_action=create`, {
      method: 'POST',
      headers: {
        'accept-api-version': 'protocol=2.0,resource=1.0',
        'content-type': 'application/json',
        iplanetdirectorypro: token,
      },
      body: '{"name":"x"}',
    })
    assert.equal(created.status, 501)
  })

  test('the AM transport to serve answers as the local store does', async () => {
    const rest = new AmTransport({
      baseUrl: served.url,
      credentials: new PasswordLogin('amadmin', SERVE_PASSWORD),
    })
    try {
      const asked: [string, QueryParams][] = [
        ['/', { filter: 'true' }],
        ['/', { filter: 'name eq "Root lib"' }],
        ['/', { filter: 'true', fields: ['name'] }],
        ['/', { filter: 'true', pageSize: 2 }],
        ['/alpha', { filter: 'true' }],
        ['/alpha', { filter: 'name co "lib"' }],
      ]
      for (const [realm, params] of asked) {
        const where = `${realm} ${JSON.stringify(params)}`
        const local = await store.query(libraries(realm), params)
        assert.deepEqual(await rest.query(libraries(realm), params), local, where)
      }
      await assert.rejects(rest.query(libraries('/ghost'), { filter: 'true' }), realmNotFound)
    } finally {
      rest.close()
    }
  })
})
