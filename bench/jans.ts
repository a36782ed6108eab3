// The Janssen rows (issue 11): 1,000 creates through the Janssen transport to
// `amsh serve --flavour jans`, and one full listing of them, beside the same work through the
// AM transport to `amsh serve` in the same run (the targets are the AM transport's).
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Figure } from './run.ts'
import { JANS_SECRET, SERVE_PASSWORD, startServer, type ServeBenchOptions } from './serve.ts'
import { median } from './stats.ts'

const RUNS = 3
const COUNT = 1000

function timed(bin: string, args: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint()
  const result = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`amsh ${args.join(' ')}: ${result.stderr}`)
  return Number(process.hrtime.bigint() - start) / 1e6
}

const jansBody = (n: number) =>
  JSON.stringify({
    name: `bench_${n}`,
    scriptType: 'person_authentication',
    programmingLanguage: 'python',
    script: `x = ${n}\n`,
  })

const amBody = (n: number) =>
  JSON.stringify({
    name: `Bench ${n}`,
    description: '',
    script: Buffer.from(`var n = ${n};`).toString('base64'),
    language: 'JAVASCRIPT',
    context: 'AUTHENTICATION_TREE_DECISION_NODE',
  })

export async function jansBenchmarks(options: ServeBenchOptions): Promise<Figure[]> {
  const env = {
    ...process.env,
    AMSH_HOME: options.work,
    AMSH_BENCH_PASSWORD: SERVE_PASSWORD,
    AMSH_BENCH_SECRET: JANS_SECRET,
    AMSH_JOURNAL: 'off',
  }
  const times = {
    jans: [] as number[],
    am: [] as number[],
    jansList: [] as number[],
    amList: [] as number[],
  }
  for (let i = 0; i < RUNS; i++) {
    for (const flavour of ['jans', 'am'] as const) {
      const server = await startServer(options, `${flavour}-bench-${i}`, flavour)
      try {
        const connect =
          flavour === 'jans'
            ? `connect jans ${server.base} --client-id amsh-client --client-secret-env AMSH_BENCH_SECRET`
            : `connect ${server.base} --username amadmin --password-env AMSH_BENCH_PASSWORD`
        const lines = Array.from({ length: COUNT }, (_, n) =>
          flavour === 'jans'
            ? `create CustomScripts --body '${jansBody(n)}'`
            : `create Scripts --realm / --body '${amBody(n)}'`
        )
        const file = join(options.work, `${flavour}-${i}.amster`)
        writeFileSync(file, `${[connect, ...lines].join('\n')}\n`)
        times[flavour].push(timed(options.bin, ['-q', file], env))
        const list =
          flavour === 'jans'
            ? 'query CustomScripts'
            : "query Scripts --realm / --filter 'default eq false'"
        times[flavour === 'jans' ? 'jansList' : 'amList'].push(
          timed(options.bin, ['-q', '-o', 'json', '-c', connect, '-c', list], env)
        )
      } finally {
        await server.stop()
      }
    }
  }
  const rate = (ms: number[]) => COUNT / (median(ms) / 1000)
  return [
    {
      name: '1,000 creates through the Janssen transport to amsh serve --flavour jans',
      value: rate(times.jans),
      unit: 'commands/s',
      target: '≥ 2,000 commands/s (the AM transport row)',
      pass: rate(times.jans) >= 2000,
      detail: `median of ${RUNS}: ${median(times.jans).toFixed(0)} ms, start-up and token included; the same batch through the AM transport to amsh serve: ${median(times.am).toFixed(0)} ms (${rate(times.am).toFixed(0)} commands/s) in the same run`,
    },
    {
      name: 'a full listing of 1,000 custom scripts through the Janssen transport',
      value: median(times.jansList) / 1000,
      unit: 's',
      target: "≤ the AM transport's listing of 1,000 scripts × 1.2, same run",
      pass: median(times.jansList) <= median(times.amList) * 1.2,
      detail: `median of ${RUNS}: pages of 200 (Janssen's largest) followed to the end, start-up and token included; AM transport, 1,000 scripts: ${(median(times.amList) / 1000).toFixed(2)} s`,
    },
  ]
}
