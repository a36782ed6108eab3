import { existsSync, readdirSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { AmshError, toAmshError } from '../errors.ts'
import type { JsonValue } from '../json.ts'
import { parseJson } from '../parse/json-body.ts'
import { amsterFormat, fileBasedConfiguration, UnknownEntity } from './formats/amster.ts'
import { frConfigManagerReader } from './formats/fr-config-manager.ts'
import { frodoReader } from './formats/frodo.ts'
import type { ConfigItem, FormatReader, ReadContext, ReadResult } from './items.ts'

// Reads an import's files: one JSON file, or every .json file below a folder (sorted, so the
// same tree always reads the same way). Each file is read by the first format that claims it;
// a file none claims is skipped with the reason. Nothing outside the root is read: not a file a
// symbolic link leads out to, not a source a reference names with `..`.

/** A file larger than this is refused rather than read (an export's files are kilobytes). */
const MAX_FILE_BYTES = 64 * 1024 * 1024

export const FORMATS: readonly FormatReader[] = [amsterFormat, frodoReader, frConfigManagerReader]

export interface TreeOptions {
  /** The realm of files that do not name one (frodo's single-script files). */
  defaultRealm: string
  /** Resolves configuration expressions in a parsed Amster file (throws for an unresolved one). */
  resolve?(json: JsonValue, file: string): JsonValue
  formats?: readonly FormatReader[]
}

function inside(root: string, real: string): boolean {
  return real === root || real.startsWith(root + sep)
}

/** The .json files below `dir`, sorted by their path, skipping dot-folders (.git). */
function* jsonFiles(
  dir: string,
  root: string,
  skipped: ReadResult['skipped'],
  seen: Set<string>
): Generator<string> {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  )
  for (const entry of entries) {
    const path = join(dir, entry.name)
    const shown = relative(root, path)
    if (entry.isSymbolicLink()) {
      let real: string
      try {
        real = realpathSync(path)
      } catch {
        skipped.push({ file: shown, reason: 'a symbolic link to nothing' })
        continue
      }
      if (!inside(root, real)) {
        skipped.push({
          file: shown,
          reason: `a symbolic link leading out of ${root} (to ${real}): not read`,
        })
        continue
      }
      // A link inside the tree to a folder would read that folder twice (or loop).
      if (statSync(real).isDirectory()) {
        skipped.push({
          file: shown,
          reason: 'a symbolic link to a folder of the same tree: read there',
        })
        continue
      }
      seen.add(path)
      if (entry.name.endsWith('.json')) yield path
    } else if (entry.isDirectory()) {
      if (!entry.name.startsWith('.')) yield* jsonFiles(path, root, skipped, seen)
    } else if (entry.isFile()) {
      seen.add(path)
      if (entry.name.endsWith('.json')) yield path
    }
  }
}

/**
 * A ReadContext for one file: names resolve beside it and may not lead out of the root. `seen`,
 * the plain files of the walk, answers `exists` without asking the file system again.
 */
export function readContext(
  root: string,
  path: string,
  defaultRealm: string,
  seen?: ReadonlySet<string>
): ReadContext {
  const here = dirname(path)
  const forbidden = (name: string) =>
    new AmshError(
      'E_FORBIDDEN',
      `${name} leads out of the folder being imported (${root}): not read`
    )
  const locate = (name: string): string => {
    const target = resolve(here, name)
    // Refused by its name first, so that what lies outside is not even looked at.
    if (!inside(root, target)) throw forbidden(name)
    let real: string
    try {
      real = realpathSync(target)
    } catch {
      throw new AmshError('E_IO', `cannot read ${name}: no such file (looked for ${target})`)
    }
    if (!inside(root, real)) throw forbidden(name)
    return real
  }
  return {
    file: relative(root, path),
    defaultRealm,
    readBeside: (name) => readFileSync(locate(name), 'utf8'),
    exists(name) {
      // Asked for every script of an export (its extracted source): a plain stat, no error made.
      const target = resolve(here, name)
      return inside(root, target) && (seen ? seen.has(target) : existsSync(target))
    },
  }
}

/** Reads what `path` (a file or a folder) holds for an import. */
export async function readTree(
  path: string,
  options: TreeOptions
): Promise<ReadResult & { root: string }> {
  let stats: Stats
  try {
    stats = statSync(path)
  } catch {
    throw new AmshError('E_IO', `cannot read ${path}: no such file or folder`)
  }
  // The root is the folder given, or the folder of the one file given.
  const real = realpathSync(path)
  const root = stats.isDirectory() ? real : dirname(real)
  const result: ReadResult = { items: [], problems: [], skipped: [] }
  const seen = stats.isDirectory() ? new Set<string>() : undefined
  const files = seen ? [...jsonFiles(real, root, result.skipped, seen)] : [real]
  const formats = options.formats ?? FORMATS
  for (const file of files) {
    const shown = relative(root, file)
    try {
      const size = statSync(file).size
      if (size > MAX_FILE_BYTES) {
        throw new AmshError(
          'E_INVALID',
          `${shown} is ${size} bytes; import reads files of up to ${MAX_FILE_BYTES}`
        )
      }
      let json = await parseJson(readFileSync(file, 'utf8'), shown)
      const fbc = fileBasedConfiguration(json)
      if (fbc) {
        result.skipped.push({ file: shown, reason: fbc })
        continue
      }
      const format = formats.find((f) => f.claims(json, shown))
      if (!format) {
        result.skipped.push({ file: shown, reason: notConfiguration(json) })
        continue
      }
      if (format === amsterFormat && options.resolve) json = options.resolve(json, shown)
      const items: ConfigItem[] = format.read(
        json,
        readContext(root, file, options.defaultRealm, seen)
      )
      result.items.push(...items)
    } catch (err) {
      if (err instanceof UnknownEntity) {
        result.skipped.push({ file: shown, reason: err.message })
        continue
      }
      const error = toAmshError(err)
      result.problems.push({ file: shown, code: error.code, message: error.message })
    }
  }
  return { ...result, root }
}

/** Why a JSON file is not configuration amsh imports, as precisely as its shape allows. */
function notConfiguration(json: JsonValue): string {
  if (json == null || typeof json !== 'object' || Array.isArray(json)) {
    return 'not an export file: an export file is a JSON object'
  }
  if (!('metadata' in json)) {
    return 'not an export file: it has no "metadata" (Amster files are {"metadata": ..., "data": ...})'
  }
  return 'not an export file: its "metadata" has no entityType, or it has no "data"'
}
