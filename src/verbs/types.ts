import type { Profile } from '../catalog/profiles.ts'
import type { Ask } from '../transport/am/login.ts'
import type { JsonValue } from '../json.ts'
import type { ConnectRequest } from '../parse/connect.ts'
import type { Invocation } from '../parse/invocation.ts'
import type { OptionSpec } from '../parse/options.ts'
import type { JournalPlace } from '../transport/journaling.ts'
import type { Transport } from '../transport/types.ts'

/** What a verb needs from the session that runs it. */
export interface VerbContext {
  transport: Transport
  profile: Profile
  /** Where relative file names (--body @file, --scriptFile) resolve: the batch file's folder or the cwd. */
  baseDir: string
  /** Sends later commands elsewhere (the connect verb). */
  connect(request: ConnectRequest): Promise<true>
  /** A line for the person watching (a bulk verb's summary): stderr, apart from the results. */
  notify(line: string): void
  /** Asks the person at the terminal a question; absent when there is none (a batch). */
  ask?: Ask
  /** Where an import's configuration expressions find their values (but the environment). */
  expressions: SessionExpressions
  /**
   * The journal of the changes made through `transport`, and its batch in this run
   * (`currentBatch()`: what `undo --batch <id>` takes); undefined when the journal is off.
   */
  journal?: JournalPlace
}

/** The session's sources of expression values: its variables, -D, and the envconfig files. */
export interface SessionExpressions {
  variable(name: string): string | undefined
  readonly properties: ReadonlyMap<string, string>
  /** What `envconfig` loaded, token → value; later loads add to it. */
  readonly files: Map<string, string>
}

/**
 * A verb is one entry of the registry (src/verbs/index.ts): its grammar — whether an entity type
 * follows it, its options, its bare arguments — and what it does. The parser, :help, the option
 * checks and did-you-mean all read the entry; nothing lists a verb's options twice.
 */
export interface Verb {
  name: string
  /** Amster's one-letter short form (`c` for create). */
  alias?: string
  summary: string
  usage: string
  /** Whether the word after the verb is an entity type (`create Scripts ...`). */
  takesEntity: boolean
  /** The verb's own options; an entity's kind may add more. */
  options: readonly OptionSpec[]
  /** How many bare words may follow the options (connect's URL). */
  positionals?: number
  /** Whether other --name value options pass through (as action inputs). */
  extraOptions?: boolean
  /** Help beyond the option table (connect's ways of logging in). */
  details?: string
  run(invocation: Invocation, ctx: VerbContext): Promise<JsonValue>
}
