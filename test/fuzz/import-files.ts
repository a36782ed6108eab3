import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import fc from 'fast-check'
import { inlineReader, resolveExpressions, hasExpressions } from '../../src/migrate/expressions.ts'
import { readTree } from '../../src/migrate/read-tree.ts'
import type { JsonObject, JsonValue } from '../../src/json.ts'
import { HOSTILE, mutated, target, type FuzzTarget } from './inputs.ts'

// What `import-config` and `diff` read: a folder of exported files (Amster's export, frodo's,
// fr-config-manager's), here the real ones of test/fixtures mutated, broken JSON, deep
// nesting, huge fields and odd file names, written to a folder of their own. The property: the
// read answers (items, problems and skipped files) or fails with an AmshError, never E_INTERNAL.

export interface ImportFile {
  /** Where below the folder, `/`-separated. */
  path: string
  text: string
}

const FIXTURES = join(import.meta.dirname, '..', 'fixtures')

function filesBelow(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(
      (entry) => entry.isFile() && !entry.name.endsWith('.txt') && !entry.name.endsWith('.md')
    )
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
}

/** The real export files, each with its path below its export's folder. */
const SEEDS: ImportFile[] = [
  ...filesBelow(join(FIXTURES, 'migrate')).map((file) => ({
    // The export's own folder (amster/cdm-6.5.1/...) is dropped: its files land at the root.
    path: relative(join(FIXTURES, 'migrate'), file).split('/').slice(2).join('/'),
    text: readFileSync(file, 'utf8'),
  })),
  ...filesBelow(join(FIXTURES, 'exports')).map((file) => ({
    path: relative(join(FIXTURES, 'exports'), file),
    text: readFileSync(file, 'utf8'),
  })),
].filter((seed) => seed.path !== '')

/** A parsed JSON value with one value somewhere in it replaced. */
function replaced(json: JsonValue, at: number, by: JsonValue): JsonValue {
  const places: { parent: JsonObject | JsonValue[]; key: string | number }[] = []
  const walk = (value: JsonValue) => {
    if (value == null || typeof value !== 'object') return
    for (const [key, inner] of Object.entries(value)) {
      places.push({ parent: value, key: Array.isArray(value) ? Number(key) : key })
      walk(inner)
    }
  }
  walk(json)
  const place = places[Math.floor(at * places.length)]
  if (!place) return by
  ;(place.parent as Record<string | number, JsonValue>)[place.key] = by
  return json
}

/** Values as JSON text: a 10,000-deep one is more than JSON.stringify can write. */
const ODD_VALUES: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
  fc
    .constantFrom<JsonValue>(
      null,
      '',
      '&{missing}',
      '&{a|b}',
      '&{&{&{x}}}',
      '${x}',
      '../../../etc/passwd',
      '/etc/passwd',
      'file://../x',
      { $int: '&{n}' },
      { $bool: 'maybe' },
      { $inline: '../outside.js' },
      { $inline: 'missing.js' },
      { $base64: { $inline: 'x' } },
      { $list: 'a,b' },
      { $location: 'x' },
      'n'.repeat(1 << 20),
      Buffer.from('`${'.repeat(5000)).toString('base64')
    )
    .map((value) => JSON.stringify(value)),
  fc.nat({ max: 10_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
  fc.nat({ max: 10_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`)
)

/** Where a value's text goes in a file written with JSON.stringify. */
const MARK = '@@fuzz@@'

const ODD_NAMES = [
  'x.json',
  '.json',
  '..json',
  ' .json',
  'a b.json',
  'é.json',
  'x.JSON',
  'x.json.json',
  '-x.json',
  'x'.repeat(200) + '.json',
  '.hidden/x.json',
  'realms/root/Scripts/x.json',
  'realms/root-alpha/script/x.script.json',
  'realms/root/scripts/scripts-config/x.json',
]

const FILE: fc.Arbitrary<ImportFile> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SEEDS) },
  {
    weight: 6,
    // A real file with one value replaced, or its text edited.
    arbitrary: fc
      .tuple(fc.constantFrom(...SEEDS), fc.double({ min: 0, max: 1, noNaN: true }), ODD_VALUES)
      .map(([seed, at, by]) => {
        let json: JsonValue
        try {
          json = JSON.parse(seed.text) as JsonValue
        } catch {
          return seed
        }
        const text = JSON.stringify(replaced(json, at, MARK)).replace(`"${MARK}"`, () => by)
        return { path: seed.path, text }
      }),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom(...SEEDS), mutated(SEEDS.map((seed) => seed.text)))
      .map(([seed, text]) => ({ path: seed.path, text })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...ODD_NAMES), HOSTILE)
      .map(([path, text]) => ({ path, text })),
  },
  {
    weight: 1,
    // A real file under an odd name.
    arbitrary: fc
      .tuple(fc.constantFrom(...ODD_NAMES), fc.constantFrom(...SEEDS))
      .map(([path, seed]) => ({ path, text: seed.text })),
  }
)

/** A folder of one to four files, paths made unique (a later one of the same path wins). */
const FOLDER = fc.array(FILE, { minLength: 1, maxLength: 4 })

/** As import-config reads: expressions resolved from an environment that has few of them. */
function resolver(dir: string) {
  return (json: JsonValue): JsonValue => {
    const file = json as { metadata: JsonObject; data: JsonValue }
    const parts: JsonObject = { metadata: { realm: file.metadata.realm ?? null }, data: file.data }
    if (!hasExpressions(parts)) return json
    const resolved = resolveExpressions(parts, {
      env: { AM_HOST: 'am.example.com', n: '3' },
      variable: () => undefined,
      properties: new Map([['x', '1']]),
      files: new Map(),
      importDir: dir,
      readInline: inlineReader(dir),
    }) as { metadata: JsonObject; data: JsonValue }
    return {
      ...file,
      metadata: { ...file.metadata, realm: resolved.metadata.realm! },
      data: resolved.data,
    }
  }
}

export function importFilesTarget(): FuzzTarget<unknown> {
  let root: string | undefined
  let count = 0
  return target<ImportFile[]>({
    name: 'import files (Amster, frodo, fr-config-manager exports)',
    // A folder written and read each time: ~12 ms.
    testRuns: 100,
    input: FOLDER,
    show: (files) =>
      JSON.stringify(files.map(({ path, text }) => ({ path, text: text.slice(0, 300) }))),
    async run(files) {
      root ??= mkdtempSync(join(tmpdir(), 'amsh-fuzz-import-'))
      const dir = join(root, String(count++))
      try {
        for (const { path, text } of files) {
          const file = join(dir, path)
          mkdirSync(dirname(file), { recursive: true })
          writeFileSync(file, text)
        }
        const read = await readTree(dir, { defaultRealm: '/', resolve: resolver(dir) })
        for (const problem of read.problems) {
          if (problem.code === 'E_INTERNAL') {
            throw new Error(`${problem.file}: E_INTERNAL: ${problem.message.slice(0, 500)}`)
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
    close() {
      if (root) rmSync(root, { recursive: true, force: true })
      root = undefined
    },
  })
}
