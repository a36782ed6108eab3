import { AmshError } from '../errors.ts'
import type { BatchRecord, EntryRecord } from '../journal/journal.ts'
import type { JsonObject } from '../json.ts'
import { checkOptions, stringOption } from './common.ts'
import type { Verb } from './types.ts'
import { batchId, findBatch, journalOf } from './undo.ts'

const DEFAULT_LIMIT = 20

function time(ms: number | null): string | null {
  return ms == null ? null : new Date(ms).toISOString()
}

function clip(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

function batchValue(batch: BatchRecord, full: boolean): JsonObject {
  const value: JsonObject = {
    id: batch.id,
    started: time(batch.started),
    ended: time(batch.ended),
    where: batch.place,
    what: full ? batch.what : clip(batch.what),
    changes: batch.changes,
    state: batch.state,
  }
  if (batch.undoes != null) value.undoes = batch.undoes
  return value
}

function entryValue(entry: EntryRecord): JsonObject {
  const value: JsonObject = {
    seq: entry.seq,
    time: time(entry.time),
    op: entry.action ? `action ${entry.action}` : entry.op,
    entity: entry.entity,
    scope: entry.scope.kind === 'global' ? 'global' : entry.scope.realm,
    id: entry.id ?? null,
    existedBefore: entry.beforeKnown ? entry.before != null : null,
  }
  if (!entry.answered) value.answered = false
  return value
}

export const journal: Verb = {
  name: 'journal',
  summary: 'What amsh changed, when and where: journal list, journal show <id>',
  usage: 'journal [list [--limit <n>] | show <id>]',
  takesEntity: false,
  positionals: 2,
  options: [
    {
      name: 'limit',
      type: 'string',
      value: 'n',
      help: `list: how many batches, newest first (default ${DEFAULT_LIMIT})`,
    },
  ],
  details: [
    'A batch is a whole run (a batch file, -c, stdin) or one line at the prompt, on one place (the',
    'local store or a server); only batches that changed something are kept. Its state is open',
    '(running, or stopped before it ended), done, failed, rolled-back (--atomic) or undone.',
    'undo --batch <id> puts back what a batch changed.',
  ].join('\n'),
  async run(invocation, ctx) {
    checkOptions(this, invocation)
    const place = journalOf(ctx, 'journal')
    const [sub = 'list', arg, ...rest] = invocation.args ?? []
    if (sub === 'list') {
      if (arg !== undefined || rest.length > 0) {
        throw new AmshError('E_USAGE', `journal list takes no argument ("${arg}"); --limit <n>`)
      }
      const limitText = stringOption(invocation, 'limit')
      if (limitText !== undefined && !/^[1-9]\d*$/.test(limitText)) {
        throw new AmshError(
          'E_USAGE',
          `--limit takes a count, e.g. --limit 10 (not "${limitText}")`
        )
      }
      const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText)
      return place.journal.list(limit).map((batch) => batchValue(batch, false))
    }
    if (sub === 'show') {
      if (arg === undefined)
        throw new AmshError('E_USAGE', 'journal show needs a batch id: journal show 12')
      if (invocation.options.limit !== undefined) {
        throw new AmshError('E_USAGE', '--limit applies to journal list')
      }
      const batch = findBatch(place, batchId(arg, 'journal show'))
      return {
        ...batchValue(batch, true),
        entries: place.journal.entries(batch.id).map(entryValue),
      }
    }
    throw new AmshError('E_USAGE', `journal ${sub}: say journal list or journal show <id>`)
  },
}
