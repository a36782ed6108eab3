import type { Profile } from '../catalog/profiles.ts'
import type { JsonValue } from '../json.ts'
import { parseInvocation, splitWords } from '../parse/invocation.ts'
import type { Transport } from '../transport/types.ts'
import { VERBS } from '../verbs/index.ts'
import { helpText } from './help.ts'
import { lineKind } from './lines.ts'
import { parseMeta } from './meta.ts'

// The one core every front end calls: the REPL, batch files, -c and stdin. A logical line goes
// in; what the front end should do with it comes out. Failures are thrown as AmshErrors.

export type Outcome =
  | { kind: 'none' }
  | { kind: 'value'; value: JsonValue }
  | { kind: 'text'; text: string }
  | { kind: 'exit' }
  | { kind: 'load'; files: string[] }
  | { kind: 'errexit'; on: boolean }

export interface SessionOptions {
  transport: Transport
  profile: Profile
  /** -D name=value properties. */
  properties: Map<string, string>
}

export class Session {
  readonly transport: Transport
  readonly profile: Profile
  readonly properties: Map<string, string>

  constructor(options: SessionOptions) {
    this.transport = options.transport
    this.profile = options.profile
    this.properties = options.properties
  }

  /** Runs one logical line; `baseDir` is where relative file names resolve. */
  async execute(text: string, baseDir: string): Promise<Outcome> {
    switch (lineKind(text)) {
      case 'blank':
      case 'comment':
        return { kind: 'none' }
      case 'meta': {
        const meta = parseMeta(text)
        if (meta.kind === 'help') return { kind: 'text', text: helpText(meta.topic) }
        return meta
      }
      case 'command': {
        const invocation = parseInvocation(splitWords(text))
        const value = await VERBS[invocation.verb].run(invocation, {
          transport: this.transport,
          profile: this.profile,
          baseDir,
        })
        return { kind: 'value', value }
      }
    }
  }
}
