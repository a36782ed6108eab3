import { existsSync, mkdirSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, posix, sep } from 'node:path'
import { getEntity } from '../catalog/catalog.ts'
import { AmshError } from '../errors.ts'
import { kindOf } from '../kinds/index.ts'
import type { Transport } from '../transport/types.ts'
import { amsterJson } from './amster-json.ts'
import { readTransport, type Selection } from './from-transport.ts'
import type { ConfigItem, ReadProblem } from './items.ts'
import { safeName } from './layout.ts'

// export-config: what a transport holds, written as Amster writes an export, one file per item,
// each file complete or absent (written aside and renamed into place, so a full disk or a kill
// never leaves half a file under a final name).

export interface ExportOptions {
  /** The folder to write; made when missing; files of the same name are replaced. */
  dir: string
  selection: Selection
  /** Also write each item's decoded source beside its JSON (`<name>.js`). */
  extract: boolean
  /** Stop at the first failure instead of reporting them all at the end. */
  failOnError: boolean
  /** Written as metadata.amsterVersion: the version of the Amster that would have written it. */
  amsterVersion: string
  /** Told of each item written (a progress bar). */
  onItem?: (item: ConfigItem) => void
}

export interface ExportSummary {
  written: number
  sources: number
  failures: ReadProblem[]
}

/** The export file of an item: Amster's metadata envelope around the resource. */
export function exportFileText(item: ConfigItem, amsterVersion: string): string {
  const entity = getEntity(item.entity)
  return amsterJson({
    metadata: {
      realm: item.scope.kind === 'realm' ? item.scope.realm : null,
      amsterVersion,
      entityType: item.entity,
      entityId: entity.singleton ? entity.name : item.id,
      pathParams: {},
    },
    data: item.body,
  })
}

/**
 * Writes files so that each is either whole under its name or not there. With a `root` (a real
 * path), a folder that leads out of it (a symbolic link in the tree) is refused, E_FORBIDDEN:
 * nothing is written outside the folder asked for. A file that is a link is replaced, not
 * written through.
 */
export class WholeFiles {
  /** Folders known to exist: each is made once, not once per file. */
  readonly #made = new Set<string>()
  readonly #writeFile: typeof writeFileSync
  readonly #root: string | undefined

  /** `writeFile` is the file system's (a test gives one whose disk fills up). */
  constructor(writeFile: typeof writeFileSync = writeFileSync, root?: string) {
    this.#writeFile = writeFile
    this.#root = root
  }

  /** Refuses a folder whose deepest existing part leads out of the root. */
  #checkInside(path: string, folder: string): void {
    const root = this.#root!
    let existing = folder
    while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing)
    const real = realpathSync(existing)
    if (real !== root && !real.startsWith(root + sep)) {
      throw new AmshError(
        'E_FORBIDDEN',
        `cannot write ${path}: ${existing} leads out of ${root} (through a symbolic link, to ${real}); nothing is written outside --path`
      )
    }
  }

  write(path: string, text: string): void {
    const aside = `${path}.amsh-${process.pid}.tmp`
    const folder = dirname(path)
    if (!this.#made.has(folder)) {
      // Checked before anything is made: mkdir would make folders through a link as well.
      if (this.#root !== undefined) this.#checkInside(path, folder)
      try {
        mkdirSync(folder, { recursive: true })
      } catch (err) {
        throw new AmshError('E_IO', `cannot write ${path}: ${(err as Error).message}`, {
          cause: err,
        })
      }
      this.#made.add(folder)
    }
    try {
      // Whatever lies at the aside name (a link another made) goes; the new file is made anew.
      rmSync(aside, { force: true })
      this.#writeFile(aside, text, { mode: 0o644, flag: 'wx' })
      renameSync(aside, path)
    } catch (err) {
      try {
        rmSync(aside, { force: true })
      } catch {
        // Nothing was made to remove.
      }
      const reason =
        (err as NodeJS.ErrnoException).code === 'ENOSPC'
          ? 'the disk is full'
          : (err as Error).message
      throw new AmshError('E_IO', `cannot write ${path}: ${reason}`, { cause: err })
    }
  }
}

export async function exportConfig(
  transport: Transport,
  options: ExportOptions
): Promise<ExportSummary> {
  const summary: ExportSummary = { written: 0, sources: 0, failures: [] }
  let root: string
  try {
    mkdirSync(options.dir, { recursive: true })
    root = realpathSync(options.dir)
  } catch (err) {
    throw new AmshError('E_IO', `cannot write ${options.dir}: ${(err as Error).message}`, {
      cause: err,
    })
  }
  const files = new WholeFiles(writeFileSync, root)
  const write = (relative: string, text: string) => files.write(join(options.dir, relative), text)
  await readTransport(transport, options.selection, {
    item(item) {
      write(item.file, exportFileText(item, options.amsterVersion))
      summary.written++
      const source = options.extract
        ? kindOf(getEntity(item.entity)).source?.read(item.body)
        : undefined
      const name = item.body.name
      if (source && typeof name === 'string') {
        write(
          posix.join(posix.dirname(item.file), `${safeName(name)}.${source.extension}`),
          source.text
        )
        summary.sources++
      }
      options.onItem?.(item)
    },
    problem(problem) {
      if (options.failOnError) {
        throw new AmshError(
          problem.code,
          `${problem.file}: ${problem.message} (--failOnError stopped the export)`
        )
      }
      summary.failures.push(problem)
    },
  })
  return summary
}
