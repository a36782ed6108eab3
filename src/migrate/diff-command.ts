import { existsSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Command, CommanderError, Option } from 'commander'
import { DEFAULT_PRODUCT, parseProduct, PRODUCTS, type Product } from '../catalog/profiles.ts'
import { normaliseRealm } from '../crest/realm.ts'
import { AmshError, toAmshError } from '../errors.ts'
import { progressBar } from '../output/progress.ts'
import { amshHome } from '../paths.ts'
import { Connector } from '../shell/connect.ts'
import { openTransport } from '../transport/open.ts'
import type { Transport } from '../transport/types.ts'
import { diffItems, type DiffEntry } from './diff.ts'
import { readTransport, type Selection } from './from-transport.ts'
import type { ConfigItem, ReadProblem } from './items.ts'
import { readTree } from './read-tree.ts'

// `amsh diff <A> <B>`: compares two places configuration lives — a folder of export files, the
// local store (`local`, `local:<file>`), or a saved connection (its profile name) — and exits as
// kubectl diff does: 0 when they hold the same, 1 when they differ, 2 when it could not tell.

interface DiffOptions {
  output: 'text' | 'json'
  store?: string
  product: string
  realms?: string
  realmEntities?: string
  globalEntities?: string
}

interface Side {
  label: string
  items: ConfigItem[]
  problems: ReadProblem[]
}

function words(value: string | undefined): string[] | undefined {
  return value?.split(/\s+/).filter(Boolean)
}

/** What a folder's items name: the transport side reads the same entities and realms only. */
function selectionOf(items: readonly ConfigItem[]): Selection {
  const realms = new Set<string>()
  const realmEntities = new Set<string>()
  const globalEntities = new Set<string>()
  for (const item of items) {
    if (item.scope.kind === 'realm') {
      realms.add(item.scope.realm)
      realmEntities.add(item.entity)
    } else {
      globalEntities.add(item.entity)
    }
  }
  return {
    realms: [...realms],
    realmEntities: [...realmEntities],
    globalEntities: [...globalEntities],
    missingRealmsEmpty: true,
  }
}

async function openTarget(
  spec: string,
  options: DiffOptions,
  product: Product
): Promise<Transport> {
  const local = /^local(?::(.+))?$/.exec(spec)
  if (local) {
    const path = local[1] ? resolve(local[1]) : (options.store ?? join(amshHome(), 'store.db'))
    if (!existsSync(path)) throw new AmshError('E_NOT_FOUND', `diff: there is no store at ${path}`)
    return openTransport({ kind: 'local', path, product, snapshot: true })
  }
  const connector = new Connector({
    home: { transport: undefined as unknown as Transport, label: undefined, owned: false },
    product,
    env: process.env,
    warn: (line) => process.stderr.write(`${line}\n`),
    debug: false,
  })
  try {
    const connection = await connector.open(
      { target: undefined, profile: spec, interactive: false, insecure: false },
      process.cwd(),
      () => undefined
    )
    return connection.transport
  } catch (err) {
    const error = toAmshError(err)
    throw new AmshError(
      error.code,
      `diff: "${spec}" is not a folder, not local or local:<file>, and not a saved connection that opens: ${error.message}`
    )
  }
}

/**
 * A folder is written as a path (`./prod`, `exports/prod`, `/tmp/x`), so that a bare word is
 * always a saved connection's name, even where a folder of that name happens to be.
 */
function isFolder(spec: string): boolean {
  return /[/\\]|^\.\.?$/.test(spec) && existsSync(spec) && statSync(spec).isDirectory()
}

async function readSide(
  spec: string,
  options: DiffOptions,
  product: Product,
  selection: Selection | undefined
): Promise<Side> {
  if (isFolder(spec)) {
    const read = await readTree(spec, { defaultRealm: '/' })
    return { label: spec, items: read.items, problems: read.problems }
  }
  const transport = await openTarget(spec, options, product)
  const side: Side = { label: spec, items: [], problems: [] }
  const bar = progressBar(`reading ${spec}`)
  try {
    await readTransport(transport, selection ?? {}, {
      item: (item) => {
        side.items.push(item)
        bar.tick()
      },
      problem: (problem) => side.problems.push(problem),
    })
  } finally {
    bar.stop()
    transport.close()
  }
  return side
}

function place(entry: DiffEntry): string {
  const where = entry.scope.kind === 'global' ? 'global' : entry.scope.realm
  return `${entry.entity} ${where} ${entry.id}${entry.name ? ` "${entry.name}"` : ''}`
}

function textReport(entries: DiffEntry[], labels: [string, string]): string[] {
  const lines: string[] = []
  for (const entry of entries) {
    if (entry.status === 'same') continue
    if (entry.status === 'onlyA') lines.push(`only in ${labels[0]}: ${place(entry)}`)
    if (entry.status === 'onlyB') lines.push(`only in ${labels[1]}: ${place(entry)}`)
    if (entry.status === 'changed') {
      lines.push(`changed: ${place(entry)} (${entry.changed!.join(', ')})`)
      if (entry.sourceDiff) lines.push(entry.sourceDiff.trimEnd())
      if (entry.fieldsDiff) lines.push(entry.fieldsDiff.trimEnd())
    }
  }
  return lines
}

function program(): Command {
  return new Command('amsh diff')
    .description(
      'Compare the configuration of two places: a folder of export files (written as a path: ./dev, /tmp/x), the local store (local, or local:<file>), or a saved connection by its name (amsh profile list).'
    )
    .argument('<A>', 'the first place')
    .argument('<B>', 'the second place')
    .addOption(
      new Option('-o, --output <format>', 'text, or json for CI')
        .choices(['text', 'json'])
        .default('text')
    )
    .option('--store <path>', 'the store "local" names (default: $AMSH_HOME/store.db)')
    .addOption(
      new Option('--product <name>', 'the product of local stores')
        .choices(PRODUCTS)
        .default(DEFAULT_PRODUCT)
    )
    .option('--realms <paths>', 'compare these realms only, space-separated ("/ /alpha")')
    .option('--realmEntities <names>', "compare these realm entities only; ' ' for none")
    .option('--globalEntities <names>', "compare these global entities only; ' ' for none")
    .helpOption('-h, --help', 'show this help')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) })
    .addHelpText(
      'after',
      `
Exit status: 0 the same; 1 different; 2 could not compare (a bad argument, an unreadable file).
A folder compared with a store or a server is compared with the entities and realms it holds.`
    )
}

export async function diffMain(argv: string[]): Promise<number> {
  const cli = program()
  try {
    cli.parse(argv, { from: 'user' })
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2
    throw err
  }
  const options = cli.opts<DiffOptions>()
  const [a, b] = cli.args as [string, string]
  try {
    const product = parseProduct(options.product)
    const given: Selection = {
      realms: words(options.realms)?.map((realm) => normaliseRealm(realm)),
      realmEntities: words(options.realmEntities),
      globalEntities: words(options.globalEntities),
    }
    // A folder names what to compare: read it first, and the other side to match.
    const first =
      isFolder(b) && !isFolder(a) ? await readSide(b, options, product, given) : undefined
    const sideA = await readSide(
      a,
      options,
      product,
      first ? { ...selectionOf(first.items), ...defined(given) } : given
    )
    const sideB =
      first ??
      (await readSide(
        b,
        options,
        product,
        isFolder(a) ? { ...selectionOf(sideA.items), ...defined(given) } : given
      ))
    const problems = [
      ...sideA.problems.map((p) => ({ side: a, ...p })),
      ...sideB.problems.map((p) => ({ side: b, ...p })),
    ]
    const labels: [string, string] = [a, b]
    const result = diffItems(sideA.items, sideB.items, labels)
    if (options.output === 'json') {
      process.stdout.write(
        `${JSON.stringify({ a, b, counts: result.counts, entries: result.entries.filter((e) => e.status !== 'same'), problems }, null, 2)}\n`
      )
    } else {
      for (const line of textReport(result.entries, labels)) process.stdout.write(`${line}\n`)
      for (const p of problems)
        process.stderr.write(`amsh diff: ${p.side}: ${p.file}: ${p.message}\n`)
      const { same, changed, onlyA, onlyB } = result.counts
      process.stderr.write(
        `${same} same, ${changed} changed, ${onlyA} only in ${a}, ${onlyB} only in ${b}\n`
      )
    }
    if (problems.length > 0) return 2
    return result.counts.changed + result.counts.onlyA + result.counts.onlyB > 0 ? 1 : 0
  } catch (err) {
    process.stderr.write(`${toAmshError(err).format()}\n`)
    return 2
  }
}

function defined(selection: Selection): Selection {
  return Object.fromEntries(
    Object.entries(selection).filter(([, v]) => v !== undefined)
  ) as Selection
}
