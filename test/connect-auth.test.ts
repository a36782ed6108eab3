import assert from 'node:assert/strict'
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { importJWK, SignJWT, type JWK } from 'jose'
import sshpk from 'sshpk'
import { getEntity } from '../src/catalog/catalog.ts'
import { getProfile } from '../src/catalog/profiles.ts'
import { loadServiceAccount, TokenEndpoint } from '../src/server/oauth2.ts'
import { Router } from '../src/server/router.ts'
import { serve } from '../src/server/serve.ts'
import { Sessions } from '../src/server/sessions.ts'
import { ServiceAccount } from '../src/transport/am/auth.ts'
import { HttpClient } from '../src/transport/http.ts'
import { AmTransport } from '../src/transport/am/transport.ts'
import { LocalStore } from '../src/transport/local/store.ts'
import { runAmshAsync, SERVE_PASSWORD, startServe, tempDir, type Served } from './helpers.ts'

// Every way `connect` logs in, through the built binary, against `amsh serve` checking them as
// AM and Identity Cloud do: Amster's key login (amsterService and authorized_keys), a service
// account's JWT bearer grant, and a password in a named journey.

let served: Served
let home: { dir: string; remove: () => void }
let keysFile: string

const file = (name: string) => join(home.dir, name)

function write(name: string, text: string | Buffer): string {
  writeFileSync(file(name), text, { mode: 0o600 })
  return file(name)
}

/** The authorized_keys line of a public key. */
function sshLine(key: KeyObject, options = ''): string {
  const pem = key.export({ type: 'spki', format: 'pem' })
  return `${options ? `${options} ` : ''}${sshpk.parseKey(pem, 'pem').toString('ssh')}`
}

function openssh(key: KeyObject): string {
  return sshpk
    .parsePrivateKey(key.export({ type: 'pkcs8', format: 'pem' }), 'pem')
    .toString('openssh')
}

const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 })

const serviceAccount = rsa()
const SA = 'b0b4c1f3-5a2e-4d2c-9a51-0e9f3c1d2a77'

before(async () => {
  home = tempDir()
  const rsaKey = rsa()
  const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const ecOther = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const ed = generateKeyPairSync('ed25519')
  const stranger = rsa()
  const someoneElse = rsa()
  const farAway = rsa()
  const loopbackOnly = rsa()

  write('rsa-pkcs1.pem', rsaKey.privateKey.export({ type: 'pkcs1', format: 'pem' }))
  write('rsa-pkcs8.pem', rsaKey.privateKey.export({ type: 'pkcs8', format: 'pem' }))
  write('rsa-openssh', openssh(rsaKey.privateKey))
  write('ec-openssh', openssh(ecKey.privateKey))
  write('ec-sec1.pem', ecKey.privateKey.export({ type: 'sec1', format: 'pem' }))
  write('ec-pkcs8.pem', ecKey.privateKey.export({ type: 'pkcs8', format: 'pem' }))
  write('ed25519', openssh(ed.privateKey))
  write('stranger.pem', stranger.privateKey.export({ type: 'pkcs1', format: 'pem' }))
  write('someoneelse.pem', someoneElse.privateKey.export({ type: 'pkcs1', format: 'pem' }))
  write('faraway.pem', farAway.privateKey.export({ type: 'pkcs1', format: 'pem' }))
  write('loopback.pem', loopbackOnly.privateKey.export({ type: 'pkcs1', format: 'pem' }))
  write(
    'encrypted.pem',
    rsaKey.privateKey.export({
      type: 'pkcs1',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'secret',
    })
  )
  // Amster's folder: amster_rsa comes before id_rsa (which no line names) and id_ecdsa.
  mkdirSync(file('amster-dir'))
  write('amster-dir/amster_rsa', rsaKey.privateKey.export({ type: 'pkcs1', format: 'pem' }))
  write('amster-dir/id_rsa', stranger.privateKey.export({ type: 'pkcs1', format: 'pem' }))
  mkdirSync(file('ecdsa-dir'))
  write('ecdsa-dir/id_ecdsa', ecOther.privateKey.export({ type: 'sec1', format: 'pem' }))

  keysFile = write(
    'authorized_keys',
    [
      '# amster keys',
      sshLine(rsaKey.publicKey),
      '',
      sshLine(ecKey.publicKey, 'subject="amadmin,ops-*"'),
      sshLine(ecOther.publicKey),
      'ssh-dss AAAAB3NzaC1kc3M= an old key AM passes over',
      sshLine(ed.publicKey),
      'this is not a key',
      sshLine(someoneElse.publicKey, 'subject="someoneelse"'),
      sshLine(farAway.publicKey, 'no-pty,from="10.0.0.0/8"'),
      sshLine(loopbackOnly.publicKey, 'from="!10.1.2.3,127.0.0.0/8,::1"'),
    ].join('\n')
  )
  write('sa-public.jwk', JSON.stringify(serviceAccount.publicKey.export({ format: 'jwk' })))
  write('sa-private.jwk', JSON.stringify(serviceAccount.privateKey.export({ format: 'jwk' })))
  write('other-private.jwk', JSON.stringify(rsa().privateKey.export({ format: 'jwk' })))

  served = await startServe([
    '--authorized-keys',
    keysFile,
    '--service-account',
    `${SA}=${file('sa-public.jwk')}`,
    '--token-lifetime',
    '2',
    // This suite sends many wrong credentials to one server; the throttle has its own tests
    // (test/security-serve.test.ts).
    '--login-failures',
    '1000',
  ])
})

after(() => {
  served?.stop()
  home?.remove()
})

function amsh(commands: string[], env: Record<string, string> = {}) {
  return runAmshAsync(['--store', file('local.db'), ...commands.flatMap((c) => ['-c', c])], {
    env: { AMSH_HOME: home.dir, AM_PASS: SERVE_PASSWORD, ...env },
  })
}

/** connect with these options, then a query that only a logged-in session gets answered. */
function connectAndQuery(options: string, env?: Record<string, string>) {
  return amsh([`connect ${served.base} ${options}`, 'query Realms --global --fields name'], env)
}

/** The server's log from `from` on, once it shows `pattern` (it logs after it answers). */
async function logShows(pattern: RegExp, from = 0): Promise<string> {
  const deadline = Date.now() + 2000
  while (!pattern.test(served.log().slice(from)) && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 10))
  }
  return served.log().slice(from)
}

function assertConnected(run: { status: number | null; stdout: string; stderr: string }) {
  assert.equal(run.status, 0, run.stderr)
  assert.match(run.stdout, /^true$/m)
  assert.match(run.stdout, /"name": ?"\/"/)
}

describe("Amster's key login", () => {
  test('the authorized_keys lines that are not keys are skipped, each with one warning', () => {
    const log = served.log()
    assert.match(log, new RegExp(`${keysFile}:7: skipped: ssh-ed25519 keys are not supported`))
    assert.match(log, new RegExp(`${keysFile}:8: skipped: .*not a key type AM takes`))
    assert.doesNotMatch(log, /:6: skipped/, 'ssh-dss is passed over quietly, as AM does')
    assert.equal(log.match(/skipped:/g)?.length, 2)
  })

  for (const name of ['rsa-pkcs1.pem', 'rsa-pkcs8.pem', 'rsa-openssh']) {
    test(`an RSA key: ${name}`, async () => {
      assertConnected(await connectAndQuery(`-k ${file(name)}`))
    })
  }

  for (const name of ['ec-openssh', 'ec-sec1.pem', 'ec-pkcs8.pem']) {
    test(`an ECDSA P-256 key (subject="amadmin,ops-*"): ${name}`, async () => {
      assertConnected(await connectAndQuery(`-k ${file(name)}`))
    })
  }

  test('a folder: amster_rsa before id_rsa, and id_ecdsa when it is the one there', async () => {
    assertConnected(await connectAndQuery(`-k ${file('amster-dir')}`))
    assertConnected(await connectAndQuery(`--private-key ${file('ecdsa-dir')}`))
  })

  test('from="!10.1.2.3,127.0.0.0/8,::1" lets loopback in', async () => {
    assertConnected(await connectAndQuery(`-k ${file('loopback.pem')}`))
  })

  test('a key no line names is refused as AM refuses it', async () => {
    const run = await connectAndQuery(`-k ${file('stranger.pem')}`)
    assert.equal(run.status, 3)
    assert.match(
      run.stderr,
      /E_AUTH: http:\/\/127\.0\.0\.1:\d+\/am refused the login of the key .*stranger\.pem: Authentication Failed/
    )
    assert.match(
      await logShows(/no key in .* is the one/),
      /amsterService: refused a login from .*: no key in .* is the one/
    )
  })

  test('subject="someoneelse" does not let the key log in as amadmin', async () => {
    const run = await connectAndQuery(`-k ${file('someoneelse.pem')}`)
    assert.equal(run.status, 3)
    assert.match(run.stderr, /E_AUTH: .*Authentication Failed/)
    assert.match(await logShows(/someoneelse/), /subject="someoneelse" does not allow amadmin/)
  })

  test('from="10.0.0.0/8" does not let loopback in', async () => {
    const run = await connectAndQuery(`-k ${file('faraway.pem')}`)
    assert.equal(run.status, 3)
    assert.match(run.stderr, /E_AUTH: .*Authentication Failed/)
    assert.match(
      await logShows(/from="10/),
      /from="10\.0\.0\.0\/8" does not allow (::ffff:)?127\.0\.0\.1/
    )
  })

  test('ed25519 and passphrase-protected keys are refused before anything is sent', async () => {
    const ed = await connectAndQuery(`-k ${file('ed25519')}`)
    assert.equal(ed.status, 3)
    assert.match(
      ed.stderr,
      /E_IO: cannot use .*ed25519 as a private key: AM's key login takes RSA and ECDSA keys, not ed25519/
    )
    const encrypted = await connectAndQuery(`-k ${file('encrypted.pem')}`)
    assert.equal(encrypted.status, 3)
    assert.match(
      encrypted.stderr,
      /E_IO: cannot use .*encrypted\.pem as a private key: it is protected by a passphrase; remove it with ssh-keygen -p/
    )
  })

  test('the wire: a nonce per step, each authId good once, unknown journeys as AM', async () => {
    const url = `${served.base}/json/realms/root/authenticate?authIndexType=service&authIndexValue=amsterService`
    const post = (target: string, body: unknown) =>
      fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const first = await post(url, {})
    assert.equal(first.status, 200)
    const step = (await first.json()) as {
      authId: string
      callbacks: { type: string; output: { name: string; value: string }[] }[]
    }
    assert.match(step.authId, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/)
    assert.equal(step.callbacks[0]!.type, 'HiddenValueCallback')
    assert.match(step.callbacks[0]!.output[0]!.value, /^[0-9a-f-]{36}$/)
    assert.deepEqual(step.callbacks[0]!.output[1], { name: 'id', value: 'jwt' })
    // A JWT that is no good spends the step: the same authId is not taken again.
    const wrong = {
      ...step,
      callbacks: [{ ...step.callbacks[0], input: [{ name: 'IDToken1', value: 'x.y.z' }] }],
    }
    const refused = await post(url, wrong)
    assert.equal(refused.status, 401)
    assert.deepEqual(await refused.json(), {
      code: 401,
      reason: 'Unauthorized',
      message: 'Authentication Failed',
    })
    const again = await post(url, wrong)
    assert.equal(again.status, 401)
    assert.match(await logShows(/or was used/), /the authId is not one this server handed out/)

    const unknown = await post(url.replace('amsterService', 'NoSuchTree'), {})
    assert.equal(unknown.status, 400)
    assert.deepEqual(await unknown.json(), {
      code: 400,
      reason: 'Bad Request',
      message: 'No Configuration found',
    })
  })
})

describe('an Identity Cloud service account', () => {
  const saOptions = (jwk: string, id = SA) => `--sa-id ${id} --sa-jwk-file ${file(jwk)}`
  const exchanges = (log: string) => log.match(/POST \/am\/oauth2\/access_token 200/g)?.length ?? 0

  test('its JWT buys a Bearer token that works on every route', async () => {
    assertConnected(await connectAndQuery(saOptions('sa-private.jwk')))
  })

  test('the token is renewed before it expires, not after a 401', async () => {
    const before = served.log().length
    const run = await amsh([
      `connect ${served.base} ${saOptions('sa-private.jwk')}`,
      'query Realms --global --fields name',
      'await new Promise((done) => setTimeout(done, 3000))',
      'query Realms --global --fields name',
    ])
    assert.equal(run.status, 0, run.stderr)
    const renewed = /access_token 200[^]*access_token 200[^]*realms\?[^\n]* 200/
    const log = await logShows(renewed, before)
    assert.match(log, renewed)
    assert.equal(exchanges(log), 2, log)
    assert.doesNotMatch(log, / 401 /, 'the second query went out with a fresh token')
  })

  test('a key that is not the account key: E_AUTH with the OAuth error', async () => {
    const run = await connectAndQuery(saOptions('other-private.jwk'))
    assert.equal(run.status, 3)
    assert.match(
      run.stderr,
      new RegExp(
        `E_AUTH: .* refused a token for service account ${SA}: invalid_grant: The assertion's signature does not verify with the key of service account ${SA}`
      )
    )
  })

  test('an id the server does not know', async () => {
    const run = await connectAndQuery(saOptions('sa-private.jwk', 'nobody'))
    assert.equal(run.status, 3)
    assert.match(
      run.stderr,
      /E_AUTH: .* refused a token for service account nobody: invalid_grant: No service account nobody is registered/
    )
  })

  test('the wire: RFC 6749 errors, audience, jti once, tokens that expire', async () => {
    const token = `${served.base}/oauth2/access_token`
    const port = new URL(served.base).port
    const key = await importJWK(serviceAccount.privateKey.export({ format: 'jwk' }) as JWK, 'RS256')
    const assertion = (claims: { aud?: string; exp?: string; jti?: string } = {}) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer(SA)
        .setSubject(SA)
        .setAudience(claims.aud ?? `http://127.0.0.1:${port}/am/oauth2/access_token`)
        .setExpirationTime(claims.exp ?? '3m')
        .setJti(claims.jti ?? randomUUID())
        .sign(key)
    const grant = async (fields: Record<string, string>) => {
      const response = await fetch(token, {
        method: 'POST',
        body: new URLSearchParams({
          client_id: 'service-account',
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          scope: 'fr:am:* fr:idm:*',
          ...fields,
        }),
      })
      return { status: response.status, body: (await response.json()) as Record<string, unknown> }
    }

    const jti = randomUUID()
    const ok = await grant({ assertion: await assertion({ jti }) })
    assert.equal(ok.status, 200)
    assert.deepEqual(Object.keys(ok.body).sort(), [
      'access_token',
      'expires_in',
      'scope',
      'token_type',
    ])
    assert.equal(ok.body.token_type, 'Bearer')
    assert.equal(ok.body.expires_in, 2)
    assert.equal(ok.body.scope, 'fr:am:* fr:idm:*')

    const reused = await grant({ assertion: await assertion({ jti }) })
    assert.equal(reused.status, 400)
    assert.equal(reused.body.error, 'invalid_grant')
    assert.match(String(reused.body.error_description), /already used/)

    const elsewhere = await grant({
      assertion: await assertion({ aud: 'https://tenant.example.com:443/am/oauth2/access_token' }),
    })
    assert.equal(elsewhere.body.error, 'invalid_grant')
    assert.match(String(elsewhere.body.error_description), /audience/)

    const tooLong = await grant({ assertion: await assertion({ exp: '1h' }) })
    assert.equal(tooLong.body.error, 'invalid_grant')
    assert.match(String(tooLong.body.error_description), /too far ahead/)

    const client = await grant({ assertion: await assertion(), client_id: 'someone' })
    assert.equal(client.status, 401)
    assert.equal(client.body.error, 'invalid_client')

    const scope = await grant({ assertion: await assertion(), scope: 'fr:am:* openid' })
    assert.equal(scope.status, 400)
    assert.deepEqual(scope.body, {
      error: 'invalid_scope',
      error_description: 'Unsupported scope for service account: openid',
    })

    const grantType = await grant({ assertion: await assertion(), grant_type: 'password' })
    assert.equal(grantType.body.error, 'unsupported_grant_type')

    // The token works as a Bearer token until expires_in has passed.
    const realms = () =>
      fetch(`${served.base}/json/global-config/realms?_queryFilter=true`, {
        headers: { authorization: `Bearer ${String(ok.body.access_token)}` },
      })
    assert.equal((await realms()).status, 200)
    await new Promise((done) => setTimeout(done, 2100))
    assert.equal((await realms()).status, 401)
  })
})

describe('an assertion refused for its scope', () => {
  const port = () => new URL(served.base).port
  const signed = async (jti: string) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(SA)
      .setSubject(SA)
      .setAudience(`http://127.0.0.1:${port()}/am/oauth2/access_token`)
      .setExpirationTime('3m')
      .setJti(jti)
      .sign(await importJWK(serviceAccount.privateKey.export({ format: 'jwk' }) as JWK, 'RS256'))
  const grant = async (assertion: string, scope: string) => {
    const response = await fetch(`${served.base}/oauth2/access_token`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: 'service-account',
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion,
        scope,
      }),
    })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }

  // It was marked as used before the scope was checked, so asking again failed: already used.
  test('is not used up: sent again with fewer scopes it buys a token, and only then is used', async () => {
    const assertion = await signed(randomUUID())
    const refused = await grant(assertion, 'fr:am:* openid')
    assert.deepEqual([refused.status, refused.body.error], [400, 'invalid_scope'])
    const again = await grant(assertion, 'fr:am:*')
    assert.equal(again.status, 200, JSON.stringify(again.body))
    assert.equal(again.body.scope, 'fr:am:*')
    const third = await grant(assertion, 'fr:am:*')
    assert.deepEqual([third.status, third.body.error], [400, 'invalid_grant'])
    assert.match(String(third.body.error_description), /already used/)
  })

  test('one assertion sent twice at once buys one token', async () => {
    const assertion = await signed(randomUUID())
    const answers = await Promise.all([grant(assertion, 'fr:am:*'), grant(assertion, 'fr:am:*')])
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 400])
  })

  // Against a server whose account was given fewer scopes than the client asks for, as Identity
  // Cloud gives each account its own: the client asks again without the ones named.
  test('the client asks again without the refused scopes and gets in', async () => {
    const log: string[] = []
    const store = new LocalStore({ path: ':memory:', product: 'aic' })
    const sessions = new Sessions(SERVE_PASSWORD)
    const account = loadServiceAccount(`${SA}=${file('sa-public.jwk')}`)
    const { server, url } = await serve({
      router: new Router({
        transport: store,
        profile: getProfile('aic'),
        sessions,
        oauth2: new TokenEndpoint({
          accounts: [{ ...account, scopes: ['fr:am:*', 'fr:idm:*'] }],
          sessions,
        }),
      }),
      host: '127.0.0.1',
      port: 0,
      contextPath: '/am',
      log: (line) => log.push(line),
    })
    const credentials = new ServiceAccount(SA, file('sa-private.jwk'))
    const transport = new AmTransport({ baseUrl: url, credentials })
    try {
      await transport.login()
      const realms = await transport.query(
        { entity: getEntity('Realms'), scope: { kind: 'global' } },
        { filter: 'true' }
      )
      assert.ok(realms.result.length > 0)
      const exchanges = log.filter((line) => line.includes('/oauth2/access_token'))
      assert.deepEqual(
        exchanges.map((line) => line.split(' ').slice(0, 3).join(' ')),
        ['POST /am/oauth2/access_token 400', 'POST /am/oauth2/access_token 200']
      )
    } finally {
      transport.close()
      server.closeAllConnections()
      await new Promise((done) => server.close(done))
      store.close()
    }
  })
})

describe('a password in a named journey', () => {
  test('--journey ldapService', async () => {
    assertConnected(
      await connectAndQuery('--username amadmin --password-env AM_PASS --journey ldapService')
    )
  })

  test('a journey the server does not have', async () => {
    const run = await connectAndQuery('--username amadmin --password-env AM_PASS --journey Nope')
    assert.equal(run.status, 3)
    assert.match(
      run.stderr,
      /E_AUTH: .* refused the login of amadmin: No Configuration found \(is there a journey named Nope\?\)/
    )
  })
})

describe('the AM transport in process', () => {
  test('a service account logs in again once when the server drops its token', async () => {
    const credentials = new ServiceAccount(SA, file('sa-private.jwk'))
    const transport = new AmTransport({ baseUrl: served.base, credentials })
    try {
      await transport.login()
      const { authorization } = await credentials.headers(new HttpClient({ baseUrl: served.base }))
      const logout = await fetch(`${served.base}/json/realms/root/sessions?_action=logout`, {
        method: 'POST',
        headers: { authorization: authorization! },
      })
      assert.equal(logout.status, 200)
      const before = served.log().length
      const realms = await transport.query(
        { entity: getEntity('Realms'), scope: { kind: 'global' } },
        { filter: 'true' }
      )
      assert.ok(realms.result.length > 0)
      const renewed =
        /realms\?[^\n]* 401[^]*POST \/am\/oauth2\/access_token 200[^]*realms\?[^\n]* 200/
      assert.match(await logShows(renewed, before), renewed)
    } finally {
      transport.close()
    }
  })
})
