import assert from 'node:assert/strict'
import { request, type IncomingHttpHeaders } from 'node:http'
import { connect } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { serve } from '../src/server/serve.ts'
import { openDatabase } from '../src/transport/local/database.ts'
import { b64, SERVE_PASSWORD, startServe, tempDir, type Served } from './helpers.ts'

// The issue's list of bad inputs, each against a real `amsh serve`: none crashes the server,
// none changes the store, and every answer is CREST's error JSON, never a stack trace.

let served: Served
let token: string
const home = tempDir('amsh-bad-input-')
const storeFile = join(home.dir, 'store.db')
let seeded: Answer
let beforeRealm: Answer
let baseline: unknown

const SCRIPT = {
  name: 'Seed',
  script: b64('var a = 1;'),
  language: 'JAVASCRIPT',
  context: 'AUTHENTICATION_TREE_DECISION_NODE',
}
const NOT_FOUND = { code: 404, reason: 'Not Found', message: 'Resource cannot be found.' }
const DENIED = { code: 401, reason: 'Unauthorized', message: 'Access Denied' }
const LOG_LINE = /^[A-Z]+ \/\S* (\d{3}) [\d.]+ms$/gm

interface Answer {
  status: number
  headers: IncomingHttpHeaders
  text: string
  json: Record<string, unknown>
}

function address(): { host: string; port: number } {
  const url = new URL(served.base)
  return { host: url.hostname, port: Number(url.port) }
}

const logLines = () => [...served.log().matchAll(LOG_LINE)]
/** How many request lines the server must have logged by now. */
let logged = 0

/** Waits for the server's log to hold `count` request lines (stderr trails the response). */
async function loggedLines(count: number): Promise<RegExpExecArray[]> {
  const deadline = Date.now() + 2000
  while (logLines().length < count && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5))
  }
  return logLines()
}

/**
 * One request with the path sent as written (fetch would resolve `%2e%2e` and `//` first),
 * checked for its request log line.
 */
async function http(
  method: string,
  path: string,
  options: {
    body?: string | Buffer | Buffer[]
    headers?: Record<string, string>
    auth?: boolean
    /** Whether the server sees a request it logs (not when it cannot even parse it). */
    logged?: boolean
    server?: Served
  } = {}
): Promise<Answer> {
  const server = options.server ?? served
  const url = new URL(server.base)
  const answer = await new Promise<Answer>((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: `${url.pathname}${path}`,
        agent: false,
        headers: {
          'accept-api-version': 'protocol=2.0,resource=1.0',
          ...(options.auth === false ? {} : { cookie: `iPlanetDirectoryPro=${token}` }),
          ...(typeof options.body === 'string' ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let json: Record<string, unknown>
          try {
            json = JSON.parse(text) as Record<string, unknown>
          } catch {
            reject(new Error(`${method} ${path}: not JSON: ${text.slice(0, 200)}`))
            return
          }
          resolve({ status: response.statusCode!, headers: response.headers, text, json })
        })
      }
    )
    outgoing.on('error', reject)
    if (Array.isArray(options.body)) {
      for (const chunk of options.body) outgoing.write(chunk)
      outgoing.end()
    } else outgoing.end(options.body)
  })
  if (options.logged !== false && server === served) {
    const lines = await loggedLines(++logged)
    const what = `${method} ${path.slice(0, 100)}`
    // Counted from here on, whatever this request logged: one failure, not a cascade.
    const expected = logged
    logged = lines.length
    assert.equal(lines.length, expected, `one log line for ${what}`)
    assert.equal(Number(lines.at(-1)![1]), answer.status, `the log line of ${what}`)
  }
  return answer
}

/** CREST's error JSON: code, reason, message (HTML-escaped), nothing like a stack trace. */
function assertCrest(answer: Answer, status: number, message?: string | RegExp): void {
  assert.equal(answer.status, status, answer.text)
  assert.equal(answer.headers['content-type'], 'application/json;charset=UTF-8')
  assert.deepEqual(Object.keys(answer.json), ['code', 'reason', 'message'])
  assert.equal(answer.json.code, status)
  assert.equal(typeof answer.json.reason, 'string')
  assert.notEqual(answer.json.reason, 'Error')
  assert.doesNotMatch(answer.text, /\bat .*:\d+:\d+|node:internal|\.ts\b/)
  if (typeof message === 'string') assert.equal(answer.json.message, message)
  else if (message) assert.match(String(answer.json.message), message)
}

/** How many whole responses (head and content-length body) a raw exchange holds so far. */
function whole(text: string): number {
  let count = 0
  for (let at = 0; ; count++) {
    const end = text.indexOf('\r\n\r\n', at)
    const length = /content-length: (\d+)/i.exec(text.slice(at, end))
    if (end < 0 || !length || text.length < end + 4 + Number(length[1])) return count
    at = end + 4 + Number(length[1])
  }
}

/**
 * Raw bytes on a fresh connection; what comes back until the server closes, `answers` whole
 * responses came, or `wait` ms pass.
 */
function raw(
  parts: (string | Buffer)[],
  options: { wait?: number; hangUp?: boolean; answers?: number } = {}
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(address())
    let text = ''
    let done = false
    const finish = (closed: boolean) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ text, closed })
    }
    const timer = setTimeout(() => finish(false), options.wait ?? 1000)
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      text += chunk
      if (options.answers !== undefined && whole(text) >= options.answers) finish(false)
    })
    socket.on('end', () => finish(true))
    socket.on('close', () => finish(true))
    socket.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' || err.code === 'EPIPE' ? finish(true) : reject(err)
    )
    socket.on('connect', () => {
      for (const part of parts) socket.write(part)
      if (options.hangUp) socket.write('', () => finish(true))
    })
  })
}

/** The responses in a raw exchange, read by their content-length. */
function responses(text: string): Answer[] {
  const answers: Answer[] = []
  let rest = text
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n')
    assert.ok(end > 0, `a response head in ${JSON.stringify(rest.slice(0, 200))}`)
    const [statusLine = '', ...lines] = rest.slice(0, end).split('\r\n')
    const headers: IncomingHttpHeaders = {}
    for (const line of lines) {
      const colon = line.indexOf(':')
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
    }
    const length = Number(headers['content-length'])
    assert.ok(Number.isInteger(length), `a content-length in ${statusLine}`)
    const body = rest.slice(end + 4, end + 4 + length)
    rest = rest.slice(end + 4 + length)
    answers.push({
      status: Number(statusLine.split(' ')[1]),
      headers: { ...headers, 'http-version': statusLine.split(' ')[0] },
      text: body,
      json: JSON.parse(body) as Record<string, unknown>,
    })
  }
  return answers
}

/** The store as the server's clients see it and as SQLite holds it. */
async function dump(): Promise<unknown> {
  const rest: unknown[] = []
  for (const realm of ['/json/realms/root', '/json/realms/root/realms/alpha']) {
    rest.push((await http('GET', `${realm}/scripts?_queryFilter=true`)).json)
  }
  const { db } = openDatabase(storeFile, { snapshot: true })
  try {
    return {
      rest,
      realms: db.prepare('SELECT path FROM realms ORDER BY path').all(),
      resources: db.prepare('SELECT * FROM resources ORDER BY entity, realm, id').all(),
    }
  } finally {
    db.close()
  }
}

function login(password: string, server = served): Promise<Answer> {
  return http('POST', '/json/realms/root/authenticate', {
    server,
    auth: false,
    body: '{}',
    headers: {
      'accept-api-version': 'resource=2.0, protocol=1.0',
      'x-openam-username': 'amadmin',
      'x-openam-password': password,
    },
  })
}

before(async () => {
  served = await startServe(['--store', storeFile])
  token = String((await login(SERVE_PASSWORD)).json.tokenId)
  beforeRealm = await http('PUT', '/json/realms/root/realms/alpha/scripts/seed', {
    body: JSON.stringify(SCRIPT),
  })
  await http('POST', '/json/global-config/realms?_action=create', {
    body: JSON.stringify({ name: 'alpha', parentPath: '/', active: true, aliases: [] }),
  })
  seeded = await http('PUT', '/json/realms/root/realms/alpha/scripts/seed', {
    body: JSON.stringify(SCRIPT),
  })
  baseline = await dump()
})

after(() => {
  served.stop()
  home.remove()
})

describe('amsh serve and bad input', () => {
  test('a PUT into a realm that does not exist is 404 Realm not found; once it exists, 201', async () => {
    assertCrest(beforeRealm, 404)
    assert.match(beforeRealm.text, /Realm not found/)
    assert.equal(seeded.status, 201, seeded.text)
    const { realms } = baseline as { realms: { path: string }[] }
    assert.ok(realms.some((realm) => realm.path === '/alpha'))
  })

  test('bodies that are not a JSON object: 400', async () => {
    const collection = '/json/realms/root/scripts'
    const cases: [string, string, string][] = [
      ['PUT', `${collection}/x`, '{nope'],
      ['PUT', `${collection}/x`, '[1, 2]'],
      ['PUT', `${collection}/x`, '"a string"'],
      ['PUT', `${collection}/x`, 'null'],
      ['PUT', `${collection}/x`, '42'],
      ['PUT', `${collection}/x`, ''],
      ['PUT', `${collection}/x`, '\u0000\uffff'],
      ['POST', `${collection}?_action=create`, 'name=x&script=y'],
      ['POST', `${collection}?_action=create`, '[]'],
      ['POST', `${collection}?_action=validate`, '<script/>'],
      ['POST', `${collection}?_action=validate`, '"dmFyIGEgPSAxOw=="'],
      // Nested far deeper than any parser's stack: still just a bad script.
      ['PUT', `${collection}/x`, `{"script":${'['.repeat(100_000)}${']'.repeat(100_000)}}`],
    ]
    for (const [method, path, body] of cases) {
      assertCrest(await http(method, path, { body }), 400)
    }
  })

  // Valid JSON that deep once reached the store: a 500 (JSON.stringify overflowed), or stored.
  test('a body nested deeper than 1,000 levels: 400, saying where', async () => {
    const deep = (value: string) =>
      JSON.stringify({ ...SCRIPT, name: 'Deep' }).replace('"Deep"', value)
    for (const body of [
      deep(`${'['.repeat(100_000)}${']'.repeat(100_000)}`),
      deep(`"Deep", "extra": ${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`),
      deep(`${'['.repeat(5000)}1,`),
    ]) {
      assertCrest(
        await http('PUT', '/json/realms/root/scripts/deep', { body }),
        400,
        /^The request body is nested deeper than 1000 levels at 1:\d+$/
      )
    }
  })

  test('a body over the limit: 413, however its length is told', async () => {
    const big = JSON.stringify({ ...SCRIPT, script: 'A'.repeat(2_000_000) })
    const tooLarge = /larger than/
    // Told by content-length.
    assertCrest(await http('PUT', '/json/realms/root/scripts/big', { body: big }), 413, tooLarge)
    // Chunked: no length up front.
    const chunks = Array.from({ length: 40 }, () => Buffer.alloc(64 * 1024, 'A'))
    assertCrest(
      await http('PUT', '/json/realms/root/scripts/big', {
        body: chunks,
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      }),
      413,
      tooLarge
    )
    // A content-length over the limit is refused at once, though the body never comes whole.
    const head = (length: number) =>
      `PUT /am/json/realms/root/scripts/big HTTP/1.1\r\nHost: x\r\nCookie: iPlanetDirectoryPro=${token}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`
    const lying = await raw([head(3_000_000), Buffer.alloc(1_500_000, 'A')], { answers: 1 })
    const [answer] = responses(lying.text)
    assertCrest(answer!, 413, tooLarge)
    logged++
    // One that promises less: the rest is no HTTP, and the connection ends.
    const short = await raw([head(20), JSON.stringify(SCRIPT)])
    const answers = responses(short.text)
    assert.ok(short.closed)
    assertCrest(answers[0]!, 400)
    logged++
    for (const next of answers.slice(1)) assertCrest(next, 400)
  })

  test('a _queryFilter 300 deep or 100k long: 400', async () => {
    const deep = `${'('.repeat(300)}true${')'.repeat(300)}`
    assertCrest(
      await http('GET', `/json/realms/root/scripts?_queryFilter=${encodeURIComponent(deep)}`),
      400,
      /could not be parsed/
    )
    const long = `name eq "${'x'.repeat(100_000)}"`
    assertCrest(
      await http('GET', `/json/realms/root/scripts?_queryFilter=${encodeURIComponent(long)}`, {
        logged: false,
      }),
      400
    )
    // Wide rather than deep, and short enough to arrive: an answer, whichever.
    const wide = Array.from({ length: 400 }, (_, i) => `name eq "${i}"`).join(' or ')
    const answer = await http(
      'GET',
      `/json/realms/root/scripts?_queryFilter=${encodeURIComponent(wide)}`
    )
    assert.ok(answer.status === 200 || answer.status === 400, answer.text)
  })

  test("malformed realm paths: AM's 404", async () => {
    const paths = [
      '/json/realms/alpha/scripts?_queryFilter=true',
      '/json/alpha/realms/root/scripts?_queryFilter=true',
      '/json/realms/root//scripts?_queryFilter=true',
      '/json//realms/root/scripts?_queryFilter=true',
      '//json/realms/root/scripts?_queryFilter=true',
      '/json/realms/root/realms/?_queryFilter=true',
      '/json/realms/root/realms//scripts?_queryFilter=true',
      '/json/realms/root/realms/scripts?_queryFilter=true',
      '/json/realms/root/realms/alpha/realms/scripts?_queryFilter=true',
      '/json/realms/root/realms/alpha/scripts/seed/more',
      '/json/realms/root/nothing/scripts?_queryFilter=true',
    ]
    for (const path of paths) assert.deepEqual((await http('GET', path)).json, NOT_FOUND, path)
    const method = await http('DELETE', '/json/realms/root/scripts')
    assertCrest(method, 405)
    assert.equal(method.json.reason, 'Method Not Allowed')
    for (const path of [
      '/json/realms/alpha/scripts/x',
      '/json/realms/root//scripts/x',
      '/json/realms/root/realms//scripts/x',
      '/json/realms/root/realms/scripts/x',
    ]) {
      const answer = await http('PUT', path, { body: JSON.stringify(SCRIPT) })
      assert.deepEqual([answer.status, answer.json], [404, NOT_FOUND], path)
    }
    // Nothing AM knows, with or without a session; `//am/...` is outside the context path.
    assert.deepEqual((await http('GET', '/x/json/serverinfo/*', { auth: false })).json, NOT_FOUND)
    const outside = await raw(['GET //am/json/serverinfo/* HTTP/1.1\r\nHost: x\r\n\r\n'], {
      answers: 1,
    })
    assert.deepEqual(responses(outside.text)[0]!.json, NOT_FOUND)
    logged++
  })

  test('path traversal in ids and realm names: 400 or 404, nothing written', async () => {
    const ids = [
      '..%2F..%2Fetc',
      '..%2f..%2fetc%2fpasswd',
      '%2e%2e',
      '%2E%2E%2Fx',
      '.%2e',
      '..%5C..%5Cwindows',
      '%5C',
      'a%00b',
      '%00',
      'x%0Ay',
      'x%ZZ',
    ]
    const realms = ['..%2F..%2Fetc', '%2e%2e', '.%2E', 'a%2Fb', 'a%5Cb', 'a%00', '%2e', '..', '.']
    const targets = [
      ...ids.map((id) => `/json/realms/root/scripts/${id}`),
      ...ids.map((id) => `/json/realms/root/realms/alpha/scripts/${id}`),
      ...realms.map((realm) => `/json/realms/root/realms/${realm}/scripts/x`),
      '/json/realms/root/scripts/../../../../etc/passwd',
      '/json/realms/root/realms/alpha/scripts/../../../../../../x',
    ]
    for (const path of targets) {
      for (const method of ['PUT', 'GET', 'DELETE']) {
        const answer = await http(method, path, {
          body: method === 'PUT' ? JSON.stringify({ ...SCRIPT, name: path }) : undefined,
        })
        assert.ok([400, 404].includes(answer.status), `${method} ${path}: ${answer.text}`)
        assertCrest(answer, answer.status)
      }
    }
  })

  test('missing, expired and forged sessions: 401 Access Denied', async () => {
    const query = '/json/realms/root/scripts?_queryFilter=true'
    const own = String((await login(SERVE_PASSWORD)).json.tokenId)
    assert.equal(
      (await http('GET', query, { headers: { cookie: `iPlanetDirectoryPro=${own}` } })).status,
      200
    )
    const logout = await http('POST', '/json/realms/root/sessions?_action=logout', {
      headers: { cookie: `iPlanetDirectoryPro=${own}` },
      body: '{}',
    })
    assert.equal(logout.status, 200, logout.text)
    // A live token with one character changed.
    const forged = `${token.startsWith('A') ? 'B' : 'A'}${token.slice(1)}`
    const attempts: Record<string, string>[] = [
      {},
      { cookie: `iPlanetDirectoryPro=${own}` },
      { iplanetdirectorypro: own },
      { authorization: `Bearer ${own}` },
      { cookie: `iPlanetDirectoryPro=${forged}` },
      { cookie: 'iPlanetDirectoryPro=' },
      { cookie: `iPlanetDirectoryPro=${'A'.repeat(4000)}` },
      { cookie: `other=${token}` },
      { cookie: ';;==;iPlanetDirectoryPro' },
      { authorization: 'Bearer ' },
      { authorization: `Basic ${b64(`amadmin:${SERVE_PASSWORD}`)}` },
      { iplanetdirectorypro: `${token}x` },
    ]
    for (const headers of attempts) {
      const answer = await http('PUT', '/json/realms/root/scripts/x', {
        auth: false,
        headers,
        body: JSON.stringify(SCRIPT),
      })
      assert.deepEqual([answer.status, answer.json], [401, DENIED], JSON.stringify(headers))
      assert.deepEqual((await http('GET', query, { auth: false, headers })).json, DENIED)
    }
  })

  test('sessions idle out, wrong passwords are refused and slowed down', async () => {
    const other = await startServe(['--idle-timeout', '1'])
    try {
      const query = (session: string) =>
        http('GET', '/json/realms/root/scripts?_queryFilter=false', {
          server: other,
          auth: false,
          headers: { cookie: `iPlanetDirectoryPro=${session}` },
        })
      const idle = String((await login(SERVE_PASSWORD, other)).json.tokenId)
      assert.equal((await query(idle)).status, 200)

      const took: number[] = []
      for (let i = 0; i < 5; i++) {
        const started = performance.now()
        const wrong = await login(`wrong-${i}`, other)
        took.push(performance.now() - started)
        assert.deepEqual(
          [wrong.status, wrong.json],
          [401, { code: 401, reason: 'Unauthorized', message: 'Authentication Failed' }]
        )
      }
      assert.ok(took[4]! > took[0]! + 250, `5th failure ${took[4]}ms, 1st ${took[0]}ms`)
      assert.ok(took[4]! < 5000)
      const right = await login(SERVE_PASSWORD, other)
      assert.equal(right.status, 200)
      assert.equal((await query(String(right.json.tokenId))).status, 200)

      // More than a second since the idle session was last used (the failures took that long).
      await new Promise((r) => setTimeout(r, Math.max(0, 1100 - took.reduce((a, b) => a + b))))
      assert.deepEqual((await query(idle)).json, DENIED)
    } finally {
      other.stop()
    }
  })

  test('an HTTP/1.0 client without Host: an answer, then the connection closes', async () => {
    const { text, closed } = await raw(['GET /am/json/serverinfo/* HTTP/1.0\r\n\r\n'])
    assert.ok(closed)
    const [answer, ...more] = responses(text)
    assert.equal(answer!.status, 200)
    assert.equal(answer!.json.cookieName, 'iPlanetDirectoryPro')
    assert.deepEqual(more, [])
    assert.equal((await loggedLines(++logged)).length, logged)
    // HTTP/1.1 requires a Host: AM's container refuses a request without one.
    const [noHost] = responses(
      (await raw(['GET /am/json/serverinfo/* HTTP/1.1\r\n\r\n'], { answers: 1 })).text
    )
    assertCrest(noHost!, 400)
    logged++
  })

  test('clients that hang up mid-body or send no HTTP at all', async () => {
    const head = [
      'PUT /am/json/realms/root/scripts/half HTTP/1.1',
      'Host: x',
      `Cookie: iPlanetDirectoryPro=${token}`,
      'Content-Type: application/json',
      'Content-Length: 1000',
      '',
      '',
    ].join('\r\n')
    const body = JSON.stringify({ ...SCRIPT, name: 'Half', description: 'x'.repeat(1000) })
    await raw([head, body.slice(0, 500)], { hangUp: true })
    assert.equal((await loggedLines(++logged)).length, logged)
    // [what is sent, whether node reads a request head in it (which gets a log line)]
    const garbage: [string, boolean][] = [
      ['HELLO\r\n\r\n', false],
      ['\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003', false],
      ['GET / HTTP/9.9\r\n\r\n', false],
      ['BREW /am/json/serverinfo/* HTTP/1.1\r\nHost: x\r\n\r\n', false],
      ['GET /am/json/serverinfo/* HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n', false],
      ['GET /am/json/serverinfo/* HTTP/1.1\r\nBad Header\r\n\r\n', false],
      [
        `PUT /am/json/realms/root/scripts/c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nCookie: iPlanetDirectoryPro=${token}\r\n\r\n5\r\n{"a":\r\nZZ\r\n`,
        true,
      ],
    ]
    for (const [bytes, headRead] of garbage) {
      const { text, closed } = await raw([bytes])
      assert.ok(closed, JSON.stringify(bytes))
      const answers = responses(text)
      assert.equal(answers.length, 1, JSON.stringify(bytes))
      assertCrest(answers[0]!, 400)
      if (headRead) assert.equal((await loggedLines(++logged)).length, logged)
    }
    const alive = await http('GET', '/json/serverinfo/*', { auth: false })
    assert.equal(alive.status, 200)
  })

  // 3 KB of `${ once aborted the whole server in a regular expression deep inside acorn.
  test('hostile script sources to validate: a verdict, and the server stays up', async () => {
    for (const source of ['`${'.repeat(1000), '('.repeat(50_000), '\\$'.repeat(16_000)]) {
      for (const language of ['JAVASCRIPT', 'GROOVY']) {
        const verdict = await http('POST', '/json/realms/root/scripts?_action=validate', {
          body: JSON.stringify({ script: b64(source), language }),
        })
        assert.equal(verdict.status, 200, verdict.text)
        assert.equal(verdict.json.success, false, `${language} ${source.slice(0, 9)}`)
      }
    }
  })

  test('an Expect it does not meet: 417 as CREST JSON (node alone answers with no body)', async () => {
    const answer = await http('POST', '/json/realms/root/scripts?_action=create', {
      body: JSON.stringify(SCRIPT),
      headers: { expect: 'something-else' },
    })
    assertCrest(answer, 417, 'Expect: something-else is not supported')
  })

  test('CONNECT and a protocol upgrade: 405 as CREST JSON (node alone closes without a word)', async () => {
    const { host, port } = address()
    for (const head of [
      `CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`,
      'GET /am/json/serverinfo/* HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n',
    ]) {
      const { text, closed } = await raw([head])
      assert.ok(closed, head)
      const answers = responses(text)
      assert.equal(answers.length, 1, JSON.stringify(text))
      assertCrest(answers[0]!, 405, /is not served here$/)
      // CONNECT's target is a host, not a path: its log line is not one LOG_LINE counts.
      if (head.startsWith('GET')) assert.equal((await loggedLines(++logged)).length, logged)
    }
  })

  test('after all of it: the server runs and the store is as it was', async () => {
    assert.equal(served.process.exitCode, null)
    assert.equal(served.process.signalCode, null)
    assert.deepEqual(await dump(), baseline)
    assert.equal((await loggedLines(logged)).length, logged)
    assert.doesNotMatch(served.log(), /internal error|\n\s+at /)
  })

  // Checked once more after the store check: neither may have written anything.
  test('a realm name the CLI refuses (space, control character) is no realm: 404', async () => {
    for (const realm of ['a%20b', 'a%3Fb', 'a%25b', '%E2%80%AE']) {
      const path = `/json/realms/root/realms/${realm}/scripts/x`
      const answer = await http('PUT', path, { body: JSON.stringify({ ...SCRIPT, name: realm }) })
      assert.deepEqual([answer.status, answer.json], [404, NOT_FOUND], path)
    }
  })

  test('a _pageSize past what SQLite counts: 400, not the store failing', async () => {
    const answer = await http(
      'GET',
      '/json/realms/root/scripts?_queryFilter=true&_pageSize=99999999999999999999'
    )
    assertCrest(answer, 400)
    assert.deepEqual(await dump(), baseline)
  })
})

// Found by the fuzz target of the server: a client that half-closed after its request lost the
// answer when the handler took a moment (a failed login's delay, a large store).
test('a client that closes its side after the request still gets a slow answer', async () => {
  const { server, url } = await serve({
    router: {
      handle: async () => {
        await new Promise((done) => setTimeout(done, 50))
        return { status: 200, headers: {}, body: { slow: true } }
      },
      errorBody: (status, message) => JSON.stringify({ code: status, message }),
    },
    host: '127.0.0.1',
    port: 0,
    contextPath: '/am',
    log: () => undefined,
  })
  try {
    const text = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = []
      const socket = connect(Number(new URL(url).port), '127.0.0.1')
      socket.on('data', (chunk: Buffer) => chunks.push(chunk))
      socket.on('error', reject)
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')))
      // end(): the request, then the client's FIN.
      socket.end('GET /am/json/x HTTP/1.1\r\nHost: x\r\n\r\n')
    })
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/)
    assert.match(text, /\r\n\r\n\{"slow":true\}$/)
  } finally {
    server.closeAllConnections()
    await new Promise((done) => server.close(done))
  }
})
