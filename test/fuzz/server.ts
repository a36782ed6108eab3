import { connect } from 'node:net'
import fc from 'fast-check'
import { getProfile } from '../../src/catalog/profiles.ts'
import { JansApi } from '../../src/server/jans/api.ts'
import { Router } from '../../src/server/router.ts'
import { serve } from '../../src/server/serve.ts'
import { Sessions } from '../../src/server/sessions.ts'
import { LoginThrottle } from '../../src/server/throttle.ts'
import { LocalStore } from '../../src/transport/local/store.ts'
import { SCRIPT_SCOPES, TOKEN_PATH } from '../../src/transport/jans/token.ts'
import { HOSTILE, inputs, mutated, textOf } from './inputs.ts'
import { target, type FuzzTarget } from './inputs.ts'

// `amsh serve` on a loopback port, in this process, over a store in memory, sent generated
// requests as bytes on a socket (so that what an HTTP client would refuse to send is sent too).
// The property: every request is answered, in time, with a JSON body and a status below 500
// (501, Not Implemented, is a deliberate answer; a 500 is an internal error); the server's log
// never shows an internal error; the server stays up for the next request.

export interface FuzzRequest {
  /** Whether it carries the headers of a logged-in client. */
  authenticated: boolean
  method: string
  /** The request target as sent: a path and query, encoded or not. */
  target: string
  headers: [string, string][]
  body: string
}

const PASSWORD = 'fuzz-p4ss'

/**
 * Failed logins answer later and later, on purpose; the time bound is for work, so the fuzzed
 * server does not wait.
 */
const unhurried = () => new LoginThrottle({ delayMs: () => 0 })
const JANS_CLIENT = { id: 'amsh-client', secret: PASSWORD }
const SCRIPT_ID = '11111111-2222-4333-8444-555555555555'

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE']

/** Segments AM's paths are made of, and ones that are not, encoded or not. */
const AM_SEGMENTS = [
  'json',
  'realms',
  'root',
  'alpha',
  'scripts',
  'libraries',
  'global-config',
  'services',
  'scripting',
  'contexts',
  'globalScript',
  'realm-config',
  'authentication',
  'servers',
  'server-default',
  'properties',
  'advanced',
  'serverinfo',
  '*',
  'version',
  'authenticate',
  'sessions',
  'oauth2',
  'access_token',
  'AUTHENTICATION_TREE_DECISION_NODE',
  SCRIPT_ID,
  '..',
  '.',
  '%2e%2e',
  '%2E',
  '%2F',
  '%5C',
  '%00',
  '%',
  '%zz',
  '%C3%A9',
  '%FF',
  'é',
  ' ',
  '',
  ';jsessionid=1',
  'a'.repeat(300),
]

const JANS_SEGMENTS = [
  'jans-config-api',
  'api',
  'v1',
  'config',
  'scripts',
  'inum',
  'name',
  'type',
  'person_authentication',
  'PERSON_AUTHENTICATION',
  'jans-auth',
  'restv1',
  'token',
  'otp',
  'A51E-76DA',
  ...AM_SEGMENTS.slice(-16),
]

const AM_PATHS = [
  '/am/json/realms/root/scripts',
  `/am/json/realms/root/scripts/${SCRIPT_ID}`,
  '/am/json/realms/root/realms/alpha/scripts',
  '/am/json/scripts',
  '/am/json/realms/root/libraries',
  '/am/json/global-config/realms',
  '/am/json/global-config/services/scripting/globalScript',
  '/am/json/global-config/services/scripting/contexts',
  '/am/json/global-config/services/scripting/contexts/AUTHENTICATION_TREE_DECISION_NODE',
  '/am/json/realms/root/contexts',
  '/am/json/realms/root/realm-config/authentication',
  '/am/json/global-config/authentication',
  '/am/json/global-config/servers/server-default/properties/advanced',
  '/am/json/serverinfo/*',
  '/am/json/serverinfo/version',
  '/am/json/realms/root/authenticate',
  '/am/json/authenticate',
  '/am/json/realms/root/sessions',
  '/am/oauth2/access_token',
]

const JANS_PATHS = [
  '/jans-config-api/api/v1/config/scripts',
  '/jans-config-api/api/v1/config/scripts/inum/A51E-76DA',
  '/jans-config-api/api/v1/config/scripts/name/otp',
  '/jans-config-api/api/v1/config/scripts/type/person_authentication',
  '/jans-config-api/api/v1/config/scripts/A51E-76DA',
  TOKEN_PATH,
]

const QUERY_NAMES = [
  '_queryFilter',
  '_pageSize',
  '_pagedResultsCookie',
  '_pagedResultsOffset',
  '_fields',
  '_sortKeys',
  '_action',
  '_prettyPrint',
  'limit',
  'startIndex',
  'pattern',
  'sortBy',
  'sortOrder',
  'authIndexType',
  'authIndexValue',
  'tokenId',
]

const ACTIONS = [
  'create',
  'validate',
  'createGlobal',
  'getSessionInfo',
  'logout',
  'validate',
  'getAllTypes',
  'nextdescendents',
  'template',
]

const FILTER = ' ()!"\'\\/eqcoswgtlprandortruefalse_0123456789.-'

// Most requests reach the router: what node refuses to parse (a head over 16 KiB, a raw control
// character) is a part of them, not most.
const QUERY_VALUES = fc.oneof(
  {
    weight: 20,
    arbitrary: fc.oneof(
      textOf(FILTER, 60),
      fc
        .tuple(
          fc.constantFrom('true', 'name eq "', '_id sw "', 'context co "AUTH'),
          textOf(FILTER, 30)
        )
        .map(([a, b]) => a + b)
    ),
  },
  { weight: 10, arbitrary: fc.constantFrom(...ACTIONS) },
  { weight: 6, arbitrary: fc.integer().map(String) },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      '-1',
      '0',
      '9007199254740993',
      '1e3',
      '99999999999',
      'descending',
      'name,-_id'
    ),
  },
  { weight: 3, arbitrary: fc.string({ maxLength: 20, unit: 'binary' }) },
  { weight: 1, arbitrary: fc.constant('a'.repeat(20_000)) }
)

/** A query value as it may be sent: encoded, half encoded, or raw. */
const encoded = (value: string, how: number) =>
  how < 16 ? encodeURIComponent(value) : how < 19 ? encodeURI(value) : value

const QUERY = fc
  .array(
    fc.tuple(
      fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...QUERY_NAMES) }, textOf('_a=&%', 8)),
      QUERY_VALUES,
      fc.nat(19)
    ),
    { maxLength: 4 }
  )
  .map((pairs) =>
    pairs.length === 0
      ? ''
      : `?${pairs.map(([name, value, how]) => `${encoded(name, how)}=${encoded(value, how)}`).join('&')}`
  )

function pathOf(paths: string[], segments: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...paths) },
    {
      weight: 3,
      // A real path with segments added, changed or cut.
      arbitrary: fc
        .tuple(
          fc.constantFrom(...paths),
          fc.array(fc.constantFrom(...segments), { maxLength: 3 }),
          fc.nat(6)
        )
        .map(([path, extra, cut]) => {
          const parts = path.split('/')
          return [...parts.slice(0, Math.max(1, parts.length - cut)), ...extra].join('/')
        }),
    },
    {
      weight: 2,
      arbitrary: fc
        .array(fc.constantFrom(...segments), { maxLength: 8 })
        .map((parts) => `/${parts.join('/')}`),
    },
    { weight: 1, arbitrary: textOf('/%.?#az09\\ é', 60).map((text) => `/${text}`) },
    // Past the 16 KiB node allows a request's head, and just below it.
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...paths), fc.constantFrom(15_000, 20_000))
        .map(([p, n]) => `${p}/${'a'.repeat(n)}`),
    },
    { weight: 1, arbitrary: fc.constantFrom('*', 'http://x/am/json/serverinfo/*', '//am/json', '') }
  )
}

const SCRIPT_BODY = {
  name: 'Fuzzed',
  script: Buffer.from('var a = 1;').toString('base64'),
  language: 'JAVASCRIPT',
  context: 'AUTHENTICATION_TREE_DECISION_NODE',
  evaluatorVersion: '2.0',
  description: 'x',
}
const GROOVY_BODY = {
  ...SCRIPT_BODY,
  name: 'Groovy',
  language: 'GROOVY',
  script: Buffer.from('def x = [1, 2]\nx.each { println it }').toString('base64'),
}
const CUSTOM_SCRIPT = {
  name: 'otp',
  scriptType: 'PERSON_AUTHENTICATION',
  programmingLanguage: 'python',
  script: 'def f(x):\n    return x\n',
  level: 10,
  enabled: true,
}
const PATCH = [{ op: 'replace', path: '/level', value: 5 }]

/** Bodies: valid ones mutated, JSON-shaped text, deep nesting, megabyte names, forms. */
function bodyOf(valid: unknown[]): fc.Arbitrary<string> {
  const texts = valid.map((body) => JSON.stringify(body))
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant('') },
    { weight: 3, arbitrary: fc.constantFrom(...texts) },
    { weight: 5, arbitrary: mutated(texts) },
    {
      weight: 2,
      // A valid body with one field's value replaced.
      arbitrary: fc
        .tuple(
          fc.constantFrom(...valid.filter((v) => !Array.isArray(v))),
          fc.constantFrom('name', 'script', 'language', 'context', 'inum', 'scriptType', '_id'),
          fc.oneof(
            fc.jsonValue({ maxDepth: 3 }),
            fc.constant('n'.repeat(1 << 20)),
            fc.constant(Buffer.from('`${'.repeat(5000)).toString('base64')),
            fc.constant(Buffer.from('('.repeat(10_000)).toString('base64'))
          )
        )
        .map(([body, field, value]) => JSON.stringify({ ...(body as object), [field]: value })),
    },
    { weight: 2, arbitrary: inputs(' {}[]:,"\\tfn.0123456789eE+-abu', ['{"name": ', '[{"op": ']) },
    { weight: 1, arbitrary: HOSTILE.filter((text) => text.length <= 1 << 20) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'grant_type=client_credentials&scope=https://jans.io/oauth/config/scripts.readonly',
        `client_id=${JANS_CLIENT.id}&client_secret=${PASSWORD}&grant_type=client_credentials`,
        'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b.c',
        '%%%&&&==='
      ),
    }
  )
}

interface Flavour {
  name: string
  paths: string[]
  segments: string[]
  valid: unknown[]
  /** The answers this flavour gives as text, on purpose (Janssen's 401s and empty 404s). */
  textAllowed(status: number, type: string, body: string): boolean
}

function headersOf(): fc.Arbitrary<[string, string][]> {
  const value = fc.oneof(
    {
      weight: 12,
      arbitrary: fc.constantFrom(
        'protocol=2.1,resource=1.1',
        'resource=2.0, protocol=1.0',
        'protocol=1.0',
        'resource=9.9',
        'protocol=x',
        'application/json',
        'application/x-www-form-urlencoded',
        'text/plain; charset=latin1',
        '"0"',
        '*',
        'W/"1"',
        'Bearer nope',
        'Basic ' + Buffer.from(`${JANS_CLIENT.id}:${PASSWORD}`).toString('base64'),
        'Basic ' + Buffer.from('nocolon').toString('base64'),
        'amadmin',
        PASSWORD,
        'iPlanetDirectoryPro=nope; other=1',
        '100-continue'
      ),
    },
    { weight: 6, arbitrary: textOf(' ,;="\\az09=/é\t', 40) },
    { weight: 1, arbitrary: fc.constant('h'.repeat(20_000)) }
  )
  const name = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom(
        'accept-api-version',
        'content-type',
        'if-match',
        'if-none-match',
        'cookie',
        'authorization',
        'iplanetdirectorypro',
        'x-openam-username',
        'x-openam-password',
        'x-forgerock-transactionid',
        'accept'
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('expect', 'transfer-encoding', 'content-length', 'host'),
    },
    { weight: 2, arbitrary: fc.stringMatching(/^[a-z][a-z-]{0,11}$/) },
    { weight: 1, arbitrary: textOf('az-_:', 12) }
  )
  return fc.array(fc.tuple(name, value), { maxLength: 4 })
}

function requestsOf(flavour: Flavour): fc.Arbitrary<FuzzRequest> {
  return fc.record({
    authenticated: fc.oneof(
      { weight: 4, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: fc.constant(false) }
    ),
    method: fc.oneof(
      { weight: 40, arbitrary: fc.constantFrom(...METHODS) },
      { weight: 1, arbitrary: fc.constantFrom('get', 'FOO', 'PROPFIND', 'CONNECT') },
      { weight: 1, arbitrary: textOf('AZaz-_ /', 10) }
    ),
    target: fc
      .tuple(pathOf(flavour.paths, flavour.segments), QUERY)
      .map(([path, query]) => path + query),
    headers: headersOf(),
    body: bodyOf(flavour.valid),
  })
}

interface Answer {
  status: number
  headers: Record<string, string>
  body: string
}

/** The request's bytes: its head (latin1, as HTTP reads it) and its body (UTF-8). */
function bytesOf(request: FuzzRequest, host: string): Buffer {
  const body = Buffer.from(request.body, 'utf8')
  const lines = [`${request.method} ${request.target} HTTP/1.1`]
  const given = new Set(request.headers.map(([name]) => name.toLowerCase()))
  if (!given.has('host')) lines.push(`Host: ${host}`)
  lines.push('Connection: close')
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`)
  if (!given.has('content-length') && !given.has('transfer-encoding')) {
    lines.push(`Content-Length: ${body.length}`)
  }
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body])
}

/** Sends a request on a connection of its own; the answer, read to the connection's end. */
function send(port: number, bytes: Buffer): Promise<Answer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = connect(port, '127.0.0.1')
    socket.setTimeout(5000, () => {
      socket.destroy()
      reject(new Error('no answer in 5 s'))
    })
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', () => undefined)
    socket.on('close', () => resolve(parse(Buffer.concat(chunks).toString('latin1'))))
    socket.end(bytes)
  })
}

function parse(text: string): Answer | undefined {
  // Interim answers (100 Continue) come before the answer.
  const answer = text.replace(/^(HTTP\/1\.1 1\d\d [^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n)+/, '')
  const end = answer.indexOf('\r\n\r\n')
  if (end < 0) return undefined
  const [line = '', ...fields] = answer.slice(0, end).split('\r\n')
  const status = /^HTTP\/1\.1 (\d{3})/.exec(line)
  if (!status) return undefined
  const headers: Record<string, string> = {}
  for (const field of fields) {
    const colon = field.indexOf(':')
    headers[field.slice(0, colon).toLowerCase()] = field.slice(colon + 1).trim()
  }
  // What follows a body is the answer to what followed the request (a body longer than its
  // Content-Length is a second request, for HTTP).
  const length = Number(headers['content-length'] ?? Infinity)
  const body = Buffer.from(answer.slice(end + 4), 'latin1')
    .subarray(0, length)
    .toString('utf8')
  return { status: Number(status[1]), headers, body }
}

/** What a request must be answered with; throws what is wrong with the answer. */
function check(request: FuzzRequest, answer: Answer | undefined, flavour: Flavour): void {
  const shown = `${request.method} ${request.target.slice(0, 120)}`
  if (!answer) throw new Error(`${shown}: no HTTP answer (the connection closed)`)
  const { status, headers, body } = answer
  if (status >= 500 && status !== 501) {
    throw new Error(`${shown}: answered ${status}: ${body.slice(0, 300)}`)
  }
  if (request.method === 'HEAD' || status === 204 || status === 304) return
  const type = headers['content-type'] ?? ''
  if (flavour.textAllowed(status, type, body)) return
  if (!type.startsWith('application/json')) {
    throw new Error(
      `${shown}: answered ${status} with ${type || 'no content type'}: ${body.slice(0, 200)}`
    )
  }
  try {
    JSON.parse(body)
  } catch {
    throw new Error(
      `${shown}: answered ${status} with a body that is not JSON: ${body.slice(0, 200)}`
    )
  }
}

/** A served flavour: started on the first request, with a logged-in client's headers. */
function servedTarget(
  name: string,
  flavour: Flavour,
  start: (
    store: LocalStore,
    log: (line: string) => void
  ) => Promise<{
    port: number
    auth: [string, string][]
    close(): Promise<void>
  }>
): FuzzTarget<unknown> {
  let started: ReturnType<typeof start> | undefined
  let store: LocalStore | undefined
  const problems: string[] = []
  const log = (line: string) => {
    if (/internal error/.test(line)) problems.push(line)
  }
  return target<FuzzRequest>({
    name,
    input: requestsOf(flavour),
    show: (request) =>
      JSON.stringify({
        ...request,
        target: request.target.slice(0, 200),
        headers: request.headers.map(([n, v]) => [n, v.slice(0, 100)]),
        body: request.body.slice(0, 200),
      }),
    async run(request) {
      if (!started) {
        store = new LocalStore({ path: ':memory:', product: 'am8' })
        started = start(store, log)
      }
      const server = await started
      const headers = request.authenticated ? [...server.auth, ...request.headers] : request.headers
      const answer = await send(
        server.port,
        bytesOf({ ...request, headers }, `127.0.0.1:${server.port}`)
      )
      check(request, answer, flavour)
      if (problems.length > 0) {
        throw new Error(`the server logged ${problems.splice(0).join('\n').slice(0, 1000)}`)
      }
    },
    async close() {
      if (!started) return
      const server = await started
      started = undefined
      await server.close()
      store?.close()
    },
  })
}

async function json(port: number, request: FuzzRequest): Promise<Record<string, unknown>> {
  const answer = await send(port, bytesOf(request, `127.0.0.1:${port}`))
  if (answer?.status !== 200 && answer?.status !== 201) {
    throw new Error(`fuzz set-up: ${request.method} ${request.target}: ${answer?.status}`)
  }
  return JSON.parse(answer.body) as Record<string, unknown>
}

export const SERVER_TARGETS: FuzzTarget<unknown>[] = [
  servedTarget(
    'server requests (AM)',
    {
      name: 'am',
      paths: AM_PATHS,
      segments: AM_SEGMENTS,
      valid: [SCRIPT_BODY, GROOVY_BODY, { name: 'alpha', parentPath: '/', active: true }],
      textAllowed: () => false,
    },
    async (store, log) => {
      const { server, url } = await serve({
        router: new Router({
          transport: store,
          profile: getProfile('am8'),
          sessions: new Sessions(PASSWORD, { throttle: unhurried() }),
        }),
        host: '127.0.0.1',
        port: 0,
        contextPath: '/am',
        log,
      })
      const port = Number(new URL(url).port)
      const login = await json(port, {
        authenticated: false,
        method: 'POST',
        target: '/am/json/realms/root/authenticate',
        headers: [
          ['x-openam-username', 'amadmin'],
          ['x-openam-password', PASSWORD],
          ['accept-api-version', 'resource=2.0, protocol=1.0'],
        ],
        body: '{}',
      })
      const auth: [string, string][] = [['cookie', `iPlanetDirectoryPro=${String(login.tokenId)}`]]
      // Something to read, update and delete: a realm and a script with a known id.
      await json(port, {
        authenticated: false,
        method: 'POST',
        target: '/am/json/global-config/realms?_action=create',
        headers: [...auth, ['content-type', 'application/json']],
        body: JSON.stringify({ name: 'alpha', parentPath: '/', active: true, aliases: [] }),
      })
      await json(port, {
        authenticated: false,
        method: 'PUT',
        target: `/am/json/realms/root/scripts/${SCRIPT_ID}`,
        headers: [...auth, ['content-type', 'application/json']],
        body: JSON.stringify(SCRIPT_BODY),
      })
      return {
        port,
        auth,
        close: async () => {
          server.closeAllConnections()
          await new Promise((done) => server.close(done))
        },
      }
    }
  ),
  servedTarget(
    'server requests (Janssen)',
    {
      name: 'jans',
      paths: JANS_PATHS,
      segments: JANS_SEGMENTS,
      valid: [CUSTOM_SCRIPT, { ...CUSTOM_SCRIPT, inum: 'A51E-76DA' }, PATCH],
      // Janssen answers a token it refuses in plain text, and an unknown inum with nothing.
      textAllowed: (status, type, body) =>
        (status === 401 && type.startsWith('text/plain')) || (status === 404 && body === ''),
    },
    async (store, log) => {
      const { server, url } = await serve({
        router: new JansApi({
          transport: store,
          client: JANS_CLIENT,
          lifetime: 3600,
          throttle: unhurried(),
        }),
        host: '127.0.0.1',
        port: 0,
        contextPath: '',
        log,
      })
      const port = Number(new URL(url).port)
      const token = await json(port, {
        authenticated: false,
        method: 'POST',
        target: TOKEN_PATH,
        headers: [
          [
            'authorization',
            `Basic ${Buffer.from(`${JANS_CLIENT.id}:${PASSWORD}`).toString('base64')}`,
          ],
          ['content-type', 'application/x-www-form-urlencoded'],
        ],
        body: `grant_type=client_credentials&scope=${encodeURIComponent(SCRIPT_SCOPES.join(' '))}`,
      })
      const auth: [string, string][] = [['authorization', `Bearer ${String(token.access_token)}`]]
      await json(port, {
        authenticated: false,
        method: 'POST',
        target: '/jans-config-api/api/v1/config/scripts',
        headers: [...auth, ['content-type', 'application/json']],
        body: JSON.stringify({ ...CUSTOM_SCRIPT, inum: 'A51E-76DA' }),
      })
      return {
        port,
        auth,
        close: async () => {
          server.closeAllConnections()
          await new Promise((done) => server.close(done))
        },
      }
    }
  ),
]
