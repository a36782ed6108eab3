import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { JsonObject } from '../src/json.ts'
import { JansApi, SCOPES } from '../src/server/jans/api.ts'
import { TOKEN_PATH } from '../src/transport/jans/token.ts'
import type { ApiRequest, ApiResponse } from '../src/server/http-api.ts'
import { statusOf } from '../src/server/crest.ts'
import { LocalStore } from '../src/transport/local/store.ts'

// `amsh serve --flavour jans` in process: Janssen's token endpoint and config-api for custom
// scripts over the local store, with Janssen's statuses, pages, error bodies and scope checks.

const SCRIPTS = '/jans-config-api/api/v1/config/scripts'
const CLIENT = { id: 'amsh-client', secret: 's3cret' }

describe('serve --flavour jans', () => {
  let store: LocalStore
  let api: JansApi
  let now = 1_000_000
  before(() => {
    store = new LocalStore({ path: ':memory:', product: 'am8' })
    api = new JansApi({ transport: store, client: CLIENT, lifetime: 300, now: () => now })
  })
  after(() => store.close())

  /** A request as serve hands it on; errors become the answer serve would send. */
  async function call(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; query?: string } = {}
  ): Promise<ApiResponse> {
    const request: ApiRequest = {
      method,
      path,
      query: new URLSearchParams(options.query ?? ''),
      headers: options.headers ?? {},
      body:
        options.body === undefined
          ? ''
          : typeof options.body === 'string'
            ? options.body
            : JSON.stringify(options.body),
      base: 'http://127.0.0.1',
    }
    try {
      return await api.handle(request)
    } catch (err) {
      const { status, message } = statusOf(err)
      return { status, headers: {}, body: JSON.parse(api.errorBody(status, message)) }
    }
  }

  const basic = (id: string, secret: string) =>
    `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`

  async function token(scopes: string[] = Object.values(SCOPES)): Promise<string> {
    const answer = await call('POST', TOKEN_PATH, {
      headers: { authorization: basic(CLIENT.id, CLIENT.secret) },
      body: `grant_type=client_credentials&scope=${encodeURIComponent(scopes.join(' '))}`,
    })
    assert.equal(answer.status, 200)
    return String((answer.body as JsonObject).access_token)
  }

  const as = (bearer: string) => ({ authorization: `Bearer ${bearer}` })

  test('the token endpoint refuses a wrong client and grants only the scripts scopes', async () => {
    const wrong = await call('POST', TOKEN_PATH, {
      headers: { authorization: basic(CLIENT.id, 'nope') },
      body: 'grant_type=client_credentials',
    })
    assert.deepEqual([wrong.status, (wrong.body as JsonObject).error], [401, 'invalid_client'])
    const grant = await call('POST', TOKEN_PATH, {
      body: `grant_type=password&client_id=${CLIENT.id}&client_secret=${CLIENT.secret}`,
    })
    assert.equal((grant.body as JsonObject).error, 'unsupported_grant_type')
    const granted = await call('POST', TOKEN_PATH, {
      headers: { authorization: basic(CLIENT.id, CLIENT.secret) },
      body: `grant_type=client_credentials&scope=${encodeURIComponent(`${SCOPES.read} openid`)}`,
    })
    assert.deepEqual(granted.body, {
      access_token: (granted.body as JsonObject).access_token,
      token_type: 'Bearer',
      expires_in: 300,
      scope: SCOPES.read,
    })
  })

  test('a request without the scope it needs is a text 401 naming the scope', async () => {
    const reader = await token([SCOPES.read])
    const refused = await call('POST', SCRIPTS, { headers: as(reader), body: {} })
    assert.equal(refused.status, 401)
    assert.equal(
      refused.text,
      `oAuth authorization error Insufficient scopes! , Required scope: [${SCOPES.write}]`
    )
    assert.match(String((await call('GET', SCRIPTS)).text), /Token is blank/)
    const later = await token()
    now += 301_000
    assert.match(String((await call('GET', SCRIPTS, { headers: as(later) })).text), /not active/)
  })

  test('create, read by inum, name and type, replace, patch and delete, as Janssen answers', async () => {
    const bearer = await token()
    const made = await call('POST', SCRIPTS, {
      headers: as(bearer),
      body: { name: 'otp', scriptType: 'PERSON_AUTHENTICATION', programmingLanguage: 'python' },
    })
    assert.equal(made.status, 201)
    const inum = String((made.body as JsonObject).inum)
    const read = await call('GET', `${SCRIPTS}/inum/${inum}`, { headers: as(bearer) })
    assert.deepEqual(read.body, made.body)
    const missing = await call('GET', `${SCRIPTS}/inum/nope`, { headers: as(bearer) })
    assert.deepEqual([missing.status, missing.text], [404, ''])
    const byName = await call('GET', `${SCRIPTS}/name/otp`, { headers: as(bearer) })
    assert.equal((byName.body as JsonObject).inum, inum)
    const byType = await call('GET', `${SCRIPTS}/type/person_authentication`, {
      headers: as(bearer),
    })
    assert.equal((byType.body as JsonObject).totalEntriesCount, 1)
    const replaced = await call('PUT', SCRIPTS, {
      headers: as(bearer),
      body: { ...(read.body as JsonObject), level: 10 },
    })
    assert.deepEqual(
      [(replaced.body as JsonObject).level, (replaced.body as JsonObject).revision],
      [10, 2]
    )
    const patched = await call('PATCH', `${SCRIPTS}/${inum}`, {
      headers: as(bearer),
      body: [{ op: 'replace', path: '/enabled', value: true }],
    })
    assert.deepEqual(
      [(patched.body as JsonObject).enabled, (patched.body as JsonObject).revision],
      [true, 3]
    )
    const badPath = await call('PATCH', `${SCRIPTS}/${inum}`, {
      headers: as(bearer),
      body: [{ op: 'remove', path: '/no/such/field' }],
    })
    assert.equal(badPath.status, 400)
    assert.match(
      String((badPath.body as JsonObject).message),
      /operation 0 \(remove \/no\/such\/field\) failed/
    )
    const gone = await call('DELETE', `${SCRIPTS}/${inum}`, { headers: as(bearer) })
    assert.deepEqual([gone.status, gone.text], [204, ''])
    const again = await call('DELETE', `${SCRIPTS}/${inum}`, { headers: as(bearer) })
    assert.deepEqual(again.body, {
      code: '404',
      message: "The requested custom script doesn't exist",
    })
  })

  test('lists come in pages of limit from startIndex, at most 200, narrowed by pattern', async () => {
    const bearer = await token()
    for (let i = 0; i < 7; i++) {
      await call('POST', SCRIPTS, {
        headers: as(bearer),
        body: {
          name: `paged_${i}`,
          description: i === 3 ? 'the third' : '',
          scriptType: 'scim',
          programmingLanguage: 'java',
          script: '',
        },
      })
    }
    const page = await call('GET', SCRIPTS, {
      headers: as(bearer),
      query: 'limit=3&startIndex=3&sortBy=name',
    })
    const body = page.body as {
      start: number
      totalEntriesCount: number
      entriesCount: number
      entries: JsonObject[]
    }
    assert.deepEqual(
      [body.start, body.totalEntriesCount, body.entriesCount, body.entries.map((e) => e.name)],
      [3, 7, 3, ['paged_3', 'paged_4', 'paged_5']]
    )
    // The last page, and one past the end, still tell the whole count.
    for (const [query, count] of [
      ['limit=3&startIndex=6', 1],
      ['limit=3&startIndex=9', 0],
      ['limit=0', 0],
    ] as const) {
      const answer = (await call('GET', SCRIPTS, { headers: as(bearer), query })).body as {
        totalEntriesCount: number
        entriesCount: number
      }
      assert.deepEqual([answer.totalEntriesCount, answer.entriesCount], [7, count], query)
    }
    const found = await call('GET', SCRIPTS, { headers: as(bearer), query: 'pattern=third' })
    assert.deepEqual(
      (found.body as { entries: JsonObject[] }).entries.map((e) => e.name),
      ['paged_3']
    )
    const tooMany = await call('GET', SCRIPTS, { headers: as(bearer), query: 'limit=201' })
    assert.deepEqual(tooMany.body, {
      code: '400',
      message: 'Maximum number of results per page is 200',
    })
  })
})
