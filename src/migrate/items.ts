import type { ErrorCode } from '../errors.ts'
import type { JsonObject } from '../json.ts'
import type { Scope } from '../transport/types.ts'

// The data that flows through a migration. Readers (an Amster export, a frodo export, an
// fr-config-manager tree, a transport) produce ConfigItems; the planner compares two sets of
// them; the writer and the importer consume them.

/** One piece of configuration: what a transport would be asked to hold. */
export interface ConfigItem {
  /** The catalog entity (`Scripts`, `Realms`, `Authentication` ...). */
  entity: string
  scope: Scope
  /** The resource id (`_id`); for a singleton, the catalog's singletonId or ''. */
  id: string
  /** The resource as REST carries it (a script's source base64 in `script`). */
  body: JsonObject
  /** Where it was read, relative to the root that was read (`realms/root/Scripts/x.json`). */
  file: string
  /** The changes made to the body while reading it, said in words for the plan. */
  normalised?: string[]
}

/** A file that could not be read as configuration: an error of that file alone. */
export interface ReadProblem {
  file: string
  code: ErrorCode
  message: string
}

/** A file that was read and is not configuration amsh imports, with the precise reason. */
export interface Skipped {
  file: string
  reason: string
}

export interface ReadResult {
  items: ConfigItem[]
  problems: ReadProblem[]
  skipped: Skipped[]
}

/** What a format's reader may use while reading one file. */
export interface ReadContext {
  /** The file being read, relative to the root. */
  file: string
  /**
   * The text of another file, named relative to the file being read (a frodo `file://`
   * reference, an fr-config-manager `scripts-content/...` path). Refuses a name leading out of
   * the root (E_FORBIDDEN) and a missing file (E_IO naming it).
   */
  readBeside(name: string): string
  /** Whether `readBeside(name)` would find a file. */
  exists(name: string): boolean
  /** The realm a file that does not name one goes to (`import-config --realm`, default `/`). */
  defaultRealm: string
}

/**
 * One file format amsh imports. `claims` looks at a parsed file (and its path) and says whether
 * it is this format's; `read` turns it into items, throwing an AmshError for the file as a whole.
 */
export interface FormatReader {
  name: string
  claims(json: unknown, file: string): boolean
  read(json: unknown, context: ReadContext): ConfigItem[]
}
