import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { getEntity } from '../src/catalog/catalog.ts'
import { PasswordLogin } from '../src/transport/am/auth.ts'
import { AmTransport } from '../src/transport/am/transport.ts'
import { LocalStore } from '../src/transport/local/store.ts'
import type { Target } from '../src/transport/types.ts'
import {
  realmBody,
  runAmshAsync,
  SERVE_PASSWORD,
  serveInProcess,
  startServe,
  tempDir,
} from './helpers.ts'
import { scriptBody } from './transport-contract.ts'

// The REST transport on the wire: TLS checked by default, a private CA, --insecure; a session
// that ends is renewed once; a query without a page size follows AM's pages to the end.

let home: { dir: string; remove: () => void }
before(() => {
  home = tempDir()
})
after(() => home.remove())

describe('TLS', () => {
  let url: string
  let close: () => void
  let cert: string

  before(async () => {
    cert = join(home.dir, 'cert.pem')
    const key = join(home.dir, 'key.pem')
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-keyout',
        key,
        '-out',
        cert,
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' }
    )
    // Just enough of AM for `connect --token-env` and a query.
    const server = createServer(
      { key: readFileSync(key), cert: readFileSync(cert) },
      (request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' })
        response.end(
          request.url?.includes('serverinfo')
            ? '{"cookieName":"iPlanetDirectoryPro"}'
            : '{"result":[{"_id":"Lw","name":"/"}],"resultCount":1,"pagedResultsCookie":null,"totalPagedResultsPolicy":"NONE","totalPagedResults":-1,"remainingPagedResults":0}'
        )
      }
    )
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/am`
    close = () => {
      server.closeAllConnections()
      server.close()
    }
  })
  after(() => close())

  const amsh = (connect: string) =>
    runAmshAsync(['-c', connect, '-c', 'query Realms --global --fields name'], {
      env: { AMSH_HOME: home.dir, TOKEN: 't' },
    })

  test('a certificate nobody vouches for is refused, with what to do', async () => {
    const run = await amsh(`connect ${url} --token-env TOKEN`)
    assert.equal(run.status, 3)
    assert.match(run.stderr, /E_TRANSPORT: cannot reach .*TLS: .*self.signed.*--ca-file/i)
  })

  test('--ca-file trusts a private CA', async () => {
    const run = await amsh(`connect ${url} --token-env TOKEN --ca-file ${cert}`)
    assert.equal(run.status, 0, run.stderr)
    assert.match(run.stdout, /"name": ?"\/"/)
    assert.equal(run.stderr, '')
  })

  test('--insecure works, and says loudly what it gives up', async () => {
    const run = await amsh(`connect ${url} --token-env TOKEN --insecure`)
    assert.equal(run.status, 0, run.stderr)
    assert.match(
      run.stderr,
      /WARNING: --insecure: the certificate of 127\.0\.0\.1:\d+ is not checked/
    )
  })
})

test('a session that ends is renewed by logging in once more', async () => {
  const served = await startServe(['--idle-timeout', '1'])
  try {
    const run = await runAmshAsync(
      [
        '-c',
        `connect ${served.base} --username amadmin --password-env AM_PASS`,
        '-c',
        'await new Promise((r) => setTimeout(r, 1500))',
        '-c',
        'query Realms --global --fields name',
      ],
      { env: { AMSH_HOME: home.dir, AM_PASS: SERVE_PASSWORD } }
    )
    assert.equal(run.status, 0, run.stderr)
    assert.match(run.stdout, /"name": ?"\/"/)
    const log = served.log()
    assert.equal(log.match(/POST \/am\/json\/realms\/root\/authenticate 200/g)?.length, 2)
    assert.match(log, /GET \/am\/json\/global-config\/realms\?\S+ 401/)
  } finally {
    served.stop()
  }
})

test('a query without a page size follows the pages to the end', async () => {
  const store = new LocalStore({ path: ':memory:', product: 'am8' })
  const target: Target = { entity: getEntity('Scripts'), scope: { kind: 'realm', realm: '/many' } }
  await store.create({ entity: getEntity('Realms'), scope: { kind: 'global' } }, realmBody('/many'))
  for (let i = 0; i < 2_345; i++) await store.create(target, scriptBody(`Script ${i}`))
  const pages: string[] = []
  const served = await serveInProcess(store, (line) => {
    if (line.includes('/scripts?')) pages.push(line)
  })
  const transport = new AmTransport({
    baseUrl: served.url,
    credentials: new PasswordLogin('amadmin', SERVE_PASSWORD),
  })
  try {
    const all = await transport.query(target, { filter: 'default eq false', fields: ['name'] })
    assert.equal(all.resultCount, 2_345)
    assert.equal(new Set(all.result.map((s) => s.name)).size, 2_345)
    assert.equal(pages.length, 3, pages.join('\n'))
    const one = await transport.query(target, { filter: 'default eq false', pageSize: 10 })
    assert.equal(one.resultCount, 10)
    assert.equal(one.remainingPagedResults, 2_335)
  } finally {
    transport.close()
    await served.close()
    store.close()
  }
})
