import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  b64,
  loginTo,
  runAmshAsync,
  SERVE_PASSWORD,
  startServe,
  tempDir,
  type Served,
} from './helpers.ts'

// `connect` as a user types it, through the built binary, to a real `amsh serve` and to servers
// that misbehave in the ways real networks do.

let served: Served
let home: { dir: string; remove: () => void }

before(async () => {
  served = await startServe([], { realms: ['/alpha', '/r'] })
  home = tempDir()
})
after(() => {
  served.stop()
  home.remove()
})

const BODY = JSON.stringify({
  name: 'Remote',
  description: 'made over REST',
  script: b64('var a = 1;'),
  language: 'JAVASCRIPT',
  context: 'AUTHENTICATION_TREE_DECISION_NODE',
})

/** amsh on its own local store, with the password in AM_PASS. */
function amsh(commands: string[], env: Record<string, string> = {}) {
  return runAmshAsync(
    ['--store', join(home.dir, 'local.db'), ...commands.flatMap((c) => ['-c', c])],
    { env: { AMSH_HOME: home.dir, AM_PASS: SERVE_PASSWORD, ...env } }
  )
}

/** A server on loopback that answers every request with `answer`. */
async function fakeServer(
  answer: (response: ServerResponse) => void
): Promise<{ url: string; server: Server; hits: () => number }> {
  let hits = 0
  const server = createServer((_request, response) => {
    hits++
    answer(response)
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/am`, server, hits: () => hits }
}

describe('connect', () => {
  test('with a password from the environment, then every verb goes to the server', async () => {
    const run = await amsh([
      `connect ${served.base} --username amadmin --password-env AM_PASS`,
      `create Scripts --realm /alpha --id r-1 --body '${BODY}'`,
      `read Scripts --realm /alpha --id r-1`,
      `query Scripts --realm /alpha --filter 'default eq false' --fields name`,
      `delete Scripts --realm /alpha --id r-1`,
    ])
    assert.equal(run.status, 0, run.stderr)
    assert.match(run.stdout, /^true$/m)
    assert.match(run.stdout, /"description": ?"made over REST"/)
    assert.match(served.log(), /PUT \/am\/json\/realms\/root\/realms\/alpha\/scripts\/r-1 201/)
    assert.match(served.log(), /DELETE \/am\/json\/realms\/root\/realms\/alpha\/scripts\/r-1 200/)
    // Nothing of it landed in the local store, which has no realm alpha.
    const local = await amsh([`query Scripts --realm /alpha --filter 'default eq false'`])
    assert.match(local.stderr, /E_NOT_FOUND: Realm not found/)
  })

  test('connect local comes back to the local store; variables name the URL as in Amster', async () => {
    const run = await amsh([
      `amUrl = "${served.base}"`,
      'connect amUrl --username amadmin --password-env AM_PASS',
      `create Scripts --realm /r --body '${BODY}'`,
      'connect local',
      `query Scripts --realm / --filter 'default eq false'`,
    ])
    assert.equal(run.status, 0, run.stderr)
    assert.match(run.stdout, /^\[\]$/m, 'the script went to the server, not the local store')
  })

  test('connect local:<file> moves to another store file', async () => {
    const other = join(home.dir, 'other.db')
    const run = await amsh([
      `connect local:${other}`,
      `create Realms --global --body '{"name": "elsewhere", "parentPath": "/"}'`,
      `create Scripts --realm /elsewhere --body '${BODY}'`,
    ])
    assert.equal(run.status, 0, run.stderr)
    const there = await runAmshAsync([
      '--store',
      other,
      '-c',
      'query Realms --global --fields name',
    ])
    assert.match(there.stdout, /"name": ?"elsewhere"/)
    const here = await amsh(['query Realms --global --fields name'])
    assert.doesNotMatch(here.stdout, /elsewhere/)
  })

  test('a password file, and a Bearer token from the environment', async () => {
    const file = join(home.dir, 'password')
    writeFileSync(file, `${SERVE_PASSWORD}\n`, { mode: 0o600 })
    const withFile = await amsh([
      `connect ${served.base} --username amadmin --password-file ${file}`,
      'query Realms --global --fields name',
    ])
    assert.equal(withFile.status, 0, withFile.stderr)
    const token = await loginTo(served.base)
    const withToken = await amsh(
      [`connect ${served.base} --token-env AM_TOKEN`, 'query Realms --global --fields name'],
      { AM_TOKEN: token }
    )
    assert.equal(withToken.status, 0, withToken.stderr)
  })

  test('--debug shows each exchange as curl, with the secrets masked', async () => {
    const run = await amsh([
      `connect ${served.base} --username amadmin --password-env AM_PASS`,
      'read Scripts --realm / --id nope',
    ])
    assert.equal(run.status, 3)
    const debug = await runAmshAsync(
      [
        '--debug',
        '-c',
        `connect ${served.base} --username amadmin --password-env AM_PASS`,
        '-c',
        'read Scripts --realm / --id nope',
      ],
      { env: { AMSH_HOME: home.dir, AM_PASS: SERVE_PASSWORD } }
    )
    assert.match(debug.stderr, /curl -X POST '.*\/json\/realms\/root\/authenticate'/)
    assert.match(debug.stderr, /x-openam-password: \*\*\*'/)
    assert.match(debug.stderr, /cookie: iPlanetDirectoryPro=\*\*\*'/)
    assert.doesNotMatch(debug.stderr, new RegExp(SERVE_PASSWORD))
    assert.match(debug.stderr, /E_NOT_FOUND: Script with UUID nope could not be found in realm \//)
  })
})

describe('connection profiles', () => {
  const config = () => ({ XDG_CONFIG_HOME: join(home.dir, 'config') })
  const profile = (args: string[]) =>
    runAmshAsync(['profile', 'add', ...args], { env: { ...config(), AMSH_HOME: home.dir } })

  test('--profile, AMSH_PROFILE and connect --profile reach the saved server', async () => {
    const added = await profile([
      'lab',
      served.base,
      '--username',
      'amadmin',
      '--password-env',
      'AM_PASS',
    ])
    assert.equal(added.status, 0, added.stderr)
    const run = await runAmshAsync(
      ['--profile', 'lab', '-c', 'query Realms --global --fields name'],
      {
        env: { ...config(), AMSH_HOME: home.dir, AM_PASS: SERVE_PASSWORD },
      }
    )
    assert.equal(run.status, 0, run.stderr)
    assert.match(
      run.stdout,
      /"name": ?"alpha"/,
      'the server has realm alpha; the local store does not'
    )
    const byEnv = await amsh(['query Realms --global --fields name'], {
      ...config(),
      AMSH_PROFILE: 'la',
    })
    assert.match(byEnv.stdout, /"name": ?"alpha"/)
    const byLine = await amsh(
      ['connect --profile lab', 'query Realms --global --fields name'],
      config()
    )
    assert.match(byLine.stdout, /"name": ?"alpha"/)
  })

  test('a read-only profile refuses every change before sending it', async () => {
    await profile([
      'lab-ro',
      served.base,
      '--username',
      'amadmin',
      '--password-env',
      'AM_PASS',
      '--read-only',
    ])
    const before = served.log().length
    const run = await amsh(
      ['connect --profile lab-ro', `create Scripts --realm /alpha --body '${BODY}'`],
      config()
    )
    assert.equal(run.status, 3)
    assert.match(
      run.stderr,
      /E_FORBIDDEN: create Scripts in realm \/alpha: profile lab-ro is read-only/
    )
    assert.doesNotMatch(served.log().slice(before), /POST .*scripts/)
  })

  test('a profile that confirms changes refuses them when nobody can answer', async () => {
    await profile([
      'lab-ask',
      served.base,
      '--username',
      'amadmin',
      '--password-env',
      'AM_PASS',
      '--confirm-writes',
    ])
    const run = await amsh(
      ['connect --profile lab-ask', 'delete Scripts --realm /alpha --id any'],
      config()
    )
    assert.equal(run.status, 3)
    assert.match(run.stderr, /E_FORBIDDEN: .*confirm each change .*no terminal to ask on/)
    const ambiguous = await amsh(['connect --profile lab-'], config())
    assert.equal(ambiguous.status, 2)
    assert.match(ambiguous.stderr, /profile "lab-" matches lab-ask .* and lab-ro/)
  })
})

describe('connect: bad input gives one line with a stable code, and never hangs', () => {
  test('a wrong password', async () => {
    const run = await amsh([`connect ${served.base} --username amadmin --password-env AM_PASS`], {
      AM_PASS: 'wrong',
    })
    assert.equal(run.status, 3)
    assert.match(run.stderr, /E_AUTH: .* refused the login of amadmin: Authentication Failed/)
  })

  test('an expired token', async () => {
    const run = await amsh(
      [`connect ${served.base} --token-env AM_TOKEN`, 'query Realms --global'],
      { AM_TOKEN: 'forged-or-expired' }
    )
    assert.equal(run.status, 3)
    assert.match(run.stderr, /E_AUTH: Access Denied/)
  })

  test('nobody listening, and a name that does not resolve', async () => {
    const refused = await amsh(['connect http://127.0.0.1:9/am --token-env HOME'])
    assert.equal(refused.status, 3)
    assert.match(refused.stderr, /E_TRANSPORT: cannot reach .*: connection refused/)
    const dns = await amsh(['connect http://no-such-host.invalid/am -t 3 --token-env HOME'])
    assert.equal(dns.status, 3)
    assert.match(dns.stderr, /E_TRANSPORT: cannot reach http:\/\/no-such-host\.invalid/)
  })

  test('a server that answers HTML', async () => {
    const fake = await fakeServer((response) => {
      response.writeHead(200, { 'content-type': 'text/html' })
      response.end('<html><body>Welcome to nginx!</body></html>')
    })
    const run = await amsh([`connect ${fake.url} --token-env HOME`])
    fake.server.close()
    assert.equal(run.status, 3)
    assert.match(run.stderr, /E_TRANSPORT: GET .* answered 200 with text\/html, not AM's JSON/)
  })

  test('a server slower than -t', async () => {
    const fake = await fakeServer(() => undefined)
    const started = Date.now()
    const run = await amsh([`connect ${fake.url} -t 1 --token-env HOME`])
    fake.server.closeAllConnections()
    fake.server.close()
    assert.equal(run.status, 3)
    assert.match(run.stderr, /E_TRANSPORT: .*no answer within 1 s/)
    assert.ok(Date.now() - started < 10_000)
  })

  test('a connection reset on a read is retried', async () => {
    const fake = await fakeServer((response) => {
      if (fake.hits() === 1) {
        response.socket?.destroy()
        return
      }
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end('{"cookieName":"iPlanetDirectoryPro"}')
    })
    const run = await amsh([`connect ${fake.url} --token-env HOME`])
    fake.server.close()
    assert.equal(run.status, 0, run.stderr)
    assert.equal(fake.hits(), 2)
  })

  test('a storm of 503s: bounded retries, then the error', async () => {
    const fake = await fakeServer((response) => {
      response.writeHead(503, { 'content-type': 'application/json' })
      response.end('{"code":503,"reason":"Service Unavailable","message":"Try later"}')
    })
    const run = await amsh([`connect ${fake.url} --token-env HOME`])
    fake.server.close()
    assert.equal(run.status, 3)
    assert.match(run.stderr, /E_TRANSPORT: .*answered 503/)
    assert.equal(fake.hits(), 3, 'one try and two retries')
  })

  test('a key file that is not a key, and options that do not go together', async () => {
    const notKey = join(home.dir, 'id_rsa.pub')
    writeFileSync(notKey, 'ssh-rsa AAAAB3NzaC1yc2E= me@host\n')
    const run = await amsh([`connect ${served.base} -k ${notKey}`])
    assert.equal(run.status, 3)
    assert.match(run.stderr, /E_IO: cannot use .*id_rsa\.pub as a private key/)
    const both = await amsh([`connect ${served.base} -k ${notKey} --token-env HOME`])
    assert.equal(both.status, 2)
    assert.match(both.stderr, /choose one way to log in, not -k and --token-env/)
    const noUrl = await amsh(['connect --insecure'])
    assert.equal(noUrl.status, 2)
    assert.match(noUrl.stderr, /connect needs a URL or --profile/)
    const help = await amsh([':help connect'])
    assert.match(help.stdout, /^usage: connect \[options\] <baseurl>/)
  })

  test('a failed connect leaves the session where it was', async () => {
    const run = await runAmshAsync(
      [
        '--on-error',
        'continue',
        '-c',
        `connect ${served.base} --username amadmin --password-env AM_PASS`,
        '-c',
        `connect ${served.base} --username amadmin --password-env WRONG`,
        '-c',
        'query Realms --global --fields name',
      ],
      { env: { AMSH_HOME: home.dir, AM_PASS: SERVE_PASSWORD, WRONG: 'nope' } }
    )
    assert.equal(run.status, 1)
    assert.match(run.stderr, /E_AUTH/)
    assert.match(run.stdout, /"name": ?"alpha"/, 'the query still went to the server')
  })
})
