// Load (issue 13): `amsh serve` under autocannon on loopback, mixed reads and writes from 16
// connections, bounded in count and time. Every answer must be a success; the latency
// percentiles are printed. The 1,000,000-request run, with the server's memory watched, is
// `npm run bench -- load`.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { loginTo, startServe, type Served } from './helpers.ts'
import { mixedLoad, seedScripts } from './load-mix.ts'

let served: Served
before(async () => {
  served = await startServe()
})
after(() => served.stop())

test('20,000 mixed requests from 16 connections: every one answered with a success', async () => {
  const url = new URL(served.base)
  const token = await loginTo(served.base)
  const ids = await seedScripts(url.origin, url.pathname, token, 200)
  const { result, sent, statuses, stopped } = await mixedLoad({
    origin: url.origin,
    prefix: url.pathname,
    token,
    ids,
    amount: 20_000,
    connections: 16,
    maxSeconds: 60,
  })
  assert.equal(stopped, false, 'the run hit its time bound')
  assert.equal(result.errors, 0)
  assert.equal(result.timeouts, 0)
  const failures = [...statuses].filter(([status]) => status >= 300)
  assert.deepEqual(failures, [], `answers other than 2xx: ${JSON.stringify(failures)}`)
  assert.equal(
    [...statuses.values()].reduce((a, b) => a + b, 0),
    20_000
  )
  assert.ok(sent.create > 900 && sent.delete > 900 && sent.update > 1900, JSON.stringify(sent))
  const { p50, p99, max } = result.latency
  console.log(
    `load: ${JSON.stringify(sent)}; latency p50 ${p50} ms, p99 ${p99} ms, max ${max} ms; ${Math.round(result.requests.average)} requests/s`
  )
  // The server is still there, and still right.
  const check = await fetch(`${served.base}/json/realms/root/scripts/${ids[0]}`, {
    headers: { cookie: `iPlanetDirectoryPro=${token}` },
  })
  assert.equal(check.status, 200)
})
