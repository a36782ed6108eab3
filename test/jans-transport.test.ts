import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { after, afterEach, before, beforeEach, describe, test } from 'node:test'
import { getEntity } from '../src/catalog/catalog.ts'
import { loadProfiles, profileRequest } from '../src/config/connections.ts'
import { AmshError } from '../src/errors.ts'
import type { JsonObject } from '../src/json.ts'
import { parseConnect } from '../src/parse/connect.ts'
import { JansTransport } from '../src/transport/jans/transport.ts'
import { SCRIPT_SCOPES, TOKEN_PATH } from '../src/transport/jans/token.ts'
import { LocalStore } from '../src/transport/local/store.ts'
import { openTransport } from '../src/transport/open.ts'
import type { Target } from '../src/transport/types.ts'
import { runAmshAsync, tempDir } from './helpers.ts'

// The Janssen transport against a small Janssen on loopback: jans-auth's token endpoint and
// config-api's scripts resource, in memory, answering as the real ones do (empty 404s, text/plain
// 401s, ApiError JSON, 204 deletes), and recording what it was asked.

const CLIENT_ID = '1800.test-client'
const CLIENT_SECRET = 'top secret'
const API = '/jans-config-api/api/v1/config/scripts'

interface Asked {
  method: string
  path: string
  query: URLSearchParams
  authorization: string
  contentType: string
  body: string
}

class FakeJanssen {
  base = ''
  readonly scripts = new Map<string, JsonObject>()
  readonly tokenCalls: Asked[] = []
  readonly apiCalls: Asked[] = []
  /** Tokens config-api accepts. */
  readonly valid = new Set<string>()
  tokenLife = 299
  refuseClient = false
  /** Every API call gets the text/plain 401 of a token without the scope. */
  missingScope = false
  /** Pages start at 0 whatever startIndex says, and say no total (a server ignoring paging). */
  ignoresPaging = false
  readonly #server = createServer((req, res) => void this.#handle(req, res))
  #issued = 0

  async start(): Promise<void> {
    await new Promise<void>((done) => this.#server.listen(0, '127.0.0.1', done))
    this.base = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`
  }

  stop(): Promise<void> {
    this.#server.closeAllConnections()
    return new Promise((done) => this.#server.close(() => done()))
  }

  reset(): void {
    this.scripts.clear()
    this.tokenCalls.length = 0
    this.apiCalls.length = 0
    this.valid.clear()
    this.tokenLife = 299
    this.refuseClient = false
    this.missingScope = false
    this.ignoresPaging = false
    this.#issued = 0
  }

  add(script: JsonObject): JsonObject {
    const inum = typeof script.inum === 'string' ? script.inum : randomUUID()
    const stored = { dn: `inum=${inum},ou=scripts,o=jans`, inum, revision: 1, ...script }
    this.scripts.set(inum, stored)
    return stored
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = ''
    for await (const chunk of req) body += String(chunk)
    const url = new URL(req.url ?? '/', this.base)
    const asked: Asked = {
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      authorization: req.headers.authorization ?? '',
      contentType: req.headers['content-type'] ?? '',
      body,
    }
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(value))
    }
    const text = (status: number, value: string) => {
      res.writeHead(status, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' })
      res.end(value)
    }
    if (url.pathname === TOKEN_PATH) {
      this.tokenCalls.push(asked)
      const expected = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET.replace(' ', '+')}`).toString('base64')}`
      if (this.refuseClient || asked.authorization !== expected) {
        return json(401, {
          error: 'invalid_client',
          error_description: 'Unable to authenticate client.',
        })
      }
      const token = `token-${++this.#issued}`
      this.valid.add(token)
      const scope = new URLSearchParams(body).get('scope')
      return json(200, {
        access_token: token,
        token_type: 'Bearer',
        expires_in: this.tokenLife,
        scope,
      })
    }
    if (!url.pathname.startsWith(API)) return json(404, { code: '404', message: 'no such path' })
    this.apiCalls.push(asked)
    if (!this.valid.has(asked.authorization.replace(/^Bearer /, ''))) {
      return text(401, 'Token is Invalid.')
    }
    if (this.missingScope) {
      return text(
        401,
        'oAuth authorization error Insufficient scopes! , Required scope: [https://jans.io/oauth/config/scripts.write]'
      )
    }
    const rest = url.pathname.slice(API.length)
    const page = (items: JsonObject[]) => {
      const limit = Number(url.searchParams.get('limit') ?? 50)
      if (limit > 200)
        return json(400, { code: '400', message: 'Maximum number of results per page is 200' })
      const start = this.ignoresPaging ? 0 : Number(url.searchParams.get('startIndex') ?? 0)
      const pattern = url.searchParams.get('pattern')?.toLowerCase()
      const matched = items
        .filter(
          (s) =>
            !pattern ||
            String(s.name).toLowerCase().includes(pattern) ||
            String(s.description ?? '')
              .toLowerCase()
              .includes(pattern)
        )
        .sort((a, b) => (String(a.inum) < String(b.inum) ? -1 : 1))
      const entries = matched.slice(start, start + limit)
      return json(200, {
        start,
        totalEntriesCount: matched.length,
        entriesCount: entries.length,
        entries,
      })
    }
    const all = [...this.scripts.values()]
    if (req.method === 'GET' && rest === '') return page(all)
    const type = /^\/type\/([^/]+)$/.exec(rest)
    if (req.method === 'GET' && type) return page(all.filter((s) => s.scriptType === type[1]))
    const byInum = /^\/inum\/([^/]+)$/.exec(rest)
    if (req.method === 'GET' && byInum) {
      const found = this.scripts.get(decodeURIComponent(byInum[1]!))
      if (!found) {
        res.writeHead(404)
        res.end()
        return
      }
      return json(200, found)
    }
    if (req.method === 'POST' && rest === '') {
      const sent = JSON.parse(body) as JsonObject
      if (sent.name === 'x') {
        return json(400, {
          code: '400',
          message: 'Length of the Name should be between 1 and 30',
          description: 'Bad Request',
        })
      }
      return json(201, this.add(sent))
    }
    if (req.method === 'PUT' && rest === '') {
      const sent = JSON.parse(body) as JsonObject
      const old = this.scripts.get(String(sent.inum))
      if (!old)
        return json(404, { code: '404', message: "The requested custom script doesn't exist" })
      const next = { ...sent, revision: Number(old.revision) + 1 }
      this.scripts.set(String(sent.inum), next)
      return json(200, next)
    }
    const item = /^\/([^/]+)$/.exec(rest)
    const inum = item ? decodeURIComponent(item[1]!) : ''
    if (req.method === 'PATCH' && item) {
      if (asked.contentType !== 'application/json-patch+json') {
        return json(415, { code: '415', message: `cannot consume ${asked.contentType}` })
      }
      const old = this.scripts.get(inum)
      if (!old)
        return json(404, { code: '404', message: "The requested custom script doesn't exist" })
      const next: JsonObject = { ...old }
      for (const op of JSON.parse(body) as { op: string; path: string; value: never }[]) {
        if (op.op === 'replace') next[op.path.slice(1)] = op.value
      }
      next.revision = Number(next.revision) + 1
      this.scripts.set(inum, next)
      return json(200, next)
    }
    if (req.method === 'DELETE' && item) {
      if (!this.scripts.delete(inum)) {
        return json(404, { code: '404', message: "The requested custom script doesn't exist" })
      }
      res.writeHead(204)
      res.end()
      return
    }
    return json(405, { code: '405', message: `${req.method} ${url.pathname}` })
  }
}

const target: Target = { entity: getEntity('CustomScripts'), scope: { kind: 'global' } }
const script = (name: string, extra: JsonObject = {}): JsonObject => ({
  name,
  scriptType: 'person_authentication',
  programmingLanguage: 'python',
  script: 'pass\n',
  enabled: false,
  ...extra,
})

const fake = new FakeJanssen()
let now = 1_000_000
let transport: JansTransport

before(() => fake.start())
after(() => fake.stop())
beforeEach(() => {
  fake.reset()
  now = 1_000_000
  transport = new JansTransport({
    baseUrl: fake.base,
    client: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopes: SCRIPT_SCOPES },
    clock: () => now,
    retries: 0,
  })
})
afterEach(() => transport.close())

async function refusal(work: Promise<unknown>): Promise<AmshError> {
  try {
    await work
  } catch (err) {
    assert.ok(err instanceof AmshError, String(err))
    return err
  }
  assert.fail('expected an error')
}

describe('the token', () => {
  test('is asked for with HTTP Basic, client_credentials and the three scripts scopes', async () => {
    await transport.login()
    assert.equal(fake.tokenCalls.length, 1)
    const [call] = fake.tokenCalls
    assert.equal(call!.method, 'POST')
    assert.equal(call!.contentType, 'application/x-www-form-urlencoded')
    const form = new URLSearchParams(call!.body)
    assert.equal(form.get('grant_type'), 'client_credentials')
    assert.deepEqual(form.get('scope')!.split(' '), [
      'https://jans.io/oauth/config/scripts.readonly',
      'https://jans.io/oauth/config/scripts.write',
      'https://jans.io/oauth/config/scripts.delete',
    ])
    assert.equal(form.get('client_secret'), null, 'the secret travels in the Basic header only')
    await transport.query(target, { filter: 'true' })
    assert.equal(fake.apiCalls[0]!.authorization, 'Bearer token-1')
  })

  test('is kept while it lives and renewed before it expires', async () => {
    // Requests sent together before there is a token share the one asked for.
    await Promise.all([1, 2, 3].map(() => transport.query(target, { filter: 'true' })))
    assert.equal(fake.tokenCalls.length, 1)
    now += 200_000
    await transport.query(target, { filter: 'true' })
    assert.equal(fake.tokenCalls.length, 1)
    now += 80_000 // 280 s of 299: inside the last 10 %
    await transport.query(target, { filter: 'true' })
    assert.equal(fake.tokenCalls.length, 2)
    assert.equal(fake.apiCalls.at(-1)!.authorization, 'Bearer token-2')
  })

  test('refused by the API is replaced once, and the request sent again', async () => {
    await transport.login()
    fake.valid.clear() // the server restarted
    fake.add(script('one'))
    const result = await transport.query(target, { filter: 'true' })
    assert.equal(result.resultCount, 1)
    assert.equal(fake.tokenCalls.length, 2)
    assert.deepEqual(
      fake.apiCalls.map((c) => c.authorization),
      ['Bearer token-1', 'Bearer token-2']
    )
  })

  test('a refused client is E_AUTH naming the token endpoint, the client and the scopes', async () => {
    fake.refuseClient = true
    const err = await refusal(transport.login())
    assert.equal(err.code, 'E_AUTH')
    assert.ok(err.message.includes(`${fake.base}${TOKEN_PATH}`), err.message)
    assert.ok(err.message.includes(CLIENT_ID), err.message)
    assert.ok(err.message.includes('https://jans.io/oauth/config/scripts.write'), err.message)
    assert.match(err.message, /invalid_client: Unable to authenticate client\./)
    assert.ok(!err.message.includes(CLIENT_SECRET))
  })

  test("the API's text/plain 401 is E_AUTH with Janssen's words, after one retry", async () => {
    fake.missingScope = true
    const err = await refusal(transport.create(target, script('s')))
    assert.equal(err.code, 'E_AUTH')
    assert.match(
      err.message,
      /^oAuth authorization error Insufficient scopes! , Required scope: \[https:\/\/jans\.io\/oauth\/config\/scripts\.write\]/
    )
    assert.match(err.message, /the token was granted: https:\/\/jans\.io/)
    assert.equal(fake.apiCalls.length, 2)
    assert.equal(fake.tokenCalls.length, 2)
  })
})

describe('queries', () => {
  test('a server that ignores startIndex ends the listing at its repeated page', async () => {
    for (let i = 0; i < 250; i++) fake.add(script(`r-${String(i).padStart(3, '0')}`))
    fake.ignoresPaging = true
    const result = await transport.query(target, { filter: 'true' })
    assert.equal(result.resultCount, 200)
    assert.equal(fake.apiCalls.length, 2)
  })

  test("follow the pages to the end (450 scripts, 200 a page: Janssen's largest)", async () => {
    for (let i = 0; i < 450; i++) fake.add(script(`s-${String(i).padStart(3, '0')}`))
    const result = await transport.query(target, { filter: 'true' })
    assert.equal(result.resultCount, 450)
    assert.equal(new Set(result.result.map((s) => s.inum)).size, 450)
    assert.deepEqual(
      fake.apiCalls.map((c) => [c.query.get('limit'), c.query.get('startIndex')]),
      [
        ['200', '0'],
        ['200', '200'],
        ['200', '400'],
      ]
    )
  })

  test('--type and --pattern go as Janssen has them: /type/{value} and ?pattern=', async () => {
    fake.add(script('login-one', { description: 'Passkey flow' }))
    fake.add(script('login-two'))
    fake.add(script('intro', { scriptType: 'introspection' }))
    fake.add(script('api', { scriptType: 'config_api_auth', description: 'passkey too' }))
    const auth = await transport.query(target, {
      filter: 'true',
      narrow: { type: 'PERSON_AUTHENTICATION', pattern: 'passkey' },
    })
    assert.deepEqual(
      auth.result.map((s) => s.name),
      ['login-one']
    )
    const call = fake.apiCalls.at(-1)!
    assert.equal(call.path, `${API}/type/person_authentication`)
    assert.equal(call.query.get('pattern'), 'passkey')
    const api = await transport.query(target, { filter: 'true', narrow: { type: 'CONFIG_API' } })
    assert.equal(fake.apiCalls.at(-1)!.path, `${API}/type/config_api_auth`)
    assert.deepEqual(
      api.result.map((s) => s.name),
      ['api']
    )
  })

  test('an unknown type lists nothing, though Janssen answers every script for it', async () => {
    fake.add(script('one'))
    const result = await transport.query(target, { filter: 'true', narrow: { type: 'nonsense' } })
    assert.equal(result.resultCount, 0)
  })

  test('the CREST filter, sort, fields and page apply in the client', async () => {
    for (const name of ['b-2', 'a-1', 'c-3', 'a-4']) fake.add(script(name))
    const result = await transport.query(target, {
      filter: 'name sw "a" or name eq "c-3"',
      sortKeys: ['-name'],
      fields: ['name'],
      pageSize: 2,
      pagedResultsOffset: 1,
    })
    assert.deepEqual(
      result.result.map((s) => s.name),
      ['a-4', 'a-1']
    )
    assert.deepEqual(Object.keys(result.result[0]!).sort(), ['inum', 'name'])
    assert.equal(result.remainingPagedResults, 0)
    assert.equal(fake.apiCalls[0]!.query.get('filter'), null, 'Janssen gets no CREST filter')
  })

  test('a malformed filter is the shell’s parse error, before anything is sent', async () => {
    const err = await refusal(transport.query(target, { filter: 'name eq' }))
    assert.equal(err.code, 'E_PARSE')
    assert.equal(fake.apiCalls.length, 0)
  })
})

describe('items', () => {
  test('read: an empty 404 is E_NOT_FOUND with the entity’s message', async () => {
    const err = await refusal(transport.read(target, 'no-such-inum'))
    assert.equal(err.code, 'E_NOT_FOUND')
    assert.equal(err.message, 'Custom script with inum no-such-inum not found')
    assert.equal(fake.apiCalls[0]!.path, `${API}/inum/no-such-inum`)
  })

  test("an ApiError body is Janssen's message under the status's code", async () => {
    const err = await refusal(transport.create(target, script('x')))
    assert.equal(err.code, 'E_INVALID')
    assert.equal(err.message, 'Length of the Name should be between 1 and 30')
  })

  test('create: POST; with an id the inum goes in the body, and an inum in use is refused', async () => {
    const made = await transport.create(target, script('first'))
    assert.equal(fake.apiCalls.at(-1)!.method, 'POST')
    assert.ok(fake.scripts.has(String(made.inum)))
    const id = '0a1b2c3d-0000-4000-8000-000000000001'
    const named = await transport.create(target, script('second'), id)
    assert.equal(named.inum, id)
    assert.equal((JSON.parse(fake.apiCalls.at(-1)!.body) as JsonObject).inum, id)
    const err = await refusal(transport.create(target, script('third'), id))
    assert.equal(err.code, 'E_EXISTS')
    assert.equal(err.message, `Custom script with inum ${id} already exists`)
  })

  test('update: PUT of the whole body with its inum', async () => {
    const made = fake.add(script('first'))
    const updated = await transport.update(
      target,
      String(made.inum),
      script('first', { enabled: true })
    )
    const call = fake.apiCalls.at(-1)!
    assert.equal(call.method, 'PUT')
    assert.equal(call.path, API)
    assert.equal((JSON.parse(call.body) as JsonObject).inum, made.inum)
    assert.equal(updated.enabled, true)
    assert.equal(updated.revision, 2)
    const err = await refusal(
      transport.update(target, String(made.inum), script('first'), { rev: '1' })
    )
    assert.equal(err.code, 'E_UNSUPPORTED')
  })

  test('patch: an RFC 6902 array as application/json-patch+json, answered the item', async () => {
    const made = fake.add(script('first'))
    const patched = await transport.patch(target, String(made.inum), [
      { op: 'replace', path: '/enabled', value: true },
    ])
    const call = fake.apiCalls.at(-1)!
    assert.equal(call.method, 'PATCH')
    assert.equal(call.path, `${API}/${String(made.inum)}`)
    assert.equal(call.contentType, 'application/json-patch+json')
    assert.deepEqual(JSON.parse(call.body), [{ op: 'replace', path: '/enabled', value: true }])
    assert.equal(patched.enabled, true)
  })

  test('delete: answers the item it deleted (Janssen answers 204)', async () => {
    const made = fake.add(script('gone'))
    const deleted = await transport.delete(target, String(made.inum))
    assert.equal(deleted.name, 'gone')
    assert.deepEqual(
      fake.apiCalls.map((c) => `${c.method} ${c.path}`),
      [`GET ${API}/inum/${String(made.inum)}`, `DELETE ${API}/${String(made.inum)}`]
    )
    assert.equal(fake.scripts.size, 0)
    const err = await refusal(transport.delete(target, String(made.inum)))
    assert.equal(err.code, 'E_NOT_FOUND')
  })
})

describe('validate', () => {
  test('is answered in the client, as the local store answers it', async () => {
    const body = { script: 'def f():\n    return 1\n', programmingLanguage: 'PYTHON' }
    assert.deepEqual(await transport.action(target, 'validate', body, {}), { success: true })
    assert.equal(fake.apiCalls.length, 0)
    const store = new LocalStore({ path: ':memory:', product: 'am8' })
    try {
      assert.deepEqual(await store.action(target, 'validate', body, {}), { success: true })
    } finally {
      store.close()
    }
    const err = await refusal(
      transport.action(target, 'validate', { programmingLanguage: 'java' }, {})
    )
    assert.equal(err.code, 'E_INVALID')
  })
})

describe('connecting', () => {
  test('connect jans <url> --client-id --client-secret-env is a Janssen request', () => {
    const request = parseConnect([
      'jans',
      'https://jans.example.com',
      '--client-id',
      CLIENT_ID,
      '--client-secret-env',
      'JANS_SECRET',
    ])
    assert.equal(request.flavour, 'jans')
    assert.equal(request.target, 'https://jans.example.com')
    assert.equal(request.clientId, CLIENT_ID)
    assert.equal(request.clientSecretEnv, 'JANS_SECRET')
    assert.equal(parseConnect(['https://am.example.com/am', '-k', 'key']).flavour, undefined)
    assert.throws(
      () => parseConnect(['jans', 'https://jans.example.com', '-k', 'key']),
      /connect jans logs in as an OAuth client .* not with --private-key/
    )
    assert.throws(
      () => parseConnect(['https://am.example.com/am', '--client-id', 'x']),
      /--client-id is for a Janssen server/
    )
    assert.throws(() => parseConnect(['jans']), /connect jans needs the server's base URL/)
  })

  test('openTransport opens a JansTransport, logged in, for the jans flavour', async () => {
    const opened = await openTransport({
      kind: 'rest',
      flavour: 'jans',
      baseUrl: fake.base,
      timeoutMs: 5000,
      tls: {},
      login: { clientId: CLIENT_ID, clientSecretEnv: 'JANS_SECRET' },
      baseDir: '.',
      env: { JANS_SECRET: CLIENT_SECRET },
    })
    try {
      assert.equal(opened.kind, 'jans')
      assert.equal(fake.tokenCalls.length, 1)
    } finally {
      opened.close()
    }
    fake.refuseClient = true
    await assert.rejects(
      openTransport({
        kind: 'rest',
        flavour: 'jans',
        baseUrl: fake.base,
        timeoutMs: 5000,
        tls: {},
        login: { clientId: CLIENT_ID, clientSecretEnv: 'NOT_SET' },
        baseDir: '.',
        env: {},
      }),
      /the environment variable NOT_SET \(the client secret\) is not set/
    )
  })

  test('amsh connect jans, then the verbs, from the command line (the built binary)', async () => {
    fake.add(script('login-one'))
    fake.add(script('intro', { scriptType: 'introspection' }))
    const home = tempDir()
    try {
      const run = await runAmshAsync(
        [
          '--store',
          join(home.dir, 'local.db'),
          '-c',
          `connect jans ${fake.base} --client-id ${CLIENT_ID} --client-secret-env JANS_SECRET`,
          '-c',
          'query CustomScripts --type PERSON_AUTHENTICATION --fields name',
          '-c',
          'read CustomScripts --id nope',
        ],
        { env: { AMSH_HOME: home.dir, JANS_SECRET: CLIENT_SECRET } }
      )
      assert.match(run.stdout, /"name": ?"login-one"/)
      assert.doesNotMatch(run.stdout, /"intro"/)
      assert.match(run.stderr, /E_NOT_FOUND: Custom script with inum nope not found/)
      assert.equal(fake.apiCalls[0]!.path, `${API}/type/person_authentication`)
    } finally {
      home.remove()
    }
  })

  test('a saved profile with "flavour": "jans" becomes a Janssen connect request', async () => {
    const home = tempDir()
    try {
      mkdirSync(join(home.dir, 'amsh'), { mode: 0o700 })
      const file = join(home.dir, 'amsh', 'profiles.json')
      const profiles = (entries: JsonObject) =>
        writeFileSync(file, JSON.stringify({ profiles: entries }), { mode: 0o600 })
      profiles({
        jans: {
          url: 'https://jans.example.com/',
          flavour: 'jans',
          auth: { method: 'client-credentials', clientId: CLIENT_ID, clientSecretFile: '~/secret' },
        },
      })
      const env = { XDG_CONFIG_HOME: home.dir, HOME: '/home/someone' }
      const { profiles: loaded } = await loadProfiles(env)
      const request = profileRequest(loaded[0]!, env)
      assert.equal(request.flavour, 'jans')
      assert.equal(request.target, 'https://jans.example.com')
      assert.equal(request.clientId, CLIENT_ID)
      assert.equal(request.clientSecretFile, '/home/someone/secret')
      profiles({
        bad: {
          url: 'https://jans.example.com',
          flavour: 'jans',
          auth: { method: 'token', tokenEnv: 'T' },
        },
      })
      await assert.rejects(
        loadProfiles(env),
        /\/profiles\/bad\/auth\/method: is "token", but a "flavour": ?"jans" profile/
      )
    } finally {
      home.remove()
    }
  })
})
