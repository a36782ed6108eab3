import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { entityNames, getEntity, type ScopeKind } from '../src/catalog/catalog.ts'
import { getProfile } from '../src/catalog/profiles.ts'
import { statusOf } from '../src/server/crest.ts'
import type { ApiRequest, ApiResponse, Handler } from '../src/server/http-api.ts'
import { JansApi } from '../src/server/jans/api.ts'
import { Router } from '../src/server/router.ts'
import { IDLE_MS, MAX_SESSION_MS, Sessions } from '../src/server/sessions.ts'
import { LoginThrottle } from '../src/server/throttle.ts'
import { TOKEN_PATH } from '../src/transport/jans/token.ts'
import { LocalStore } from '../src/transport/local/store.ts'
import { runAmsh, SERVE_PASSWORD, startServe, tempDir, type Served } from './helpers.ts'

// Issue 13, item 7: the defaults of `amsh serve` that keep the store safe. It listens on
// loopback unless told; every route but serverinfo and the logins wants a session; tokens are
// long and random and end; heads and bodies are bounded; failed logins are throttled per client,
// in parallel too.

const store = new LocalStore({ path: ':memory:', product: 'am8' })
after(() => store.close())

const CLIENT = '127.0.0.1'

function apiRequest(
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body = ''
): ApiRequest {
  const url = new URL(target, 'http://localhost')
  return {
    method,
    path: url.pathname,
    query: url.searchParams,
    headers: { 'accept-api-version': 'protocol=2.0,resource=1.0', ...headers },
    body,
    base: 'http://127.0.0.1/am',
    remoteAddress: CLIENT,
  }
}

/** The status a handler answers a request with, thrown or returned. */
async function statusFor(handler: Handler, request: ApiRequest): Promise<number> {
  try {
    return (await handler.handle(request)).status
  } catch (err) {
    return statusOf(err).status
  }
}

async function answer(handler: Handler, request: ApiRequest): Promise<ApiResponse> {
  return handler.handle(request)
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']

/** Every request path AM's router serves, from the catalog it routes by, and the rest it has. */
function amTargets(): string[] {
  const paths = new Set<string>()
  for (const name of entityNames()) {
    const entity = getEntity(name)
    if (entity.wire.flavour !== 'am') continue
    for (const [scope, template] of Object.entries(entity.wire.paths) as [ScopeKind, string][]) {
      const tails =
        scope === 'realm'
          ? ['/realms/root', '/realms/root/realms/alpha', ''].map((realm) =>
              template.replace('{realmPath}', realm)
            )
          : [template]
      for (const tail of tails) {
        paths.add(`/json${tail}`)
        paths.add(`/json${tail}/some-id`)
      }
    }
  }
  for (const path of [
    '/json/global-config/services/scripting/contexts',
    '/json/global-config/services/scripting/contexts/AUTHENTICATION_TREE_DECISION_NODE',
    '/json/contexts/AUTHENTICATION_TREE_DECISION_NODE',
    '/json/realms/root/contexts/AUTHENTICATION_TREE_DECISION_NODE',
    '/json/realms/root/sessions',
    '/json/nothing/at/all',
  ]) {
    paths.add(path)
  }
  const targets: string[] = []
  for (const path of paths) {
    for (const query of ['', '?_queryFilter=true', '?_action=create', '?_action=logout']) {
      targets.push(`${path}${query}`)
    }
  }
  return targets
}

describe('every route but serverinfo and the logins wants a session', () => {
  const sessions = new Sessions(SERVE_PASSWORD)
  const router = new Router({ transport: store, profile: getProfile('am8'), sessions })
  let token: string

  before(async () => {
    const login = await answer(
      router,
      apiRequest('POST', '/json/realms/root/authenticate', {
        'x-openam-username': 'amadmin',
        'x-openam-password': SERVE_PASSWORD,
      })
    )
    token = String((login.body as { tokenId: string }).tokenId)
  })

  test("AM's: every entity's paths in every scope, every method, without a session: 401", async () => {
    const targets = amTargets()
    assert.ok(targets.length > 100, `${targets.length} targets`)
    const answered: string[] = []
    for (const target of targets) {
      for (const method of METHODS) {
        // Logging out and getSessionInfo are the sessions endpoint's own (a POST): see below.
        if (target.startsWith('/json/realms/root/sessions') && method === 'POST') continue
        const without = await statusFor(router, apiRequest(method, target, {}, '{}'))
        if (without !== 401) answered.push(`${method} ${target}: ${without}`)
      }
    }
    assert.deepEqual(answered, [])
    // Each of them is a route indeed: with the session, none is refused as unauthenticated.
    const refused: string[] = []
    for (const target of targets.filter((t) => !t.includes('nothing'))) {
      const status = await statusFor(
        router,
        apiRequest('GET', target, { cookie: `iPlanetDirectoryPro=${token}` })
      )
      if (status === 401) refused.push(target)
    }
    assert.deepEqual(refused, [])
  })

  test('logout needs the session it ends; only serverinfo and the logins answer without one', async () => {
    const logout = apiRequest('POST', '/json/realms/root/sessions?_action=logout', {}, '{}')
    assert.equal(await statusFor(router, logout), 401)
    const open: [string, string, number][] = [
      ['GET', '/json/serverinfo/*', 200],
      ['GET', '/json/serverinfo/version', 200],
      ['POST', '/json/realms/root/authenticate', 401],
      ['POST', '/json/authenticate', 401],
      ['POST', '/json/realms/root/sessions?_action=getSessionInfo', 200],
      ['POST', '/oauth2/access_token', 400],
    ]
    for (const [method, target, status] of open) {
      assert.equal(
        await statusFor(router, apiRequest(method, target, {}, '{"tokenId":"x"}')),
        status,
        `${method} ${target}`
      )
    }
  })

  test("Janssen's: every scripts path, every method, without a token or with a wrong one: 401", async () => {
    const jans = new JansApi({
      transport: store,
      client: { id: 'amsh-client', secret: SERVE_PASSWORD },
      lifetime: 60,
    })
    const base = '/jans-config-api/api/v1/config/scripts'
    const paths = [base, `${base}/`, `${base}/some-inum`]
    for (const by of ['inum', 'name', 'type']) paths.push(`${base}/${by}`, `${base}/${by}/x`)
    paths.push(`${base}/a/b/c`)
    const answered: string[] = []
    for (const path of paths) {
      for (const method of METHODS) {
        for (const headers of [{}, { authorization: 'Bearer not-a-token' }] as Record<
          string,
          string
        >[]) {
          const status = await statusFor(jans, apiRequest(method, path, headers, '{}'))
          if (status !== 401) answered.push(`${method} ${path}: ${status}`)
        }
      }
    }
    assert.deepEqual(answered, [])
    // The token endpoint is the only way in.
    const wrong = await answer(
      jans,
      apiRequest(
        'POST',
        TOKEN_PATH,
        { authorization: `Basic ${Buffer.from('amsh-client:nope').toString('base64')}` },
        'grant_type=client_credentials'
      )
    )
    assert.equal(wrong.status, 401)
  })
})

describe('session tokens', () => {
  test('192 random bits each (crypto), never the same twice', () => {
    const sessions = new Sessions(SERVE_PASSWORD)
    const tokens = new Set<string>()
    for (let i = 0; i < 2000; i++) tokens.add(sessions.open('amadmin'))
    assert.equal(tokens.size, 2000)
    for (const token of tokens) {
      const random = token.replace(/\.\*AAJTSQACMDE\.\*$/, '')
      assert.match(random, /^[\w-]{32}$/, 'base64url of 24 bytes')
    }
    const access = sessions.open('sa', 60_000)
    assert.match(access, /^[\w-]{43}$/, 'base64url of 32 bytes')
    // Every character of base64url turns up: no part of the token is fixed or counted.
    const seen = new Set([...tokens].join('').replace(/\.\*AAJTSQACMDE\.\*/g, ''))
    assert.equal(seen.size, 64)
  })

  test('a session ends when idle, and at its maximum time however it is used; then it is refused', async () => {
    let now = 1_000_000
    const sessions = new Sessions(SERVE_PASSWORD, { now: () => now })
    const router = new Router({ transport: store, profile: getProfile('am8'), sessions })
    const query = (token: string) =>
      statusFor(
        router,
        apiRequest('GET', '/json/realms/root/scripts?_queryFilter=false', {
          cookie: `iPlanetDirectoryPro=${token}`,
        })
      )
    const idle = sessions.login('amadmin', SERVE_PASSWORD)!
    const busy = sessions.login('amadmin', SERVE_PASSWORD)!
    assert.equal(await query(idle), 200)
    // Used every ten minutes, `busy` never idles out; `idle` is not used and does.
    for (let t = 0; t < 3; t++) {
      now += 10 * 60 * 1000
      assert.equal(await query(busy), 200)
    }
    now += 1
    assert.equal(await query(idle), 401, 'idle for more than 30 minutes')
    while (now + 10 * 60 * 1000 < 1_000_000 + MAX_SESSION_MS) {
      now += 10 * 60 * 1000
      assert.equal(await query(busy), 200)
    }
    now = 1_000_000 + MAX_SESSION_MS
    assert.equal(await query(busy), 401, 'two hours after its login')
    const info = await answer(
      router,
      apiRequest(
        'POST',
        '/json/realms/root/sessions?_action=getSessionInfo',
        {},
        JSON.stringify({ tokenId: busy })
      )
    )
    assert.deepEqual(info.body, { valid: false })
    assert.ok(IDLE_MS < MAX_SESSION_MS)
  })

  test('an access token ends at its lifetime', () => {
    let now = 0
    const sessions = new Sessions(SERVE_PASSWORD, { now: () => now })
    const token = sessions.open('sa', 1000)
    assert.ok(sessions.valid(token))
    now = 1000
    assert.ok(!sessions.valid(token))
  })
})

describe('failed logins are throttled per client', () => {
  test('past the limit a client is answered 429 at once, right password or not, until the window passes', async () => {
    let now = 0
    const throttle = new LoginThrottle({ failures: 3, windowMs: 10_000, now: () => now })
    for (let i = 0; i < 3; i++) await throttle.begin(CLIENT).failed()
    assert.throws(
      () => throttle.begin(CLIENT),
      (err: unknown) => {
        const { status } = statusOf(err)
        const headers = (err as { headers: Record<string, string> }).headers
        return status === 429 && headers['retry-after'] === '10'
      }
    )
    // Another client is not held up.
    throttle.begin('127.0.0.2').done()
    now = 10_000
    const attempt = throttle.begin(CLIENT)
    attempt.done()
    attempt.done()
  })

  test('attempts still being checked count: parallel guesses get no more than the limit', () => {
    const throttle = new LoginThrottle({ failures: 5, windowMs: 10_000 })
    const begun = []
    let refused = 0
    for (let i = 0; i < 50; i++) {
      try {
        begun.push(throttle.begin(CLIENT))
      } catch {
        refused++
      }
    }
    assert.equal(begun.length, 5)
    assert.equal(refused, 45)
    // A right one frees its place.
    begun[0]!.done()
    throttle.begin(CLIENT).done()
  })
})

describe('amsh serve, end to end', () => {
  let served: Served
  const home = tempDir('amsh-security-serve-')

  before(async () => {
    served = await startServe(['--login-failures', '5', '--login-window', '1'])
  })
  after(() => {
    served.stop()
    home.remove()
  })

  const login = (password: string) =>
    fetch(`${served.base}/json/realms/root/authenticate`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'accept-api-version': 'resource=2.0, protocol=1.0',
        'x-openam-username': 'amadmin',
        'x-openam-password': password,
      },
      body: '{}',
    })

  test('without --host it listens on 127.0.0.1 only', () => {
    assert.equal(new URL(served.base).hostname, '127.0.0.1')
    assert.match(served.log(), /amsh serve: http:\/\/127\.0\.0\.1:\d+\/am /)
    for (const host of ['0.0.0.0', '::', '192.168.1.10']) {
      const run = runAmsh(['serve', '--host', host, '--port', '0'], {
        env: { AMSH_HOME: home.dir },
      })
      assert.equal(run.status, 2, host)
      assert.match(run.stderr, /^E_USAGE: --host .* is not a loopback address/, host)
    }
  })

  test('thirty wrong passwords at once: five are checked, the rest 429; the right one works after the window', async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => login(`wrong-${i}`)))
    const statuses = answers.map((a) => a.status)
    assert.equal(statuses.filter((s) => s === 401).length, 5, statuses.join(' '))
    assert.equal(statuses.filter((s) => s === 429).length, 25, statuses.join(' '))
    const throttled = answers.find((a) => a.status === 429)!
    assert.match(throttled.headers.get('retry-after') ?? '', /^[1-9]\d*$/)
    const body = (await throttled.json()) as Record<string, unknown>
    assert.equal(body.reason, 'Too Many Requests')
    assert.match(String(body.message), /^Too many failed logins from 127\.0\.0\.1: try again in/)
    // Within the window, not even the right password is looked at.
    assert.equal((await login(SERVE_PASSWORD)).status, 429)
    await new Promise((r) => setTimeout(r, 1100))
    const right = await login(SERVE_PASSWORD)
    assert.equal(right.status, 200)
    assert.match(served.log(), /POST \/am\/json\/realms\/root\/authenticate 429/)
  })

  test('a head over 16 KiB: 400, and the server stays up', async () => {
    const url = new URL(served.base)
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: url.hostname, port: Number(url.port) })
      let got = ''
      socket.setEncoding('latin1')
      socket.on('data', (chunk: string) => (got += chunk))
      socket.on('close', () => resolve(got))
      socket.on('error', (err: NodeJS.ErrnoException) =>
        err.code === 'ECONNRESET' || err.code === 'EPIPE' ? resolve(got) : reject(err)
      )
      socket.write(
        `GET /am/json/serverinfo/* HTTP/1.1\r\nHost: x\r\nX-Long: ${'a'.repeat(20_000)}\r\n\r\n`
      )
    })
    assert.match(text, /^HTTP\/1\.1 400 Bad Request\r\n/)
    assert.match(text, /The request line and headers are too large/)
    const alive = await fetch(`${served.base}/json/serverinfo/*`)
    assert.equal(alive.status, 200)
    assert.equal(served.process.exitCode, null)
  })

  test('without a session, a request is refused before its body is read, and its connection ends', async () => {
    const url = new URL(served.base)
    // The head announces a megabyte that never comes: the answer must not wait for it.
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: url.hostname, port: Number(url.port) })
      let got = ''
      const bound = setTimeout(() => {
        socket.destroy()
        resolve(`no answer in 2 s: ${got}`)
      }, 2000)
      socket.setEncoding('latin1')
      socket.on('data', (chunk: string) => (got += chunk))
      socket.on('close', () => {
        clearTimeout(bound)
        resolve(got)
      })
      socket.on('error', reject)
      socket.write(
        'POST /am/json/realms/root/scripts?_action=create HTTP/1.1\r\nHost: x\r\n' +
          'Content-Type: application/json\r\nContent-Length: 1048576\r\n\r\n{"name": '
      )
    })
    assert.match(text, /^HTTP\/1\.1 401 Unauthorized\r\n/)
    assert.match(text, /\r\nconnection: close\r\n/i)
    assert.match(text, /Access Denied/)
  })
})
