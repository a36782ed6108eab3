// A mixed read and write load on `amsh serve` with autocannon (a real HTTP load tool), shared by
// test/load.test.ts (a short run in CI) and bench/load.ts (1,000,000 requests with the server's
// memory watched). Out of every 20 requests: 16 read a script by id, 2 update one (a full PUT
// with If-Match: *), 1 creates a script under an id of the client's (PUT with If-None-Match: *)
// and 1 deletes the oldest one created, so the store keeps its size however long it runs.
import autocannon from 'autocannon'

export interface LoadOptions {
  /** `http://127.0.0.1:<port>` */
  origin: string
  /** `/am` */
  prefix: string
  token: string
  /** Ids of scripts that exist (read and updated; never deleted). */
  ids: readonly string[]
  amount: number
  connections: number
  /** Stops the run after this long, whatever is left. */
  maxSeconds: number
}

export interface LoadResult {
  result: autocannon.Result
  /** Requests of each kind sent. */
  sent: Record<'read' | 'update' | 'create' | 'delete', number>
  /** Answers by status. */
  statuses: Map<number, number>
  /** Whether the time bound stopped the run before `amount`. */
  stopped: boolean
}

const scriptsPath = (prefix: string) => `${prefix}/json/realms/root/scripts`

export function scriptBody(name: string, n: number): string {
  return JSON.stringify({
    name,
    description: `load ${n}`,
    script: Buffer.from(`var n = ${n};\noutcome = "true";\n`).toString('base64'),
    language: 'JAVASCRIPT',
    context: 'AUTHENTICATION_TREE_DECISION_NODE',
  })
}

/** Runs so far in this process: each creates its scripts under ids of its own. */
let runs = 0

/** The id of the n-th script load run `run` creates. */
function loadId(run: number, n: number): string {
  return `10ad${String(run).padStart(4, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`
}

export async function mixedLoad(options: LoadOptions): Promise<LoadResult> {
  const { origin, prefix, token, ids } = options
  const sent = { read: 0, update: 0, create: 0, delete: 0 }
  const statuses = new Map<number, number>()
  let k = 0
  const run = ++runs
  let created = 0
  let deleted = 0
  const path = scriptsPath(prefix)
  const common = {
    'accept-api-version': 'protocol=2.0,resource=1.0',
    cookie: `iPlanetDirectoryPro=${token}`,
  }
  const instance = autocannon({
    url: origin,
    connections: options.connections,
    amount: options.amount,
    headers: common,
    requests: [
      {
        setupRequest: (request) => {
          const slot = k++ % 20
          const id = ids[(k * 7919) % ids.length]!
          if (slot < 16) {
            sent.read++
            return { ...request, method: 'GET', path: `${path}/${id}`, headers: common }
          }
          if (slot < 18) {
            sent.update++
            return {
              ...request,
              method: 'PUT',
              path: `${path}/${id}`,
              headers: { ...common, 'content-type': 'application/json', 'if-match': '*' },
              body: scriptBody(`Load base ${ids.indexOf(id)}`, k),
            }
          }
          if (slot === 18) {
            sent.create++
            const n = created++
            return {
              ...request,
              method: 'PUT',
              path: `${path}/${loadId(run, n)}`,
              headers: { ...common, 'content-type': 'application/json', 'if-none-match': '*' },
              body: scriptBody(`Load new ${run}-${n}`, n),
            }
          }
          // The oldest script the run created, made at least 20 requests ago: with at most
          // `connections` requests in flight it is there, so a 404 would be the server's fault.
          if (deleted >= created - 1) {
            sent.read++
            return { ...request, method: 'GET', path: `${path}/${id}`, headers: common }
          }
          sent.delete++
          return {
            ...request,
            method: 'DELETE',
            path: `${path}/${loadId(run, deleted++)}`,
            headers: common,
          }
        },
      },
    ],
  })
  instance.on('response', (_client, status) => {
    statuses.set(status, (statuses.get(status) ?? 0) + 1)
  })
  let stopped = false
  const bound = setTimeout(() => {
    stopped = true
    instance.stop()
  }, options.maxSeconds * 1000)
  const result = await instance
  clearTimeout(bound)
  return { result, sent, statuses, stopped }
}

/** Creates `count` scripts to load, `Load base <n>`; their ids. */
export async function seedScripts(
  origin: string,
  prefix: string,
  token: string,
  count: number
): Promise<string[]> {
  const ids: string[] = []
  for (let n = 0; n < count; n++) {
    const id = `5eed0000-0000-4000-8000-${String(n).padStart(12, '0')}`
    const response = await fetch(`${origin}${scriptsPath(prefix)}/${id}`, {
      method: 'PUT',
      headers: {
        'accept-api-version': 'protocol=2.0,resource=1.0',
        cookie: `iPlanetDirectoryPro=${token}`,
        'content-type': 'application/json',
        'if-none-match': '*',
      },
      body: scriptBody(`Load base ${n}`, n),
    })
    await response.text()
    if (response.status !== 201) throw new Error(`seeding ${id}: ${response.status}`)
    ids.push(id)
  }
  return ids
}
