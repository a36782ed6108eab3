import assert from 'node:assert/strict'
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { AmshError } from '../src/errors.ts'
import { adminPassword } from '../src/server/sessions.ts'
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
  served = await startServe([], { realms: ['/alpha'] })
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

describe("amadmin's password", () => {
  let home: { dir: string; remove: () => void }
  let file: string
  before(() => {
    home = tempDir()
    file = join(home.dir, 'admin-password')
  })
  after(() => home.remove())

  function write(text: string, mode = 0o600): void {
    writeFileSync(file, text)
    chmodSync(file, mode)
  }

  function refusal(env: NodeJS.ProcessEnv = {}): AmshError {
    try {
      adminPassword(file, env)
    } catch (err) {
      assert.ok(err instanceof AmshError, String(err))
      assert.equal(err.code, 'E_USAGE')
      return err
    }
    assert.fail('the password was taken')
  }

  // It was: anyone logged in as amadmin with an empty password.
  test('an empty or blank file is refused, saying what to do', () => {
    for (const text of ['', '\n', '  \t \n']) {
      write(text)
      assert.match(refusal().message, new RegExp(`^${file} is empty, .*write the password into it`))
    }
  })

  test('a file other users may read is refused: chmod 600', () => {
    for (const mode of [0o644, 0o640, 0o604, 0o660]) {
      write('secret\n', mode)
      const octal = mode.toString(8).padStart(4, '0')
      assert.equal(
        refusal().message,
        `${file} holds the amadmin password but other users may read it (mode ${octal}): run chmod 600 ${file}`
      )
    }
    write('secret\n', 0o600)
    assert.deepEqual(adminPassword(file, {}), { password: 'secret' })
  })

  test('AMSH_ADMIN_PASSWORD empty is as unset; blank is refused', () => {
    write('from-file\n')
    assert.deepEqual(adminPassword(file, { AMSH_ADMIN_PASSWORD: '' }), { password: 'from-file' })
    assert.match(refusal({ AMSH_ADMIN_PASSWORD: '   ' }).message, /holds only white space/)
    assert.deepEqual(adminPassword(file, { AMSH_ADMIN_PASSWORD: 'x y' }), { password: 'x y' })
  })

  test('without either, one is generated into a new file, mode 0600', () => {
    const fresh = join(home.dir, 'new', 'admin-password')
    const made = adminPassword(fresh, { AMSH_ADMIN_PASSWORD: '' })
    assert.ok(made.password.length >= 20)
    assert.equal(made.generatedAt, fresh)
    assert.equal(readFileSync(fresh, 'utf8'), `${made.password}\n`)
    assert.equal(statSync(fresh).mode & 0o777, 0o600)
  })

  test('amsh serve will not start with such a file, and creates no store', () => {
    for (const [text, mode, message] of [
      ['', 0o600, /admin-password is empty, and amadmin would log in with no password/],
      ['secret', 0o644, /other users may read it \(mode 0644\): run chmod 600 /],
    ] as const) {
      const serveHome = tempDir()
      writeFileSync(join(serveHome.dir, 'admin-password'), text)
      chmodSync(join(serveHome.dir, 'admin-password'), mode)
      const result = runAmsh(['serve', '--port', '0'], {
        env: { AMSH_HOME: serveHome.dir, AMSH_ADMIN_PASSWORD: '' },
      })
      const stored = existsSync(join(serveHome.dir, 'store.db'))
      serveHome.remove()
      assert.equal(result.status, 2, result.stderr)
      assert.match(result.stderr, message)
      assert.equal(stored, false)
    }
  })
})
