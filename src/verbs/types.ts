import type { Profile } from '../catalog/profiles.ts'
import type { JsonValue } from '../json.ts'
import type { Invocation, VerbName } from '../parse/invocation.ts'
import type { Transport } from '../transport/types.ts'

/** What a verb needs from the session that runs it. */
export interface VerbContext {
  transport: Transport
  profile: Profile
  /** Where relative file names (--body @file, --scriptFile) resolve: the batch file's folder or the cwd. */
  baseDir: string
}

export interface Verb {
  name: VerbName
  summary: string
  usage: string
  /** Options beyond --realm / --global, with a line of help each. */
  options: Record<string, string>
  /** Whether other --name value options pass through (as action inputs). */
  extraOptions?: boolean
  run(invocation: Invocation, ctx: VerbContext): Promise<JsonValue>
}
