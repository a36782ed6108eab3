import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { getEntity } from '../src/catalog/catalog.ts'
import { AmshError } from '../src/errors.ts'
import type { JsonObject } from '../src/json.ts'
import { PasswordLogin } from '../src/transport/am/auth.ts'
import { AmTransport } from '../src/transport/am/transport.ts'
import { GuardedTransport } from '../src/transport/guard.ts'
import { LocalStore } from '../src/transport/local/store.ts'
import { PlanTransport } from '../src/transport/plan.ts'
import type { Target, Transport } from '../src/transport/types.ts'
import { b64, loginTo, realmBody, SERVE_PASSWORD, serveInProcess } from './helpers.ts'

// The Amster entities real batch files use besides Scripts, added as catalog data only
// (commands/*.json, schemas/): each works on the local store, through the AM transport to
// `amsh serve`, and on the wire of serve itself. Bodies are real exports (test/fixtures/exports).

function exported(path: string): JsonObject {
  const file = JSON.parse(readFileSync(`test/fixtures/exports/${path}`, 'utf8')) as {
    data: JsonObject
  }
  return file.data
}

const global = (name: string): Target => ({ entity: getEntity(name), scope: { kind: 'global' } })
const inRealm = (name: string, realm: string): Target => ({
  entity: getEntity(name),
  scope: { kind: 'realm', realm },
})

/** The body as sent, as it reads back: the server's fields aside. */
function withoutServerFields(doc: JsonObject): JsonObject {
  const { _rev, _type, _id, ...rest } = doc
  return rest
}

const SINGLETONS: [Target, string][] = [
  [inRealm('Authentication', '/'), 'realms/root/Authentication.json'],
  [global('Authentication'), 'global/Authentication.json'],
  [global('DefaultGeneralProperties'), 'global/DefaultGeneralProperties.json'],
  [global('DefaultSecurityProperties'), 'global/DefaultSecurityProperties.json'],
  [global('DefaultAdvancedProperties'), 'global/DefaultAdvancedProperties.json'],
]

async function withTransports(
  work: (transport: Transport, where: string) => Promise<void>
): Promise<void> {
  const local = new LocalStore({ path: ':memory:', product: 'am8' })
  try {
    await work(local, 'local store')
  } finally {
    local.close()
  }
  const store = new LocalStore({ path: ':memory:', product: 'am8' })
  const served = await serveInProcess(store)
  const rest = new AmTransport({
    baseUrl: served.url,
    credentials: new PasswordLogin('amadmin', SERVE_PASSWORD),
  })
  try {
    await work(rest, 'AM transport → serve')
  } finally {
    rest.close()
    await served.close()
    store.close()
  }
}

describe('singletons: a realm service and the server defaults, read and updated without an id', () => {
  for (const [target, fixture] of SINGLETONS) {
    const scope = target.scope.kind === 'global' ? '--global' : '--realm /'
    test(`${target.entity.name} ${scope}`, async () => {
      await withTransports(async (t, where) => {
        const data = exported(fixture)
        const before = await t.read(target, '')
        assert.equal(before._id, data._id, where)
        const updated = await t.update(target, '', data)
        assert.equal(typeof updated._rev, 'string', where)
        const after = await t.read(target, '')
        assert.deepEqual(withoutServerFields(after), withoutServerFields(data), where)
        assert.equal(after._id, data._id, where)
        if (target.entity.type) assert.deepEqual(after._type, target.entity.type, where)
        // CREST's optimistic concurrency: a stale revision is refused, the current one taken.
        await assert.rejects(
          t.update(target, '', data, { rev: 'stale' }),
          (err: unknown) => err instanceof AmshError && err.code === 'E_STALE',
          where
        )
        await t.update(target, '', data, { rev: String(after._rev) })
      })
    })
  }

  test('a realm service in a realm that does not exist is AM 404 Realm not found', async () => {
    await withTransports(async (t, where) => {
      await assert.rejects(
        t.read(inRealm('Authentication', '/ghost'), ''),
        (err: unknown) =>
          err instanceof AmshError &&
          err.code === 'E_NOT_FOUND' &&
          err.message === 'Realm not found',
        where
      )
    })
  })
})

describe('Realms on the wire of serve', () => {
  test('create by POST ?_action=create, read with its ETag, stale If-Match 412, delete', async () => {
    const store = new LocalStore({ path: ':memory:', product: 'am8' })
    const served = await serveInProcess(store)
    try {
      const token = await loginTo(served.url)
      const headers = {
        'content-type': 'application/json',
        'accept-api-version': 'protocol=2.0,resource=1.0',
        iplanetdirectorypro: token,
      }
      const realms = `${served.url}/json/global-config/realms`
      const created = await fetch(`${realms}?_action=create`, {
        method: 'POST',
        headers,
        body: JSON.stringify(realmBody('/alpha')),
      })
      assert.equal(created.status, 201)
      assert.match(
        created.headers.get('location') ?? '',
        /\/json\/global-config\/realms\/L2FscGhh$/
      )
      const read = await fetch(`${realms}/L2FscGhh`, { headers })
      const etag = read.headers.get('etag')
      assert.equal(read.status, 200)
      assert.equal(etag, `"${String(((await read.json()) as JsonObject)._rev)}"`)
      const stale = await fetch(`${realms}/L2FscGhh`, {
        method: 'PUT',
        headers: { ...headers, 'if-match': '"0"' },
        body: JSON.stringify({ ...realmBody('/alpha'), active: false }),
      })
      assert.equal(stale.status, 412)
      const fresh = await fetch(`${realms}/L2FscGhh`, {
        method: 'PUT',
        headers: { ...headers, 'if-match': etag! },
        body: JSON.stringify({ ...realmBody('/alpha'), active: false }),
      })
      assert.equal(fresh.status, 200)
      const script = await fetch(
        `${served.url}/json/realms/root/realms/alpha/scripts?_action=create`,
        {
          method: 'POST',
          headers: { ...headers, 'accept-api-version': 'protocol=2.0,resource=1.1' },
          body: JSON.stringify({
            name: 'In alpha',
            script: b64('var a = 1;'),
            language: 'JAVASCRIPT',
            context: 'LIBRARY',
          }),
        }
      )
      assert.equal(script.status, 201)
      assert.equal((await fetch(`${realms}/L2FscGhh`, { method: 'DELETE', headers })).status, 200)
      const gone = await fetch(
        `${served.url}/json/realms/root/realms/alpha/scripts?_queryFilter=true`,
        {
          headers: { ...headers, 'accept-api-version': 'protocol=2.0,resource=1.1' },
        }
      )
      assert.equal(gone.status, 404)
      assert.equal(((await gone.json()) as JsonObject).message, 'Realm not found')
    } finally {
      await served.close()
      store.close()
    }
  })

  test('a server default is read at its own path with its resource version', async () => {
    const store = new LocalStore({ path: ':memory:', product: 'am8' })
    const served = await serveInProcess(store)
    try {
      const token = await loginTo(served.url)
      const answer = await fetch(
        `${served.url}/json/global-config/servers/server-default/properties/advanced`,
        {
          headers: {
            'accept-api-version': 'protocol=2.0,resource=1.0',
            iplanetdirectorypro: token,
          },
        }
      )
      assert.equal(answer.status, 200)
      assert.equal(answer.headers.get('content-api-version'), 'resource=1.0')
      assert.equal(((await answer.json()) as JsonObject)._id, 'null/properties/advanced')
    } finally {
      await served.close()
      store.close()
    }
  })
})

describe('fixes found by a real AM client', () => {
  test("frodo's login: getSessionInfo with the token in the body and no session header", async () => {
    const store = new LocalStore({ path: ':memory:', product: 'am8' })
    const served = await serveInProcess(store)
    try {
      const token = await loginTo(served.url)
      const info = await fetch(`${served.url}/json/realms/root/sessions/?_action=getSessionInfo`, {
        method: 'POST',
        headers: { 'accept-api-version': 'resource=4.0', 'content-type': 'application/json' },
        body: JSON.stringify({ tokenId: token }),
      })
      assert.equal(info.status, 200)
      assert.equal(info.headers.get('content-api-version'), 'resource=4.0')
      const body = (await info.json()) as JsonObject
      assert.equal(body.username, 'amadmin')
      assert.equal(body.universalId, 'id=amadmin,ou=user,ou=am-config')
      assert.ok(Date.parse(String(body.maxIdleExpirationTime)) > Date.now())
      const ended = await fetch(`${served.url}/json/realms/root/sessions?_action=getSessionInfo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tokenId: 'not-a-session' }),
      })
      assert.deepEqual(await ended.json(), { valid: false })
    } finally {
      await served.close()
      store.close()
    }
  })

  test('createGlobal keeps the id it is given (exports carry global scripts ids)', async () => {
    await withTransports(async (t, where) => {
      const body = {
        _id: 'lib-from-export',
        name: 'Exported library',
        script: b64('exports.x = 1;'),
        language: 'JAVASCRIPT',
        context: 'LIBRARY',
      }
      const created = (await t.action(
        inRealm('Scripts', '/'),
        'createGlobal',
        body,
        {}
      )) as JsonObject
      assert.equal(created._id, 'lib-from-export', where)
      assert.equal(
        (await t.read(inRealm('Scripts', '/'), 'lib-from-export')).name,
        'Exported library'
      )
    })
  })
})

describe('transports that wrap another pass every argument on', () => {
  test('a dry run and a guarded profile keep update --rev: a stale revision still fails', async () => {
    const store = new LocalStore({ path: ':memory:', product: 'am8' })
    try {
      const target = global('DefaultAdvancedProperties')
      await store.update(target, '', { a: 'b' })
      const plan = new PlanTransport(() => undefined, store)
      const guarded = new GuardedTransport(store, {
        profile: 'lab',
        readOnly: false,
        confirmWrites: false,
        confirm: () => undefined,
      })
      for (const wrapper of [plan, guarded]) {
        await assert.rejects(
          wrapper.update(target, '', { a: 'c' }, { rev: 'stale' }),
          (err: unknown) => err instanceof AmshError && err.code === 'E_STALE'
        )
      }
    } finally {
      store.close()
    }
  })
})
