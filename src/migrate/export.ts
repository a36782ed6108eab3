import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, posix } from 'node:path'
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

/** Writes files so that each is either whole under its name or not there. */
export class WholeFiles {
  /** Folders known to exist: each is made once, not once per file. */
  readonly #made = new Set<string>()
  readonly #writeFile: typeof writeFileSync

  /** `writeFile` is the file system's (a test gives one whose disk fills up). */
  constructor(writeFile: typeof writeFileSync = writeFileSync) {
    this.#writeFile = writeFile
  }

  write(path: string, text: string): void {
    const aside = `${path}.amsh-${process.pid}.tmp`
    try {
      const folder = dirname(path)
      if (!this.#made.has(folder)) {
        mkdirSync(folder, { recursive: true })
        this.#made.add(folder)
      }
      this.#writeFile(aside, text, { mode: 0o644 })
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
  const files = new WholeFiles()
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
