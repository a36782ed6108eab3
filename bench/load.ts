// Load (issue 13): 1,000,000 mixed requests on `amsh serve` from 16 autocannon connections, the
// mix of test/load-mix.ts (80% reads, 10% updates, 5% creates, 5% deletes, so the store keeps
// its size), with the server's VmRSS sampled throughout. Memory is flat when the lowest reading
// of the last tenth of the run is within 10% of the lowest of the first tenth after warm-up.
import { mixedLoad, seedScripts } from '../test/load-mix.ts'
import type { Figure } from './run.ts'
import { mib, rss, serveLogin, startServer, type ServeBenchOptions } from './serve.ts'

const REQUESTS = 1_000_000
const WARM_UP = 20_000
const SAMPLE_MS = 250

export async function loadBenchmarks(options: ServeBenchOptions): Promise<Figure[]> {
  const server = await startServer(options, 'load')
  try {
    const token = await serveLogin(server)
    const ids = await seedScripts(server.origin, server.prefix, token, 1000)
    const load = (amount: number) =>
      mixedLoad({
        origin: server.origin,
        prefix: server.prefix,
        token,
        ids,
        amount,
        connections: 16,
        maxSeconds: 900,
      })
    await load(WARM_UP)
    const samples: number[] = []
    const sampler = setInterval(() => samples.push(rss(server.pid)), SAMPLE_MS)
    const started = performance.now()
    const run = await load(REQUESTS)
    const seconds = (performance.now() - started) / 1000
    clearInterval(sampler)
    const tenth = Math.max(1, Math.ceil(samples.length / 10))
    const first = Math.min(...samples.slice(0, tenth))
    const last = Math.min(...samples.slice(-tenth))
    const growth = (last - first) / first
    const answered = [...run.statuses.values()].reduce((a, b) => a + b, 0)
    const failures = [...run.statuses].filter(([status]) => status >= 300)
    const problems = [
      ...(run.result.errors ? [`${run.result.errors} errors`] : []),
      ...(run.result.timeouts ? [`${run.result.timeouts} timeouts`] : []),
      ...failures.map(([status, times]) => `${times}× ${status}`),
      ...(answered === REQUESTS ? [] : [`${answered} answered of ${REQUESTS}`]),
      ...(run.stopped ? ['stopped by the time bound'] : []),
    ]
    const { p50, p99, max } = run.result.latency
    const mix = Object.entries(run.sent)
      .map(([kind, n]) => `${n.toLocaleString('en')} ${kind}s`)
      .join(', ')
    return [
      {
        name: `amsh serve under load: ${REQUESTS.toLocaleString('en')} mixed requests, 16 connections`,
        value: p99,
        unit: 'ms p99',
        target: '0 errors, every answer 2xx',
        pass: problems.length === 0,
        detail: `${mix} (autocannon) after ${WARM_UP.toLocaleString('en')} warm-up requests; ${(REQUESTS / seconds).toFixed(0)} requests/s over ${seconds.toFixed(0)} s; latency p50 ${p50} ms, p99 ${p99} ms, max ${max} ms (whole ms); ${problems.length ? `PROBLEMS: ${problems.join(', ')}` : '0 errors, all 2xx'}`,
      },
      {
        name: `amsh serve under load: RSS growth over ${REQUESTS.toLocaleString('en')} mixed requests`,
        value: growth * 100,
        unit: '%',
        target: '< 10% (lowest VmRSS of the last tenth vs. the first tenth)',
        pass: growth < 0.1,
        detail: `VmRSS sampled every ${SAMPLE_MS} ms (${samples.length} samples, ${mib(Math.min(...samples))} to ${mib(Math.max(...samples))}); lowest in the first tenth ${mib(first)}, in the last ${mib(last)}`,
      },
    ]
  } finally {
    await server.stop()
  }
}
