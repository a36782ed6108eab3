// The migration benchmarks (issue 10): export from `amsh serve`, import into an empty one,
// re-import of the unchanged tree, diff of two trees, and the peak memory of a large export
// from the local store. Each amsh process is timed whole, start-up and login included.
import { spawnSync } from 'node:child_process'
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { getEntity } from '../src/catalog/catalog.ts'
import { LocalStore } from '../src/transport/local/store.ts'
import type { Figure } from './run.ts'
import { SERVE_PASSWORD, startServer, type ServeBenchOptions } from './serve.ts'
import { median } from './stats.ts'

const RUNS = 3

function script(n: number) {
  return {
    name: `Migrated script ${n}`,
    description: 'benchmark script',
    script: Buffer.from(`var n = ${n};\nvar outcome = "true";\n`).toString('base64'),
    language: 'JAVASCRIPT',
    context: 'AUTHENTICATION_TREE_DECISION_NODE',
  }
}

/** A store file holding `count` scripts in realm /, written in one transaction. */
async function seed(path: string, count: number): Promise<void> {
  const store = new LocalStore({ path, product: 'am8' })
  const target = { entity: getEntity('Scripts'), scope: { kind: 'realm' as const, realm: '/' } }
  await store.atomic(async () => {
    for (let n = 0; n < count; n++) await store.create(target, script(n))
    return true
  })
  store.close()
}

interface Timed {
  ms: number
  stderr: string
}

function amsh(bin: string, args: string[], env: NodeJS.ProcessEnv): Timed {
  const start = process.hrtime.bigint()
  const result = spawnSync(process.execPath, [bin, ...args], {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 0 && !(args[0] === 'diff' && result.status === 1)) {
    throw new Error(`amsh ${args.join(' ')} failed (${result.status}): ${result.stderr}`)
  }
  return { ms, stderr: result.stderr }
}

function countFiles(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length
}

export async function migrateBenchmarks(options: ServeBenchOptions): Promise<Figure[]> {
  const figures: Figure[] = []
  const env = { ...process.env, AMSH_HOME: options.work, AMSH_BENCH_PASSWORD: SERVE_PASSWORD }
  const connect = (base: string) =>
    `connect ${base} --username amadmin --password-env AMSH_BENCH_PASSWORD`
  const tree = (i: number) => join(options.work, `export-${i}`)

  const exports: number[] = []
  const imports: number[] = []
  const reimports: number[] = []
  for (let i = 0; i < RUNS; i++) {
    await seed(join(options.work, `dev-${i}`, 'store.db'), 1000)
    const dev = await startServer(options, `dev-${i}`)
    const prod = await startServer(options, `prod-${i}`)
    try {
      exports.push(
        amsh(
          options.bin,
          ['-q', '-c', connect(dev.base), '-c', `export-config --path ${tree(i)}`],
          env
        ).ms
      )
      const imported = amsh(
        options.bin,
        ['-q', '-c', connect(prod.base), '-c', `import-config --path ${tree(i)}`],
        env
      )
      if (!/imported \d+: 1000 created/.test(imported.stderr))
        throw new Error(`import: ${imported.stderr}`)
      imports.push(imported.ms)
      const again = amsh(
        options.bin,
        ['-q', '-c', connect(prod.base), '-c', `import-config --path ${tree(i)}`],
        env
      )
      if (!/0 created, 0 updated/.test(again.stderr)) throw new Error(`re-import: ${again.stderr}`)
      reimports.push(again.ms)
    } finally {
      await Promise.all([dev.stop(), prod.stop()])
    }
  }
  const files = countFiles(tree(0))
  figures.push(
    {
      name: 'export-config of 1,000 scripts from amsh serve',
      value: median(exports) / 1000,
      unit: 's',
      target: '≤ 0.6 s',
      pass: median(exports) <= 600,
      detail: `median of ${RUNS}: ${files} files (1,000 scripts, the global scripts, realms, settings), amsh start-up and login included`,
    },
    {
      name: 'import-config of 1,000 scripts into an empty amsh serve',
      value: median(imports) / 1000,
      unit: 's',
      target: '≤ 1.0 s',
      pass: median(imports) <= 1000,
      detail: `median of ${RUNS}: reads the tree, plans against the server (one query per entity and realm), 1,000 PUTs 8 at a time on keep-alive`,
    },
    {
      name: 're-import of the unchanged tree',
      value: median(reimports) / 1000,
      unit: 's',
      target: '≤ 0.5 s',
      pass: median(reimports) <= 500,
      detail: `median of ${RUNS}: everything unchanged, nothing written`,
    }
  )

  // Two trees of 1,000 scripts with 10 changed sources.
  const changed = join(options.work, 'export-changed')
  cpSync(tree(0), changed, { recursive: true })
  const scripts = join(changed, 'realms/root/Scripts')
  for (const file of readdirSync(scripts).slice(0, 10)) {
    const path = join(scripts, file)
    const text = readFileSync(path, 'utf8')
    const data = JSON.parse(text) as { data: { script: string } }
    const source = Buffer.from(data.data.script, 'base64').toString()
    writeFileSync(
      path,
      text.replace(data.data.script, Buffer.from(`${source}// changed\n`).toString('base64'))
    )
  }
  const diffs: number[] = []
  for (let i = 0; i < RUNS; i++) diffs.push(amsh(options.bin, ['diff', tree(0), changed], env).ms)
  figures.push({
    name: 'diff of two 1,000-script export trees',
    value: median(diffs) / 1000,
    unit: 's',
    target: '≤ 0.5 s',
    pass: median(diffs) <= 500,
    detail: `median of ${RUNS}: 10 sources changed, shown as unified diffs; amsh start-up included`,
  })

  // Peak memory of an export of 100,000 scripts from the local store.
  const big = join(options.work, 'big.db')
  await seed(big, 100_000)
  const out = join(options.work, 'export-big')
  const timed = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '%M',
      process.execPath,
      options.bin,
      '--store',
      big,
      '-q',
      '-c',
      `export-config --path ${out}`,
    ],
    { env, encoding: 'utf8' }
  )
  if (timed.status !== 0) throw new Error(`big export failed: ${timed.stderr}`)
  const peakMiB = Number(/(\d+)\s*$/.exec(timed.stderr)![1]) / 1024
  figures.push({
    name: 'peak RSS exporting 100,000 scripts from the local store',
    value: peakMiB,
    unit: 'MiB',
    target: '≤ 150 MiB',
    pass: peakMiB <= 150,
    detail: `GNU time's maximum resident set size; ${countFiles(out)} files written, read a page of 500 at a time (by the paged-results cookie)`,
  })
  rmSync(out, { recursive: true, force: true })
  return figures
}
