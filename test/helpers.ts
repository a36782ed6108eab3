import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { getEntity } from '../src/catalog/catalog.ts'
import { getProfile, type Product } from '../src/catalog/profiles.ts'
import { Router } from '../src/server/router.ts'
import { serve } from '../src/server/serve.ts'
import { Connector } from '../src/shell/connect.ts'
import { Session } from '../src/shell/session.ts'
import { Sessions } from '../src/server/sessions.ts'
import { LocalStore } from '../src/transport/local/store.ts'
import type { Transport } from '../src/transport/types.ts'

/** A fresh temporary folder, removed by the returned function. */
export function tempDir(prefix = 'amsh-test-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64')

export const BIN = resolve('bin/amsh.js')

export interface Run {
  status: number | null
  stdout: string
  stderr: string
}

/** Runs the built amsh binary as a user would, and waits for it. */
export function runAmsh(
  args: string[],
  options: { input?: string; env?: Record<string, string>; cwd?: string } = {}
): Run {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    input: options.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    timeout: 20_000,
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** runAmsh without blocking the event loop: for tests whose own servers must answer amsh. */
export function runAmshAsync(
  args: string[],
  options: { input?: string; env?: Record<string, string>; cwd?: string } = {}
): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...options.env },
      cwd: options.cwd,
      timeout: 20_000,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('close', (status) => done({ status, stdout, stderr }))
    child.stdin.end(options.input ?? '')
  })
}

/** A small seeded random generator (mulberry32): generated test data is the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T
}

/** A real `amsh serve` on a free loopback port, as a user starts it. */
export interface Served {
  /** `http://127.0.0.1:<port>/am` */
  base: string
  /** What the server wrote to stderr so far (one line per request). */
  log(): string
  process: ChildProcess
  /** Kills the server and removes its home. */
  stop(): void
}

export const SERVE_PASSWORD = 'p4ss'

export async function startServe(
  args: string[] = [],
  options: { realms?: string[] } = {}
): Promise<Served> {
  const home = tempDir('amsh-serve-')
  if (options.realms) await withRealms(join(home.dir, 'store.db'), options.realms)
  let log = ''
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--port', '0', '--store', join(home.dir, 'store.db'), ...args],
    {
      env: {
        ...process.env,
        AMSH_HOME: home.dir,
        AMSH_ADMIN_PASSWORD: SERVE_PASSWORD,
        AMSH_JANS_CLIENT_SECRET: SERVE_PASSWORD,
      },
    }
  )
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()))
  const deadline = Date.now() + 10_000
  let started: RegExpExecArray | null
  while (!(started = /amsh serve: (http\S+)/.exec(log))) {
    if (Date.now() > deadline || child.exitCode != null) {
      child.kill('SIGKILL')
      home.remove()
      throw new Error(`amsh serve did not start: ${log}`)
    }
    await new Promise((r) => setTimeout(r, 20))
  }
  return {
    base: started[1]!,
    log: () => log,
    process: child,
    stop: () => {
      child.kill('SIGKILL')
      home.remove()
    },
  }
}

/** Logs in as amadmin the way AM clients do; the tokenId. */
export async function loginTo(base: string): Promise<string> {
  const response = await fetch(`${base}/json/realms/root/authenticate`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'accept-api-version': 'resource=2.0, protocol=1.0',
      'x-openam-username': 'amadmin',
      'x-openam-password': SERVE_PASSWORD,
    },
    body: '{}',
  })
  if (response.status !== 200) throw new Error(`login failed: ${response.status}`)
  return String(((await response.json()) as { tokenId: string }).tokenId)
}

/**
 * The server of `amsh serve` in this process, in front of `store`, on a loopback port: for suites
 * that need a fresh server per test (starting the binary each time would be slow).
 */
export async function serveInProcess(
  store: Transport,
  log: (line: string) => void = () => undefined
): Promise<{ url: string; close(): Promise<void> }> {
  const { server, url } = await serve({
    router: new Router({
      transport: store,
      profile: getProfile('am8'),
      sessions: new Sessions(SERVE_PASSWORD),
    }),
    host: '127.0.0.1',
    port: 0,
    contextPath: '/am',
    log,
  })
  return {
    url,
    close: async () => {
      server.closeAllConnections()
      await new Promise((done) => server.close(done))
    },
  }
}

/** The body that creates realm `path` (its parent must exist). */
export function realmBody(path: string): Record<string, string | boolean | string[]> {
  const slash = path.lastIndexOf('/')
  return {
    name: path.slice(slash + 1),
    parentPath: path.slice(0, slash) || '/',
    active: true,
    aliases: [],
  }
}

/** Makes the realms (parents first) in the store file at `path`: a realm must exist before it holds anything. */
export async function withRealms(path: string, realms: string[], product: Product = 'am8') {
  const store = new LocalStore({ path, product })
  try {
    const target = { entity: getEntity('Realms'), scope: { kind: 'global' as const } }
    for (const realm of realms) await store.create(target, realmBody(realm))
  } finally {
    store.close()
  }
}

/** A session on `transport` (as its home, the am8 product) that writes nothing anywhere. */
export function quietSession(transport: Transport): Session {
  return new Session({
    connector: new Connector({
      home: { transport, label: undefined, owned: false },
      product: 'am8',
      env: {},
      warn: () => undefined,
      debug: false,
    }),
    profile: getProfile('am8'),
    properties: new Map(),
    write: () => undefined,
    writeError: () => undefined,
  })
}
