// `amsh serve` benchmarks (issue 4): the built binary as a child process on a loopback port, a
// fresh store each time, driven from this process. Server and load generator share the machine's
// cores, so each figure's detail says how much CPU each side used.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { Client, request } from 'undici'
import type { Figure } from './run.ts'
import { median } from './stats.ts'

export const SERVE_PASSWORD = 'bench-password'
const CREATES = 10_000
const CREATE_RUNS = 3
const CONNECTIONS = 16
const WARM_UP_READS = 10_000
const READS = 100_000
const READ_RUNS = 3
const RSS_EVERY_MS = 100
/** RSS is "flat" when its floor grows less than this from just after warm-up to the end. */
const RSS_GROWTH_LIMIT = 0.1
let ticksPerSecond: number | undefined

/** The unit of /proc's CPU times. */
function ticks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100
  return ticksPerSecond
}

export interface ServeBenchOptions {
  bin: string
  work: string
  /** Run the server under `node --cpu-prof`, writing its profile here. */
  cpuProfileDir?: string
}

export interface Server {
  base: string
  origin: string
  /** The context path, `/am`. */
  prefix: string
  pid: number
  /** What the server wrote to stderr (one line per request), read from its log file. */
  log(): string
  stop(): Promise<void>
}

/** Servers still running: a benchmark that fails must not leave them behind (nor hang on them). */
const running = new Set<ChildProcess>()

/** The secret `amsh serve --flavour jans` gives its client in the benchmarks. */
export const JANS_SECRET = 'bench-client-secret'

export function startServer(
  options: ServeBenchOptions,
  name: string,
  flavour: 'am' | 'jans' = 'am'
): Promise<Server> {
  const dir = join(options.work, name)
  mkdirSync(dir, { recursive: true })
  const profile = options.cpuProfileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`]
    : []
  return spawnServer(
    dir,
    [
      ...profile,
      options.bin,
      'serve',
      '--flavour',
      flavour,
      '--port',
      '0',
      '--store',
      join(dir, 'store.db'),
    ],
    {
      ...process.env,
      AMSH_HOME: dir,
      AMSH_ADMIN_PASSWORD: SERVE_PASSWORD,
      AMSH_JANS_CLIENT_SECRET: JANS_SECRET,
    }
  )
}

/** An answer as recorded from amsh serve, for the bare reference server to give back. */
interface Answer {
  status: number
  headers: Record<string, string>
  body: string
}

/** The reference: node:http answering each method with the bytes amsh serve answered it. */
function startBareServer(
  options: ServeBenchOptions,
  name: string,
  answers: Record<string, Answer>
): Promise<Server> {
  const dir = join(options.work, name)
  mkdirSync(dir, { recursive: true })
  const file = join(dir, 'answers.json')
  writeFileSync(file, JSON.stringify(answers))
  return spawnServer(
    dir,
    [fileURLToPath(new URL('bare-server.mjs', import.meta.url)), file],
    process.env
  )
}

async function spawnServer(dir: string, args: string[], env: NodeJS.ProcessEnv): Promise<Server> {
  const logPath = join(dir, 'serve.log')
  // stderr to a file, as `amsh serve 2>serve.log`: a pipe would need this process (which is the
  // load generator) to drain a log line per request.
  const logFd = openSync(logPath, 'w')
  const child: ChildProcess = spawn(process.execPath, args, {
    env,
    stdio: ['ignore', 'ignore', logFd],
  })
  closeSync(logFd)
  running.add(child)
  const exited = new Promise<void>((done) =>
    child.once('exit', () => {
      running.delete(child)
      done()
    })
  )
  const log = () => readFileSync(logPath, 'utf8')
  const deadline = Date.now() + 10_000
  let started: RegExpExecArray | null
  while (!(started = /amsh serve: (http\S+)/.exec(log()))) {
    if (Date.now() > deadline || child.exitCode != null) {
      child.kill('SIGKILL')
      throw new Error(`${args.join(' ')} did not start: ${log()}`)
    }
    await new Promise((r) => setTimeout(r, 20))
  }
  const base = started[1]!
  const url = new URL(base)
  return {
    base,
    origin: url.origin,
    prefix: url.pathname,
    pid: child.pid!,
    log,
    // SIGTERM, not SIGKILL: serve shuts down cleanly, and node writes the CPU profile on exit.
    stop: () => {
      child.kill('SIGTERM')
      return exited
    },
  }
}

/** What amsh serve answers a request, as the bare server is to answer it. */
async function recorded(
  url: string,
  init: { method: 'GET' | 'PUT'; headers: Record<string, string>; body?: string }
): Promise<Answer> {
  const response = await request(url, init)
  const body = await response.body.text()
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(response.headers)) {
    // node:http writes these itself.
    if (['connection', 'keep-alive', 'date', 'content-length', 'transfer-encoding'].includes(name))
      continue
    if (typeof value === 'string') headers[name] = value
  }
  return { status: response.statusCode, headers, body }
}

export async function serveLogin(server: Server): Promise<string> {
  const response = await request(`${server.base}/json/realms/root/authenticate`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'accept-api-version': 'resource=2.0, protocol=1.0',
      'x-openam-username': 'amadmin',
      'x-openam-password': SERVE_PASSWORD,
    },
    body: '{}',
  })
  const answer = (await response.body.json()) as { tokenId?: string }
  if (response.statusCode !== 200 || answer.tokenId == null) {
    throw new Error(`login failed: ${response.statusCode}`)
  }
  return answer.tokenId
}

/** VmRSS of a process, in bytes. */
export function rss(pid: number): number {
  let status = ''
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8')
  } catch {
    throw new Error(`amsh serve (process ${pid}) is gone`)
  }
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status)
  if (!match) throw new Error(`no VmRSS for process ${pid}`)
  return Number(match[1]) * 1024
}

/** User + system CPU seconds a process has used so far. */
function cpuSeconds(pid: number): number {
  // Fields after the command name, which is in parentheses and may itself hold spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / ticks() // utime, stime
}

/** CPU seconds the whole machine has been busy so far, and lost to the hypervisor (steal). */
function machineSeconds(): { busy: number; stolen: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!
  const [user, nice, system, , , irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number)
  return {
    busy: (user! + nice! + system! + irq! + softirq!) / ticks(),
    stolen: steal! / ticks(),
  }
}

interface Cpu {
  /** Cores in use on average: by the server, by this process (the client), by the machine. */
  server: number
  client: number
  machine: number
  /** Cores' worth of time the hypervisor gave to other guests. */
  stolen: number
}

/** Wall time and the CPU in use meanwhile: the two sides share the machine with anything else. */
function meter(pid: number): () => { seconds: number } & Cpu {
  const start = process.hrtime.bigint()
  const server = cpuSeconds(pid)
  const client = process.cpuUsage()
  const machine = machineSeconds()
  return () => {
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    const used = process.cpuUsage(client)
    const now = machineSeconds()
    return {
      seconds,
      server: (cpuSeconds(pid) - server) / seconds,
      client: (used.user + used.system) / 1e6 / seconds,
      machine: (now.busy - machine.busy) / seconds,
      stolen: (now.stolen - machine.stolen) / seconds,
    }
  }
}

/** "server 0.98, client 0.55, the rest of the machine (...) 0.12 of 2 cores" */
function cpuText(cpu: Cpu, client: string): string {
  const rest = Math.max(0, cpu.machine - cpu.server - cpu.client)
  const stolen = cpu.stolen >= 0.01 ? `, ${cpu.stolen.toFixed(2)} stolen by the hypervisor` : ''
  return `server ${cpu.server.toFixed(2)}, ${client} ${cpu.client.toFixed(2)}, the rest of the machine (kernel, other processes) ${rest.toFixed(2)} of ${cpus().length} cores${stolen}`
}

export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`

function scriptId(i: number): string {
  return `be000000-0000-4000-8000-${String(i).padStart(12, '0')}`
}

function scriptPath(server: Server, i: number): string {
  return `${server.prefix}/json/realms/root/scripts/${scriptId(i)}`
}

function scriptBody(i: number): string {
  return JSON.stringify({
    name: `Serve bench ${i}`,
    script: Buffer.from(`var n = ${i};\noutcome = "true";\n`).toString('base64'),
    language: 'JAVASCRIPT',
    context: 'AUTHENTICATION_TREE_DECISION_NODE',
  })
}

/** How many requests of `method` the server logged as answered with `status`. */
export async function logged(server: Server, method: string, status: number, expected: number) {
  // The server logs a request after it has sent the answer, so the last lines may lag a little.
  const line = new RegExp(`^${method} \\S+ ${status} `, 'gm')
  const deadline = Date.now() + 2000
  for (;;) {
    const count = server.log().match(line)?.length ?? 0
    if (count >= expected || Date.now() > deadline) return count
    await new Promise((r) => setTimeout(r, 20))
  }
}

interface CreateRun {
  rate: number
  statuses: Map<number, number>
  connections: number
  serverLogged: number
  cpu: Cpu
}

/** 10,000 PUTs, one after another, over one keep-alive connection. */
async function sequentialCreates(server: Server, token: string): Promise<CreateRun> {
  const headers = {
    'accept-api-version': 'protocol=2.0,resource=1.0',
    'content-type': 'application/json',
    cookie: `iPlanetDirectoryPro=${token}`,
  }
  // An undici Client is one connection; counting its connects shows keep-alive held.
  const client = new Client(server.origin)
  let connections = 0
  client.on('connect', () => connections++)
  const statuses = new Map<number, number>()
  const measured = meter(server.pid)
  for (let i = 0; i < CREATES; i++) {
    const response = await client.request({
      method: 'PUT',
      path: scriptPath(server, i),
      headers,
      body: scriptBody(i),
    })
    await response.body.text()
    statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1)
  }
  const { seconds, ...cpu } = measured()
  await client.close()
  return {
    rate: CREATES / seconds,
    statuses,
    connections,
    serverLogged: await logged(server, 'PUT', 201, CREATES),
    cpu,
  }
}

/** The created scripts' paths, shuffled (seeded) so that consecutive reads hit scattered rows. */
function shuffledPaths(server: Server): string[] {
  const paths = Array.from({ length: CREATES }, (_, i) => scriptPath(server, i))
  let seed = 42
  for (let i = paths.length - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    const j = seed % (i + 1)
    ;[paths[i], paths[j]] = [paths[j]!, paths[i]!]
  }
  return paths
}

interface Reads {
  result: autocannon.Result
  seconds: number
  cpu: Cpu
}

/** `amount` reads by id; `atLastAnswer` runs as the last answer arrives. */
async function reads(
  server: Server,
  token: string,
  paths: string[],
  amount: number,
  atLastAnswer: () => void = () => {}
): Promise<Reads> {
  // One counter for all connections: every id is read in turn, none twice before all once.
  let next = 0
  let answered = 0
  let finished: ReturnType<ReturnType<typeof meter>> | undefined
  // The clock runs from the first request to the last answer: autocannon only notices that it
  // is done at its next sample tick (every second), so its own duration runs up to a second long.
  const measured = meter(server.pid)
  const instance = autocannon({
    url: server.origin,
    connections: CONNECTIONS,
    amount,
    headers: {
      'accept-api-version': 'protocol=2.0,resource=1.0',
      cookie: `iPlanetDirectoryPro=${token}`,
    },
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }),
      },
    ],
  })
  instance.on('response', () => {
    if (++answered !== amount) return
    finished = measured()
    atLastAnswer()
  })
  const result = await instance
  const { seconds, ...cpu } = finished ?? measured()
  return { result, seconds, cpu }
}

function problems({ result }: Reads, expected: number): string[] {
  const ok = result.statusCodeStats['200']?.count ?? 0
  const found: string[] = []
  if (result.errors) found.push(`${result.errors} errors`)
  if (result.timeouts) found.push(`${result.timeouts} timeouts`)
  if (result.non2xx) found.push(`${result.non2xx} non-2xx`)
  if (ok !== expected) found.push(`${ok} of ${expected} answered 200`)
  return found
}

const count = (n: number) => n.toLocaleString('en')

/** amsh serve's answers to one more create and a read, recorded for the bare server. */
async function answersOf(server: Server, token: string): Promise<Record<string, Answer>> {
  const headers = {
    'accept-api-version': 'protocol=2.0,resource=1.0',
    'content-type': 'application/json',
    cookie: `iPlanetDirectoryPro=${token}`,
  }
  const PUT = await recorded(`${server.origin}${scriptPath(server, CREATES)}`, {
    method: 'PUT',
    headers,
    body: scriptBody(CREATES),
  })
  const GET = await recorded(`${server.origin}${scriptPath(server, 1)}`, { method: 'GET', headers })
  if (PUT.status !== 201 || GET.status !== 200) {
    throw new Error(`recording answers: PUT ${PUT.status}, GET ${GET.status}`)
  }
  return { PUT, GET }
}

export async function serveBenchmarks(options: ServeBenchOptions): Promise<Figure[]> {
  try {
    return await measure(options)
  } finally {
    for (const child of running) child.kill('SIGKILL')
  }
}

async function measure(options: ServeBenchOptions): Promise<Figure[]> {
  const figures: Figure[] = []
  const profiled = options.cpuProfileDir ? ' (server under --cpu-prof)' : ''

  // 1. Sequential creates, each run on a new server and store; the last server stays up for the
  //    reads, which need its scripts. Each run is followed by the same run against the bare
  //    server, which answers what this server answered.
  const runs: CreateRun[] = []
  const bareRuns: CreateRun[] = []
  let answers: Record<string, Answer> | undefined
  let server: Server | undefined
  let token = ''
  let startRss = 0
  for (let run = 1; run <= CREATE_RUNS; run++) {
    const last = run === CREATE_RUNS
    server = await startServer(options, last ? 'serve-reads' : `serve-${run}`)
    if (last) startRss = rss(server.pid)
    token = await serveLogin(server)
    runs.push(await sequentialCreates(server, token))
    answers ??= await answersOf(server, token)
    const bare = await startBareServer(options, `bare-${run}`, answers)
    bareRuns.push(await sequentialCreates(bare, token))
    await bare.stop()
    if (!last) await server.stop()
  }
  server = server!

  const rates = runs.map((r) => r.rate)
  const rate = median(rates)
  const bareRate = median(bareRuns.map((r) => r.rate))
  const wrong = runs.flatMap((r, n) => [
    ...[...r.statuses]
      .filter(([status]) => status !== 201)
      .map(([status, times]) => `run ${n + 1}: ${times}× ${status}`),
    ...(r.serverLogged === CREATES ? [] : [`run ${n + 1}: ${r.serverLogged} logged as 201`]),
  ])
  const cpu = runs[rates.indexOf(rate)]?.cpu ?? runs[0]!.cpu
  figures.push({
    name: `amsh serve: ${count(CREATES)} sequential PUT creates over one keep-alive connection`,
    value: rate,
    unit: 'requests/s',
    target: '≥ 6,000 requests/s, all 201',
    pass: rate >= 6000 && wrong.length === 0,
    reference: {
      what: 'node:http answering the same bytes',
      value: bareRate,
      unit: 'requests/s',
      ratio: bareRate / rate,
    },
    detail:
      `median of ${CREATE_RUNS} runs, each on a new server and store (${rates.map((r) => r.toFixed(0)).join(', ')} requests/s; the bare server: ${bareRuns.map((r) => r.rate.toFixed(0)).join(', ')}); ` +
      'undici Client on loopback, the next request sent once the answer is read; ' +
      (wrong.length
        ? `NOT ALL 201: ${wrong.join(', ')}; `
        : `all ${count(CREATES * CREATE_RUNS)} answered 201; `) +
      `TCP connections per run: ${runs.map((r) => r.connections).join(', ')}; ` +
      `CPU in use (median run): ${cpuText(cpu, 'client')}${profiled}`,
  })

  // 2. Reads by id from 16 connections, with the server's RSS sampled throughout.
  const afterCreates = rss(server.pid)
  const check = await request(`${server.origin}${scriptPath(server, 1234)}`, {
    headers: { cookie: `iPlanetDirectoryPro=${token}` },
  })
  const read = (await check.body.json()) as { _id?: string; name?: string }
  if (check.statusCode !== 200 || read._id !== scriptId(1234) || read.name !== 'Serve bench 1234') {
    throw new Error(`GET of a created script answered ${check.statusCode}: ${JSON.stringify(read)}`)
  }
  const paths = shuffledPaths(server)
  const warmUp = await reads(server, token, paths, WARM_UP_READS)
  const afterWarmUp = rss(server.pid)
  const readRuns: (Reads & { samples: number[] })[] = []
  for (let run = 0; run < READ_RUNS; run++) {
    const samples = [rss(server.pid)]
    const sampler = setInterval(() => samples.push(rss(server.pid)), RSS_EVERY_MS)
    const done = await reads(server, token, paths, READS, () => {
      clearInterval(sampler)
      samples.push(rss(server.pid))
    })
    readRuns.push({ ...done, samples })
  }
  const served = 1 + WARM_UP_READS + READ_RUNS * READS
  const serverLogged = await logged(server, 'GET', 200, served)
  await server.stop()
  const bare = await startBareServer(options, 'bare-reads', answers!)
  await reads(bare, token, paths, WARM_UP_READS)
  const bareReadRates: number[] = []
  for (let run = 0; run < READ_RUNS; run++) {
    bareReadRates.push(READS / (await reads(bare, token, paths, READS)).seconds)
  }
  await bare.stop()
  const bareReadRate = median(bareReadRates)

  const readRates = readRuns.map((r) => READS / r.seconds)
  const readRate = median(readRates)
  const typical = readRuns[readRates.indexOf(readRate)] ?? readRuns[0]!
  const found = [...problems(warmUp, WARM_UP_READS), ...readRuns.flatMap((r) => problems(r, READS))]
  if (serverLogged !== served) found.push(`the server logged ${serverLogged} GET 200s of ${served}`)
  const { latency } = typical.result
  figures.push({
    name: `amsh serve: GET scripts by id, ${CONNECTIONS} concurrent connections (autocannon)`,
    value: readRate,
    unit: 'requests/s',
    target: '≥ 30,000 requests/s, 0 errors, 0 non-2xx',
    pass: readRate >= 30_000 && found.length === 0,
    reference: {
      what: 'node:http answering the same bytes, same load',
      value: bareReadRate,
      unit: 'requests/s',
      ratio: bareReadRate / readRate,
    },
    detail:
      `median of ${READ_RUNS} runs of ${count(READS)} requests (${readRates.map((r) => r.toFixed(0)).join(', ')} requests/s; the bare server: ${bareReadRates.map((r) => r.toFixed(0)).join(', ')}), ` +
      `after ${count(WARM_UP_READS)} warm-up requests, on the server of the last create run, spread over its ${count(CREATES)} ids; ` +
      `clock from first request to last answer; latency p50 ${latency.p50} ms, p99 ${latency.p99} ms, max ${latency.max} ms (autocannon counts whole ms); ` +
      (found.length ? `PROBLEMS: ${found.join(', ')}; ` : '0 errors, 0 non-2xx; ') +
      `CPU in use (median run): ${cpuText(typical.cpu, 'autocannon')}${profiled}`,
  })

  // RSS saw-tooths by 10-20 MiB as V8 fills and empties its young generation, so two single
  // readings can differ by that much with nothing leaking; the floor (the lowest reading) of a
  // stretch is what a leak raises.
  const floors = readRuns.map(({ samples }) => {
    const quarter = Math.max(1, Math.ceil(samples.length / 4))
    return {
      first: Math.min(...samples.slice(0, quarter)),
      last: Math.min(...samples.slice(-quarter)),
    }
  })
  const before = floors[0]!.first
  const after = floors.at(-1)!.last
  const growth = (after - before) / before
  const all = readRuns.flatMap((r) => r.samples)
  figures.push({
    name: `amsh serve: RSS growth after warm-up, over ${READ_RUNS} × ${count(READS)} reads`,
    value: growth * 100,
    unit: '%',
    target: `< ${RSS_GROWTH_LIMIT * 100}% (lowest VmRSS in the last quarter of the last run vs. in the first quarter of the first)`,
    pass: growth < RSS_GROWTH_LIMIT,
    detail:
      `VmRSS of the serve process: at start ${mib(startRss)}, after ${count(CREATES)} creates ${mib(afterCreates)}, ` +
      `after ${count(WARM_UP_READS)} warm-up reads ${mib(afterWarmUp)}, after the last read ${mib(all.at(-1)!)}; ` +
      `sampled every ${RSS_EVERY_MS} ms during the reads (${all.length} samples, ${mib(Math.min(...all))} to ${mib(Math.max(...all))}), ` +
      `lowest in each run's first and last quarter: ${floors.map((f) => `${mib(f.first)} → ${mib(f.last)}`).join(', ')}`,
  })
  return figures
}
