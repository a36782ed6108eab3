import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { b64, loginTo, runAmsh, startServe, tempDir, type Served } from './helpers.ts'

// A real `amsh serve` on a loopback port, spoken to over HTTP as AM clients speak to AM.

let served: Served
let base: string
let token: string

const SCRIPT = {
  name: 'Served',
  description: 'd',
  script: b64('var a = 1;'),
  language: 'JAVASCRIPT',
  context: 'AUTHENTICATION_TREE_DECISION_NODE',
}

async function call(
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; auth?: boolean } = {}
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const headers: Record<string, string> = {
    'accept-api-version': 'protocol=2.0,resource=1.0',
    ...(options.auth === false ? {} : { cookie: `iPlanetDirectoryPro=${token}` }),
    ...options.headers,
  }
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
  })
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  }
}

before(async () => {
  served = await startServe()
  base = served.base
  token = await loginTo(base)
})

after(() => served.stop())

describe('amsh serve', () => {
  test('serverinfo without a session; everything else needs one', async () => {
    const info = await call('GET', '/json/serverinfo/*', { auth: false })
    assert.equal(info.json.cookieName, 'iPlanetDirectoryPro')
    const denied = await call('GET', '/json/realms/root/scripts?_queryFilter=true', { auth: false })
    assert.deepEqual(
      [denied.status, denied.json],
      [401, { code: 401, reason: 'Unauthorized', message: 'Access Denied' }]
    )
    const wrong = await call('POST', '/json/realms/root/authenticate', {
      auth: false,
      body: {},
      headers: { 'x-openam-username': 'amadmin', 'x-openam-password': 'nope' },
    })
    assert.equal(wrong.status, 401)
  })

  test('PUT creates (201, ETag, Location, _rev), then replaces (200, no _rev); Bearer works too', async () => {
    const created = await call('PUT', '/json/realms/root/realms/alpha/scripts/s-1', {
      body: SCRIPT,
    })
    assert.equal(created.status, 201)
    assert.equal(created.headers.get('etag'), `"${String(created.json._rev)}"`)
    assert.equal(
      created.headers.get('location'),
      `${base}/json/realms/root/realms/alpha/scripts/s-1`
    )
    assert.equal(created.headers.get('content-api-version'), 'resource=1.1')
    const replaced = await call('PUT', '/json/realms/root/realms/alpha/scripts/s-1', {
      body: { ...SCRIPT, description: 'changed' },
      headers: { cookie: '', authorization: `Bearer ${token}` },
    })
    assert.equal(replaced.status, 200)
    assert.equal(replaced.json._rev, undefined)
    assert.equal(replaced.json.description, 'changed')
    const createOnly = await call('PUT', '/json/realms/root/realms/alpha/scripts/s-1', {
      body: SCRIPT,
      headers: { 'if-none-match': '*' },
    })
    assert.deepEqual(createOnly.json, {
      code: 412,
      reason: 'Precondition Failed',
      message: 'Script with UUID s-1 already exist in realm /alpha',
    })
  })

  test('query envelope, read, delete, and AM errors with HTML-escaped messages', async () => {
    const query = await call(
      'GET',
      `/json/realms/root/realms/alpha/scripts?_queryFilter=${encodeURIComponent('name eq "Served"')}&_fields=name`
    )
    assert.deepEqual(query.json, {
      result: [{ _id: 's-1', name: 'Served' }],
      resultCount: 1,
      pagedResultsCookie: null,
      totalPagedResultsPolicy: 'NONE',
      totalPagedResults: -1,
      remainingPagedResults: 0,
    })
    const conflict = await call('POST', '/json/realms/root/realms/alpha/scripts?_action=create', {
      body: { ...SCRIPT, name: 'Served' },
    })
    assert.equal(conflict.status, 409)
    const quoted = await call('GET', `/json/realms/root/realms/alpha/scripts/it's`)
    assert.equal(
      quoted.json.message,
      'Script with UUID it&#39;s could not be found in realm /alpha'
    )
    const badFilter = await call('GET', '/json/realms/root/scripts?_queryFilter=name%20eq')
    assert.equal(
      badFilter.json.message,
      `The value &#39;name eq&#39; for parameter &#39;_queryFilter&#39; could not be parsed as a valid query filter`
    )
    assert.deepEqual((await call('DELETE', '/json/realms/root/realms/alpha/scripts/s-1')).json, {
      _id: 's-1',
    })
  })

  test('bad requests never crash the server nor change the store', async () => {
    const notJson = await call('PUT', '/json/realms/root/scripts/x', { body: '{nope' })
    assert.equal(notJson.status, 400)
    const tooBig = await call('PUT', '/json/realms/root/scripts/x', {
      body: { ...SCRIPT, script: 'A'.repeat(2_000_000) },
    })
    assert.equal(tooBig.status, 413)
    const noRoot = await call('GET', '/json/realms/alpha/scripts?_queryFilter=true')
    assert.equal(noRoot.status, 404)
    const deep = await call(
      'GET',
      `/json/realms/root/scripts?_queryFilter=${'('.repeat(300)}true${')'.repeat(300)}`
    )
    assert.equal(deep.status, 400)
    const version = await call('GET', '/json/realms/root/scripts?_queryFilter=true', {
      headers: { 'accept-api-version': 'resource=999.0' },
    })
    assert.equal(
      version.json.message,
      'Accept-API-Version: Requested version &quot;999.0&quot; does not match any routes.'
    )
    const alive = await call(
      'GET',
      `/json/realms/root/realms/alpha/scripts?_queryFilter=${encodeURIComponent('default eq false')}`
    )
    assert.equal(alive.json.resultCount, 0)
  })

  test('refuses a non-loopback address without --allow-remote', () => {
    const home = tempDir()
    const result = runAmsh(['serve', '--host', '0.0.0.0', '--port', '0'], {
      env: { AMSH_HOME: home.dir },
    })
    home.remove()
    assert.equal(result.status, 2)
    assert.match(result.stderr, /not a loopback address.*--allow-remote/)
  })

  test('logs a line per request and stops cleanly on SIGTERM', async () => {
    assert.match(served.log(), /^GET \/am\/json\/serverinfo\/\* 200 [\d.]+ms$/m)
    const exited = new Promise<number | null>((done) =>
      served.process.on('exit', (code) => done(code))
    )
    served.process.kill('SIGTERM')
    assert.equal(await exited, 0)
    assert.match(served.log(), /amsh serve: stopped/)
  })
})
