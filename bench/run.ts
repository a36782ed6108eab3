// amsh benchmarks (npm run bench). Each figure is measured against the target its issue names,
// on this machine, and recorded in bench/results/ with the machine it came from.
import { execFileSync, spawnSync } from 'node:child_process'
import Database from 'better-sqlite3'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, hostname, loadavg, tmpdir, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { getEntity } from '../src/catalog/catalog.ts'
import { getProfile } from '../src/catalog/profiles.ts'
import type { JsonObject } from '../src/json.ts'
import { Connector } from '../src/shell/connect.ts'
import { Session } from '../src/shell/session.ts'
import { LocalStore } from '../src/transport/local/store.ts'
import { jansBenchmarks } from './jans.ts'
import { loadBenchmarks } from './load.ts'
import { migrateBenchmarks } from './migrate.ts'
import { Client, request } from 'undici'
import {
  logged,
  SERVE_PASSWORD,
  serveBenchmarks,
  serveLogin,
  startServer,
  type Server,
} from './serve.ts'
import { median } from './stats.ts'

const BIN = resolve('bin/amsh.js')

// `npm run bench -- serve query` runs only the named benchmarks. Only a full run writes
// bench/results/: a file of figures from different runs would hide which run each came from.
const BENCHMARKS = [
  'cold-start',
  'batch',
  'loop',
  'query',
  'serve',
  'rest',
  'migrate',
  'jans',
  'load',
]
const only = process.argv.slice(2)
const unknown = only.filter((name) => !BENCHMARKS.includes(name))
if (unknown.length) {
  console.error(`bench: no benchmark ${unknown.join(', ')} (there are: ${BENCHMARKS.join(', ')})`)
  process.exit(2)
}
const wanted = (name: string) => only.length === 0 || only.includes(name)

const work = mkdtempSync(join(tmpdir(), 'amsh-bench-'))

export interface Figure {
  name: string
  value: number
  unit: string
  target: string
  pass: boolean
  detail: string
  /**
   * The same job done by a reference, measured in the same run, and how many times the
   * reference's time amsh took (so 1.5 is half as slow again, whether the figures are rates or times).
   */
  reference?: { what: string; value: number; unit: string; ratio: number }
}
const figures: Figure[] = []

function timeRun(args: string[], env: NodeJS.ProcessEnv = process.env): number {
  return timeCommand(process.execPath, args, env)
}

/** How long a command takes as a process, in ms; it must succeed. */
function timeCommand(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint()
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr.toString()}`)
  return ms
}

function record(figure: Figure): void {
  figures.push(figure)
  const reference = figure.reference
    ? `; ${figure.reference.ratio.toFixed(2)}× ${figure.reference.what} (${figure.reference.value.toFixed(1)} ${figure.reference.unit})`
    : ''
  console.log(
    `${figure.pass ? 'PASS' : 'FAIL'}  ${figure.name}: ${figure.value.toFixed(1)} ${figure.unit}${reference} (target ${figure.target}) — ${figure.detail}`
  )
}

function body(name: string): string {
  return JSON.stringify({
    name,
    description: 'benchmark script',
    script: Buffer.from(`var name = "${name}";\nvar outcome = "true";\n`).toString('base64'),
    language: 'JAVASCRIPT',
    context: 'AUTHENTICATION_TREE_DECISION_NODE',
  })
}

// 1. Cold start of a one-line query on an empty store, against bare node in the same run.
if (wanted('cold-start')) {
  const store = join(work, 'empty.db')
  const env = { ...process.env, AMSH_HOME: work }
  const amshArgs = [BIN, '--store', store, '-c', 'query Scripts --realm / --filter true']
  timeRun(amshArgs, env) // creates the (empty) store, so the runs below open an existing one
  const node: number[] = []
  const amsh: number[] = []
  for (let i = 0; i < 25; i++) {
    node.push(timeRun(['-e', '0']))
    amsh.push(timeRun(amshArgs, env))
  }
  const ratio = median(amsh) / median(node)
  record({
    name: `cold start: amsh -c 'query Scripts --realm / --filter true' on an empty store`,
    value: median(amsh),
    unit: 'ms',
    target: '≤ 1.5× node -e 0',
    pass: ratio <= 1.5,
    reference: { what: 'node -e 0', value: median(node), unit: 'ms', ratio },
    detail: `median of 25 interleaved runs each; V8's code cache in place (one run before made it)`,
  })
}

// 2. A 10,000-line batch of creates through the binary, startup included: as separate commits
//    (issue 2) and as one --atomic transaction (issue 3).
if (wanted('batch')) {
  const lines = Array.from(
    { length: 10_000 },
    (_, i) => `create Scripts --realm / --body '${body(`Batch script ${i}`)}'`
  )
  const file = join(work, 'creates.amster')
  writeFileSync(file, `${lines.join('\n')}\n`)
  writeFileSync(join(work, 'empty.amster'), '')
  const modes = [
    {
      flags: [] as string[],
      name: '10,000-line batch of create Scripts on the local store, each command kept on its own (group commit)',
      target: 15_000,
    },
    {
      flags: ['--atomic'],
      name: '10,000-command --atomic batch of create Scripts on the local store',
      target: 30_000,
    },
  ]
  // Each run journals its 10,000 changes (issue 10) into a journal of its own; the same batch
  // with AMSH_JOURNAL=off, interleaved, gives the journal's cost, which must not halve the rate.
  // The same command on an empty file, interleaved too, is what start-up and exit cost.
  for (const mode of modes) {
    const runs: number[] = []
    const unjournaled: number[] = []
    const empty: number[] = []
    let store = ''
    for (let i = 0; i < 3; i++) {
      for (const journal of ['on', 'off']) {
        const home = join(work, `batch-${mode.flags.length}-${i}-${journal}`)
        mkdirSync(home, { recursive: true })
        const env = { ...process.env, AMSH_HOME: home, AMSH_JOURNAL: journal }
        store = join(home, 'store.db')
        const ms = timeRun([BIN, '--store', store, ...mode.flags, file], env)
        ;(journal === 'on' ? runs : unjournaled).push(ms)
      }
      const home = join(work, `batch-${mode.flags.length}-${i}-empty`)
      mkdirSync(home, { recursive: true })
      empty.push(
        timeRun(
          [BIN, '--store', join(home, 'store.db'), ...mode.flags, join(work, 'empty.amster')],
          {
            ...process.env,
            AMSH_HOME: home,
          }
        )
      )
    }
    const batchMs = median(runs) - median(empty)
    const rate = 10_000 / (batchMs / 1000)
    const sqlite = sqliteInsertRate(store)
    record({
      name: mode.name,
      value: rate,
      unit: 'commands/s',
      target: `≥ ${mode.target.toLocaleString('en')} commands/s`,
      pass: rate >= mode.target,
      reference: {
        what: 'SQLite: a prepared INSERT loop, one transaction, the same rows',
        value: sqlite,
        unit: 'rows/s',
        ratio: sqlite / rate,
      },
      detail: `the batch alone: median of 3 runs, ${median(runs).toFixed(0)} ms for 10,000 commands, less ${median(empty).toFixed(0)} ms for the same command on an empty file (start-up and exit); with start-up, ${(10_000 / (median(runs) / 1000)).toFixed(0)} commands/s; output to /dev/null, every change journaled`,
    })
    const cost = median(runs) / median(unjournaled)
    record({
      name: `${mode.name}: journaled / AMSH_JOURNAL=off`,
      value: cost,
      unit: '×',
      target: '< 2× (the journal must not halve the rate)',
      pass: cost < 2,
      detail: `medians of 3 interleaved runs each: ${median(runs).toFixed(0)} ms journaled, ${median(unjournaled).toFixed(0)} ms without a journal`,
    })
  }
}

/**
 * SQLite's own rate for the rows a batch left in `store`: the same rows inserted into a new
 * store of the same schema by one prepared INSERT in one transaction (median of 5).
 */
function sqliteInsertRate(store: string): number {
  const source = new Database(store, { readonly: true })
  const rows = source
    .prepare(
      "SELECT entity, realm, id, name, name_key, body, rev FROM resources WHERE name LIKE 'Batch script %'"
    )
    .all() as unknown[][]
  source.close()
  const times: number[] = []
  for (let run = 0; run < 5; run++) {
    const path = join(work, `sqlite-reference-${run}.db`)
    new LocalStore({ path, product: 'am8' }).close()
    const db = new Database(path)
    // As the store opens it: WAL, commits without fsync.
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    const insert = db.prepare(
      'INSERT INTO resources (entity, realm, id, name, name_key, body, rev) VALUES (?, ?, ?, ?, ?, ?, ?)'
    )
    const start = process.hrtime.bigint()
    db.transaction(() => {
      for (const row of rows) insert.run(...(Object.values(row as object) as unknown[]))
    })()
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
    db.close()
  }
  return rows.length / (median(times) / 1000)
}

// 3. A JavaScript loop of 10,000 run("create ...") calls, each command built by a template
//    literal, as a ported Amster eval() loop is (issue 3). Startup included.
if (wanted('loop')) {
  const file = join(work, 'loop.amster')
  writeFileSync(
    file,
    [
      `const body = ${JSON.stringify(body('x'))}`,
      'for (let i = 0; i < 10000; i++) {',
      '  await run(`create Scripts --realm / --body \'${body.replace(\'"x"\', `"Loop ${i}"`)}\'`)',
      '}',
      '',
    ].join('\n')
  )
  const runs: number[] = []
  for (let i = 0; i < 3; i++) {
    runs.push(
      timeRun([BIN, '--store', join(work, `loop-${i}.db`), file], {
        ...process.env,
        AMSH_HOME: work,
      })
    )
  }
  const rate = 10_000 / (median(runs) / 1000)
  record({
    name: '10,000-iteration JavaScript loop calling run("create ...") on the local store',
    value: rate,
    unit: 'commands/s',
    target: '≥ 5,000 commands/s',
    pass: rate >= 5000,
    detail: `median of 3 runs: ${median(runs).toFixed(0)} ms for 10,000 commands, startup included`,
  })
}

// 4. A prefix query on a store of 100,000 scripts, through the session as a command line.
if (wanted('query')) {
  const path = join(work, 'large.db')
  const store = new LocalStore({ path, product: 'am8' })
  const target = { entity: getEntity('Scripts'), scope: { kind: 'realm' as const, realm: '/' } }
  const words = [
    'alpha',
    'bravo',
    'charlie',
    'delta',
    'echo',
    'foxtrot',
    'golf',
    'hotel',
    'india',
    'juliet',
    'kilo',
    'lima',
    'mike',
    'november',
    'oscar',
    'papa',
    'quebec',
    'romeo',
    'sierra',
    'tango',
    'uniform',
    'victor',
    'whiskey',
    'xray',
    'yankee',
    'zulu',
  ]
  await store.atomic(async () => {
    for (let i = 0; i < 100_000; i++) {
      const name = `${words[i % words.length]!} ${i}`
      await store.create(target, JSON.parse(body(name)) as JsonObject)
    }
    return true
  })
  const session = new Session({
    connector: new Connector({
      home: { transport: store, label: undefined, owned: false },
      product: 'am8',
      env: process.env,
      warn: (line) => process.stderr.write(`${line}\n`),
      debug: false,
    }),
    profile: getProfile('am8'),
    properties: new Map(),
    write: (text) => process.stdout.write(text),
    writeError: (text) => process.stderr.write(text),
  })
  const frame = {
    file: 'bench',
    line: 1,
    baseDir: work,
    chain: [],
    via: undefined,
    host: {
      load: () => Promise.resolve(),
      exit: () => {},
      errexit: () => {},
      output: () => {},
      failed: () => {},
    },
  }
  const line = `query Scripts --realm / --filter 'name sw "x"'`
  let matches = 0
  const times: number[] = []
  for (let i = 0; i < 30; i++) {
    const start = process.hrtime.bigint()
    const outcome = await session.execute(line, frame)
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
    if (outcome.kind === 'value' && Array.isArray(outcome.value)) matches = outcome.value.length
  }
  store.close()
  const ms = median(times)
  record({
    name: `query Scripts --filter 'name sw "x"' on 100,000 scripts`,
    value: ms,
    unit: 'ms',
    target: '≤ 30 ms',
    pass: ms <= 30,
    detail: `median of 30 runs through the session (parse, filter → SQL, fetch, present); ${matches} matches (the 100,000 names cycle through 26 words, so 1 in 26 starts with "x")`,
  })
}

// 5. amsh serve (issue 4), alone with `npm run bench -- serve`: sequential creates over one
//    connection, concurrent reads, and the server's memory over 3 × 100,000 reads (bench/serve.ts).
//    AMSH_BENCH_CPU_PROF=<dir> runs each server under node --cpu-prof and leaves its profile in
//    <dir>, for finding where the time goes; the figures of such a run are not the real ones.
if (wanted('serve')) {
  const cpuProfileDir = process.env.AMSH_BENCH_CPU_PROF
  for (const figure of await serveBenchmarks({ bin: BIN, work, cpuProfileDir })) record(figure)
}

// 6. The REST transport (issue 5): a 10,000-command batch of creates from amsh to amsh serve on
//    loopback, through `connect` and one keep-alive connection; the amsh process is timed whole
//    (startup and login included), the server started beforehand.
if (wanted('rest')) {
  // Each run on a new server: amsh logging in alone, amsh logging in and sending the creates,
  // and a bare client sending the same creates; amsh's cost per create is the difference of
  // its two runs over their count.
  const CREATES = 1000
  const amshMs: number[] = []
  const bareMs: number[] = []
  const loginMs: number[] = []
  for (let i = 0; i < 5; i++) {
    const server = await startServer({ bin: BIN, work }, `rest-${i}`)
    try {
      const connect = `connect ${server.base} --username amadmin --password-env AMSH_BENCH_PASSWORD`
      const creates = Array.from(
        { length: CREATES },
        (_, n) => `create Scripts --realm / --body '${body(`REST script ${n}`)}'`
      )
      const env = { ...process.env, AMSH_HOME: work, AMSH_BENCH_PASSWORD: SERVE_PASSWORD }
      const loginOnly = join(work, `rest-login-${i}.amster`)
      writeFileSync(loginOnly, `${connect}\n`)
      const file = join(work, `rest-${i}.amster`)
      writeFileSync(file, `${[connect, ...creates].join('\n')}\n`)
      const local = join(work, `rest-local-${i}.db`)
      const bare = (tag: string) =>
        bareCreates(
          server,
          Array.from({ length: CREATES }, (_, n) => body(`${tag} ${n}`))
        )
      // A new server is slow until its code is compiled: whoever went first would pay for it.
      await bare('Warm-up script')
      const amshRun = () => {
        loginMs.push(timeRun([BIN, '--store', local, loginOnly], env))
        amshMs.push(timeRun([BIN, '--store', local, file], env))
      }
      if (i % 2 === 0) amshRun()
      bareMs.push(await bare('Bare script'))
      if (i % 2 === 1) amshRun()
      const created = await logged(server, 'POST', 201, 3 * CREATES)
      if (created !== 3 * CREATES) {
        throw new Error(`the server logged ${created} creates, not ${3 * CREATES}`)
      }
    } finally {
      await server.stop()
    }
  }
  const perCreate = (median(amshMs) - median(loginMs)) / CREATES
  const perRoundTrip = median(bareMs) / CREATES
  record({
    name: `a batch of ${CREATES.toLocaleString('en')} creates through the REST transport to amsh serve`,
    value: perCreate,
    unit: 'ms per create',
    target: '≤ 1.5× the bare client',
    pass: perCreate / perRoundTrip <= 1.5,
    reference: {
      what: 'undici Client: the same POSTs, one keep-alive connection',
      value: perRoundTrip,
      unit: 'ms per request',
      ratio: perCreate / perRoundTrip,
    },
    detail: `median of 5 runs, each on a new server warmed up by 1,000 creates first, amsh and the bare client taking turns to go first: amsh ${median(amshMs).toFixed(0)} ms for connect and ${CREATES} creates (POST ?_action=create), less ${median(loginMs).toFixed(0)} ms for connect alone; the bare client ${median(bareMs).toFixed(0)} ms; every create checked (parse, schema, source) as on the local store; client and server share the 2 cores`,
  })

  // One command against a server, as a process: amsh logging in and reading a script, against
  // curl doing the same two requests.
  const server = await startServer({ bin: BIN, work }, 'rest-one')
  try {
    const id = await oneScriptId(server)
    const env = { ...process.env, AMSH_HOME: work, AMSH_BENCH_PASSWORD: SERVE_PASSWORD }
    const amshArgs = [
      BIN,
      '--store',
      join(work, 'rest-one.db'),
      '-c',
      `connect ${server.base} --username amadmin --password-env AMSH_BENCH_PASSWORD`,
      '-c',
      `read Scripts --realm / --id ${id}`,
    ]
    const curlJob = [
      '-c',
      `T=$(curl -sf -X POST -H 'content-type: application/json' -H 'accept-api-version: resource=2.0, protocol=1.0' ` +
        `-H 'x-openam-username: amadmin' -H "x-openam-password: $AMSH_BENCH_PASSWORD" -d '{}' '${server.base}/json/realms/root/authenticate' | sed 's/.*"tokenId":"\\([^"]*\\)".*/\\1/') && ` +
        `curl -sf -H "cookie: iPlanetDirectoryPro=$T" -H 'accept-api-version: resource=1.0' '${server.base}/json/realms/root/scripts/${id}' > /dev/null`,
    ]
    timeRun(amshArgs, env)
    const amsh: number[] = []
    const curl: number[] = []
    for (let i = 0; i < 15; i++) {
      amsh.push(timeRun(amshArgs, env))
      curl.push(timeCommand('sh', curlJob, env))
    }
    record({
      name: 'one command against a server: log in and read a script, as a process',
      value: median(amsh),
      unit: 'ms',
      target: 'reported (no target)',
      pass: true,
      reference: {
        what: 'curl: the same two requests, from sh',
        value: median(curl),
        unit: 'ms',
        ratio: median(amsh) / median(curl),
      },
      detail: 'median of 15 interleaved runs each; amsh -c connect -c read, start-up included',
    })
  } finally {
    await server.stop()
  }
}

/** Sends the bodies as creates, one after another on one keep-alive connection; elapsed ms. */
async function bareCreates(server: Server, bodies: string[]): Promise<number> {
  const token = await serveLogin(server)
  const client = new Client(server.origin)
  const headers = {
    'accept-api-version': 'protocol=2.0,resource=1.0',
    'content-type': 'application/json',
    cookie: `iPlanetDirectoryPro=${token}`,
  }
  const start = process.hrtime.bigint()
  for (const text of bodies) {
    const response = await client.request({
      method: 'POST',
      path: `${server.prefix}/json/realms/root/scripts?_action=create`,
      headers,
      body: text,
    })
    await response.body.text()
    if (response.statusCode !== 201)
      throw new Error(`a bare create answered ${response.statusCode}`)
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  await client.close()
  return ms
}

/** The id of one of the server's scripts. */
async function oneScriptId(server: Server): Promise<string> {
  const token = await serveLogin(server)
  const response = await request(
    `${server.base}/json/realms/root/scripts?_queryFilter=true&_pageSize=1`,
    { headers: { cookie: `iPlanetDirectoryPro=${token}`, 'accept-api-version': 'resource=1.0' } }
  )
  const page = (await response.body.json()) as { result: { _id: string }[] }
  return page.result[0]!._id
}

// 7. Migration (issue 10): export, import, re-import and diff of 1,000 scripts through serve,
//    and the memory of a 100,000-script export from the local store.
if (wanted('migrate')) {
  for (const figure of await migrateBenchmarks({ bin: BIN, work })) record(figure)
}

// 8. Janssen (issue 11): creates and a listing through the Janssen transport.
if (wanted('jans')) {
  for (const figure of await jansBenchmarks({ bin: BIN, work })) record(figure)
}

// 9. Load (issue 13): 1,000,000 mixed requests on serve, its memory watched (bench/load.ts).
if (wanted('load')) {
  for (const figure of await loadBenchmarks({ bin: BIN, work })) record(figure)
}

// Record where the figures came from.
const machine = {
  host: hostname(),
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  sqlite: execFileSync(process.execPath, [
    '-e',
    "console.log(new (require('better-sqlite3'))(':memory:').prepare('select sqlite_version() v').get().v)",
  ])
    .toString()
    .trim(),
}
const date = new Date().toISOString()
const results = join('bench', 'results')
if (BENCHMARKS.every(wanted) && process.env.AMSH_BENCH_CPU_PROF == null) {
  mkdirSync(results, { recursive: true })
  writeFileSync(
    join(results, 'latest.json'),
    `${JSON.stringify({ date, machine, figures }, null, 2)}\n`
  )
  writeFileSync(join('bench', 'RESULTS.md'), resultsPage(date))
} else {
  console.log('bench: a partial or profiled run; bench/RESULTS.md left as it was')
}

/** bench/RESULTS.md: every figure with its reference, ratio and target. */
function resultsPage(date: string): string {
  const figure = (value: number, unit: string) =>
    `${value >= 100 ? Math.round(value).toLocaleString('en') : value.toFixed(value >= 10 ? 1 : 2)} ${unit}`
  const rows = figures.map((f) => {
    const reference = f.reference
      ? `${figure(f.reference.value, f.reference.unit)} (${f.reference.what})`
      : '—'
    const ratio = f.reference ? `${f.reference.ratio.toFixed(2)}×` : '—'
    return `| ${f.name} | ${figure(f.value, f.unit)} | ${reference} | ${ratio} | ${f.target} | ${f.pass ? 'pass' : '**FAIL**'} |`
  })
  const details = figures.map((f) => `- **${f.name}**: ${f.detail}`)
  return [
    '# amsh benchmark results',
    '',
    `Written by \`npm run bench\` on ${date}: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; Node ${machine.node}; SQLite ${machine.sqlite}; load average at the end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}.`,
    '',
    'Each reference does the same job as amsh, measured in the same run, interleaved where the',
    "two are processes; the ratio is how many times the reference's time amsh took (for rates,",
    "the reference rate over amsh's). Ratios hold from one machine to another far better than",
    'absolute figures, which moved by 2.5× from one day to the next on the same shared machine.',
    '',
    '| benchmark | amsh | reference | ratio | target | |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    '## How each was measured',
    '',
    ...details,
    '',
    readFileSync(join('bench', 'targets-not-met.md'), 'utf8'),
  ].join('\n')
}
rmSync(work, { recursive: true, force: true })
console.log(
  `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}, SQLite ${machine.sqlite}`
)
if (figures.some((f) => !f.pass)) process.exitCode = 1
