import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { AmshError } from '../errors.ts'
import type { JsonObject } from '../json.ts'
import {
  isSqliteError,
  openPrivateDatabase,
  type Db,
  type Statement,
} from '../transport/local/database.ts'
import type { Scope } from '../transport/types.ts'

// The journal: every change amsh sends, on any transport, with the item as it was before, in
// $AMSH_HOME/journal.db. What happens together is a batch: a whole non-interactive run (files,
// -c, stdin) or one line at the prompt. An entry is in the file before its change can be kept
// (before it is sent to a server, before the local store commits it), so a run that is killed
// half-way leaves a journal that undo can still use; it holds a fingerprint of the item as the
// change left it once the change has answered, so undo can tell an item changed since by someone
// else from one the batch left.

export type BatchState = 'open' | 'done' | 'failed' | 'rolled-back' | 'undone'
export type EntryOp = 'create' | 'update' | 'delete' | 'action'

export interface BatchRecord {
  id: number
  started: number
  ended: number | null
  /** Where its changes went: `local /path/store.db`, or a server's URL. */
  place: string
  /** The command line, secrets blanked. */
  what: string
  state: BatchState
  /** The batch this one undoes, for undo's own batches. */
  undoes: number | null
  /** The process that made it. */
  pid: number | null
  /** How many changes it made (entries). */
  changes: number
}

export interface EntryRecord {
  batch: number
  seq: number
  time: number
  entity: string
  scope: Scope
  /** Undefined for an action whose answer has not named what it made. */
  id: string | undefined
  op: EntryOp
  action: string | undefined
  /** The name field a create's body gave (to find what a create that never answered made). */
  name: string | undefined
  /** The item before the change, secrets redacted; null when there was none. */
  before: JsonObject | null
  /** False when the item could not be read before the change (its entity offers no read). */
  beforeKnown: boolean
  /** Whether the change answered; an entry that did not may or may not have changed anything. */
  answered: boolean
  /** Fingerprint of the item as the change left it (null: gone), once answered. */
  after: string | null
}

/** A change about to be sent. */
export interface Intent {
  entity: string
  scope: Scope
  id: string | undefined
  op: EntryOp
  action?: string
  name?: string
  before: JsonObject | null
  beforeKnown?: boolean
}

/** An entry written ahead of its change, to complete or withdraw once the change answers. */
export interface Pending {
  batch: number
  seq: number
}

const APPLICATION_ID = 0x616d736a // 'amsj'
/** How long entries are kept before they are committed: others may be waiting to write. */
const HOLD_MS = 200
const SCHEMA_VERSION = 1

const SCHEMA = `
  CREATE TABLE batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started INTEGER NOT NULL,
    ended INTEGER,
    place TEXT NOT NULL,
    what TEXT NOT NULL,
    state TEXT NOT NULL,
    undoes INTEGER,
    -- what an undone batch was before undo (done or failed), for when the undo is undone
    prior TEXT,
    pid INTEGER                   -- the process making it, to tell a run still going on
  );
  CREATE INDEX batches_by_place ON batches (place, id);
  CREATE TABLE entries (
    batch INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    time INTEGER NOT NULL,
    entity TEXT NOT NULL,
    scope TEXT NOT NULL,          -- a realm path, or 'global'
    item TEXT,                    -- the id; NULL while an action has not said what it made
    op TEXT NOT NULL,
    action TEXT,
    name TEXT,                    -- the name a create gave, for an answer that never came
    before TEXT,                  -- JSON, secrets redacted; NULL: there was no item
    before_known INTEGER NOT NULL DEFAULT 1,
    answered INTEGER NOT NULL DEFAULT 0,
    after TEXT,                   -- fingerprint of the item the change left; NULL: none
    PRIMARY KEY (batch, seq)
  ) WITHOUT ROWID;
`

/** The place of a local store in the journal. */
export function localPlace(path: string): string {
  return `local ${path === ':memory:' ? path : resolve(path)}`
}

/** The place of a server: its base URL, without credentials, query or trailing slash. */
export function serverPlace(baseUrl: string): string {
  const url = new URL(baseUrl)
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`
}

function scopeText(scope: Scope): string {
  return scope.kind === 'global' ? 'global' : scope.realm
}

function scopeOf(text: string): Scope {
  return text === 'global' ? { kind: 'global' } : { kind: 'realm', realm: text }
}

interface BatchRow extends BatchRecord {
  prior: string | null
}

interface EntryRow {
  batch: number
  seq: number
  time: number
  entity: string
  scope: string
  item: string | null
  op: EntryOp
  action: string | null
  name: string | null
  before: string | null
  before_known: number
  answered: number
  after: string | null
}

/** The run going on: its batches (one per place it changes), made at its first change there. */
interface Run {
  what: string
  /** The batch changes at a place go to now. */
  batches: Map<string, number>
  /** Every batch the run has made, in order (an undo within the run makes one of its own). */
  all: { place: string; id: number }[]
  seq: Map<number, number>
  /** Places where the run is undoing a batch: the batch it makes there undoes that one. */
  undoing: Map<string, number>
}

function newRun(what: string): Run {
  return { what, batches: new Map(), all: [], seq: new Map(), undoing: new Map() }
}

const BATCH_COLUMNS = `id, started, ended, place, what, state, undoes, prior, pid,
  (SELECT count(*) FROM entries WHERE entries.batch = batches.id) AS changes`

export interface JournalOptions {
  /** Read the journal, record nothing (a dry run). */
  readonly?: boolean
  now?: () => number
}

export class Journal {
  readonly path: string
  readonly readonly: boolean
  readonly #now: () => number
  #db: Db | undefined
  #missing = false
  readonly #statements = new Map<string, Statement>()
  #run: Run | undefined
  #suspended = 0
  /** The place whose entries hold() keeps. */
  #held: string | undefined
  #heldSince = 0

  constructor(path: string, options: JournalOptions = {}) {
    this.path = path
    this.readonly = options.readonly ?? false
    this.#now = options.now ?? Date.now
  }

  /** Closes the file; a later use opens it again. */
  close(): void {
    if (this.#db?.open) {
      this.flush()
      this.#db.close()
    }
    this.#db = undefined
    this.#statements.clear()
  }

  // ---- runs ------------------------------------------------------------------------------------

  /** Starts a run: what follows, until end(), is one batch on each place it changes. */
  begin(what: string): void {
    this.#run = newRun(what)
  }

  get running(): boolean {
    return this.#run !== undefined
  }

  /** Whether the run going on has changed anything yet. */
  get changed(): boolean {
    return (this.#run?.all.length ?? 0) > 0
  }

  /** The batch of the run going on at `place`; undefined while the run has changed nothing there. */
  batchOf(place: string): number | undefined {
    return this.#run?.batches.get(place)
  }

  /** The batches the run going on has made, oldest first. */
  batchesOfRun(): readonly { place: string; id: number }[] {
    return this.#run?.all ?? []
  }

  /**
   * The run's changes at `place` from now on go to a batch of their own, which undoes `batch`
   * (the undo verb's), until undone() says the undo is over. The link is made with the batch, so
   * an undo stopped half-way is still known as one.
   */
  undoing(place: string, batch: number): void {
    const run = (this.#run ??= newRun('(outside a run)'))
    run.batches.delete(place)
    run.undoing.set(place, batch)
  }

  /** The undo at `place` is over: the run's later changes there go to another batch. */
  undone(place: string): void {
    this.#run?.batches.delete(place)
    this.#run?.undoing.delete(place)
  }

  /** Ends the run; its batches still open take `state`. */
  end(state: 'done' | 'failed'): void {
    const run = this.#run
    this.#run = undefined
    this.flush()
    if (!run || run.all.length === 0 || this.readonly) return
    const statement = this.#statement(
      "UPDATE batches SET state = ?, ended = ? WHERE id = ? AND state = 'open'"
    )
    this.#write(() => {
      for (const { id } of run.all) statement.run(state, this.#now(), id)
    }, true)
  }

  /** Whether changes sent now are recorded. */
  get recording(): boolean {
    return !this.readonly && this.#suspended === 0
  }

  /** Runs `work` without recording its changes (the compensation of a failed --atomic batch). */
  async unrecorded<T>(work: () => Promise<T>): Promise<T> {
    this.#suspended++
    try {
      return await work()
    } finally {
      this.#suspended--
    }
  }

  // ---- recording -------------------------------------------------------------------------------

  /** Writes the entry of a change about to be sent at `place`, in the run's batch there. */
  intend(place: string, intent: Intent): Pending {
    return this.#write(() => this.#insert(place, intent, undefined), true)
  }

  /**
   * Writes the entry of a change made and answered, in one step: for a transport that holds the
   * change in a transaction until this returns (the local store), so the entry is in the journal
   * before the change is committed, or the change is not made.
   */
  record(place: string, intent: Intent, after: string | null): void {
    this.#write(() => this.#insert(place, intent, { after }), place !== this.#held)
  }

  #insert(place: string, intent: Intent, answer: { after: string | null } | undefined): Pending {
    const run = (this.#run ??= newRun('(outside a run)'))
    let batch = run.batches.get(place)
    if (batch === undefined) {
      const made = this.#statement(
        "INSERT INTO batches (started, place, what, state, undoes, pid) VALUES (?, ?, ?, 'open', ?, ?)"
      ).run(this.#now(), place, run.what, run.undoing.get(place) ?? null, process.pid)
      batch = Number(made.lastInsertRowid)
      run.batches.set(place, batch)
      run.all.push({ place, id: batch })
    }
    const seq = (run.seq.get(batch) ?? 0) + 1
    run.seq.set(batch, seq)
    this.#statement(
      'INSERT INTO entries (batch, seq, time, entity, scope, item, op, action, name, before, before_known, answered, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'
    ).run(
      batch,
      seq,
      this.#now(),
      intent.entity,
      scopeText(intent.scope),
      intent.id ?? null,
      intent.op,
      intent.action ?? null,
      intent.name ?? null,
      intent.before == null ? null : JSON.stringify(intent.before),
      intent.beforeKnown === false ? 0 : 1,
      answer ? 1 : 0,
      answer?.after ?? null
    )
    return { batch, seq }
  }

  /**
   * From now until flush(), the entries of changes at `place` are committed to the journal every
   * so often rather than one by one: for changes the local store at `place` holds in a
   * transaction (an --atomic batch, a commit group), which a kill rolls back whole, so an entry
   * lost with it names a change that was lost too. commit() or flush() must come before that
   * transaction commits.
   */
  hold(place: string): void {
    if (!this.readonly) this.#held = place
  }

  /** Commits what hold() kept, and stops holding. */
  flush(): void {
    this.#held = undefined
    this.commit()
  }

  /** Commits what hold() kept so far, and goes on holding. */
  commit(): void {
    try {
      this.#commitHeld()
    } catch (err) {
      throw this.#error(err)
    }
  }

  /**
   * The change answered: it left the item with this fingerprint (null: gone), and `id` names
   * what it made when the entry did not know. Committed at once only with an id: an entry left
   * unanswered by a kill is one undo judges by what it finds, but a made item's id, once lost,
   * cannot be found again. Otherwise it goes with the next entry, or within HOLD_MS.
   */
  answered(pending: Pending, after: string | null, id?: string): void {
    this.#write(
      () =>
        this.#statement(
          'UPDATE entries SET answered = 1, after = ?, item = coalesce(?, item) WHERE batch = ? AND seq = ?'
        ).run(after, id ?? null, pending.batch, pending.seq),
      id !== undefined
    )
  }

  /**
   * The change was refused: it changed nothing, so the entry goes, and with it a batch left with
   * no entry (the journal lists what changed something).
   */
  withdraw(pending: Pending): void {
    const { batch, seq } = pending
    const emptied = this.#write(() => {
      this.#statement('DELETE FROM entries WHERE batch = ? AND seq = ?').run(batch, seq)
      return this.#statement(
        'DELETE FROM batches WHERE id = ? AND NOT EXISTS (SELECT 1 FROM entries WHERE batch = ?)'
      ).run(batch, batch).changes
    }, true)
    const run = this.#run
    if (emptied === 0 || !run) return
    for (const [place, id] of run.batches) {
      if (id === batch) run.batches.delete(place)
    }
    run.all = run.all.filter(({ id }) => id !== batch)
    run.seq.delete(batch)
  }

  // ---- reading ---------------------------------------------------------------------------------

  /** The newest batches first. */
  list(limit: number): BatchRecord[] {
    const rows = this.#read(
      () =>
        this.#statement(`SELECT ${BATCH_COLUMNS} FROM batches ORDER BY id DESC LIMIT ?`).all(
          limit
        ) as BatchRow[]
    )
    return (rows ?? []).map(batchRecord)
  }

  batch(id: number): BatchRecord | undefined {
    const row = this.#read(
      () =>
        this.#statement(`SELECT ${BATCH_COLUMNS} FROM batches WHERE id = ?`).get(id) as
          BatchRow | undefined
    )
    return row && batchRecord(row)
  }

  /**
   * The newest batch `undo` takes: not undone or rolled back, not an undo itself (so undo after
   * undo walks back), not of the run going on.
   */
  latestUndoable(): BatchRecord | undefined {
    const ours = this.#run?.all.map(({ id }) => id) ?? []
    const rows = this.#read(
      () =>
        this.#statement(
          `SELECT ${BATCH_COLUMNS} FROM batches WHERE state IN ('open', 'done', 'failed') AND undoes IS NULL ORDER BY id DESC LIMIT ?`
        ).all(ours.length + 1) as BatchRow[]
    )
    const row = (rows ?? []).find((candidate) => !ours.includes(candidate.id))
    return row && batchRecord(row)
  }

  /** A batch's entries in the order they were written. */
  entries(batch: number): EntryRecord[] {
    const rows = this.#read(
      () =>
        this.#statement('SELECT * FROM entries WHERE batch = ? ORDER BY seq').all(
          batch
        ) as EntryRow[]
    )
    return (rows ?? []).map(entryRecord)
  }

  /** Whether `batch` is one the run going on is making. */
  isOfRun(batch: number): boolean {
    return this.#run?.all.some(({ id }) => id === batch) ?? false
  }

  // ---- states ----------------------------------------------------------------------------------

  setState(batch: number, state: BatchState): void {
    if (this.readonly) return
    this.#write(
      () =>
        this.#statement(
          'UPDATE batches SET state = ?, ended = coalesce(ended, ?) WHERE id = ?'
        ).run(state, this.#now(), batch),
      true
    )
  }

  /** `batch` is undone; undoing an undo gives the batch it undid back its state. */
  markUndone(batch: number): void {
    if (this.readonly) return
    const record = this.batch(batch)
    if (!record) return
    this.#write(() => {
      this.#statement("UPDATE batches SET prior = state, state = 'undone' WHERE id = ?").run(batch)
      if (record.undoes != null) {
        this.#statement(
          "UPDATE batches SET state = coalesce(prior, 'done'), prior = NULL WHERE id = ? AND state = 'undone'"
        ).run(record.undoes)
      }
    }, true)
  }

  // ---- plumbing --------------------------------------------------------------------------------

  /** The database, opened at first use: a run that changes nothing never touches the file. */
  #database(): Db | undefined {
    if (this.#db) return this.#db
    if (this.#missing) return undefined
    if (this.readonly && !existsSync(this.path)) {
      this.#missing = true
      return undefined
    }
    let db: Db | undefined
    try {
      db = openPrivateDatabase(this.path, { readonly: this.readonly })
      const appId = db.pragma('application_id', { simple: true }) as number
      const version = db.pragma('user_version', { simple: true }) as number
      if (appId !== APPLICATION_ID) {
        const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'")
        if ((tables.get() as { n: number }).n > 0 || this.readonly) {
          throw new AmshError(
            'E_STORE',
            `journal ${this.path} is not an amsh journal; move it away (or set AMSH_JOURNAL=off)`
          )
        }
        // Another amsh may be making the journal at this moment: the write lock decides which
        // one makes it, and the other finds it made.
        db.exec('BEGIN IMMEDIATE')
        if ((db.pragma('application_id', { simple: true }) as number) !== APPLICATION_ID) {
          db.exec(SCHEMA)
          db.pragma(`application_id = ${APPLICATION_ID}`)
          db.pragma(`user_version = ${SCHEMA_VERSION}`)
        }
        db.exec('COMMIT')
      } else if (version > SCHEMA_VERSION) {
        throw new AmshError(
          'E_STORE',
          `journal ${this.path} was written by a newer amsh (journal schema ${version}; this amsh knows ${SCHEMA_VERSION})`
        )
      }
    } catch (err) {
      db?.close()
      throw this.#error(err)
    }
    this.#db = db
    return db
  }

  #statement(sql: string): Statement {
    let statement = this.#statements.get(sql)
    if (!statement) {
      const db = this.#database()
      if (!db) throw new AmshError('E_INTERNAL', 'the journal has no file to prepare on')
      statement = db.prepare<unknown[], unknown>(sql)
      this.#statements.set(sql, statement)
    }
    return statement
  }

  /**
   * A write, committed at once when `durable` (an entry written ahead of its change must be in
   * the file before the change is sent); else with the next durable write, within HOLD_MS (a
   * timer, so an idle run does not keep others from the journal), or when the run ends.
   */
  #write<T>(work: () => T, durable: boolean): T {
    try {
      const db = this.#database()
      if (!db) throw new AmshError('E_INTERNAL', 'a read-only journal was written to')
      if (!db.inTransaction && (this.#held !== undefined || !durable)) {
        db.exec('BEGIN IMMEDIATE')
        this.#heldSince = this.#now()
        setTimeout(() => {
          try {
            this.#commitHeld()
          } catch {
            // Left for the next write to commit, or to report.
          }
        }, HOLD_MS).unref()
      }
      const result = work()
      if (durable || this.#now() - this.#heldSince > HOLD_MS) this.#commitHeld()
      return result
    } catch (err) {
      throw this.#error(err)
    }
  }

  #commitHeld(): void {
    if (this.#db?.inTransaction) this.#db.exec('COMMIT')
  }

  /** A read of a journal that does not exist yet finds nothing (and does not make the file). */
  #read<T>(work: () => T): T | undefined {
    if (!this.#db && !existsSync(this.path)) return undefined
    if (!this.#database()) return undefined
    try {
      return work()
    } catch (err) {
      throw this.#error(err)
    }
  }

  #error(err: unknown): AmshError {
    if (err instanceof AmshError) return err
    const message = err instanceof Error ? err.message : String(err)
    const busy = isSqliteError(err) && (err as { code?: string }).code === 'SQLITE_BUSY'
    return new AmshError(
      'E_STORE',
      busy
        ? `journal ${this.path} is locked by another amsh that is writing to it; try again`
        : `journal ${this.path}: ${message} (AMSH_JOURNAL=off runs without a journal)`,
      { cause: err }
    )
  }
}

/** A row without what only undo's bookkeeping needs (`prior`). */
function batchRecord(row: BatchRow): BatchRecord {
  const { prior: _prior, ...record } = row
  return record
}

function entryRecord(row: EntryRow): EntryRecord {
  return {
    batch: row.batch,
    seq: row.seq,
    time: row.time,
    entity: row.entity,
    scope: scopeOf(row.scope),
    id: row.item ?? undefined,
    op: row.op,
    action: row.action ?? undefined,
    name: row.name ?? undefined,
    before: row.before == null ? null : (JSON.parse(row.before) as JsonObject),
    beforeKnown: row.before_known === 1,
    answered: row.answered === 1,
    after: row.after,
  }
}
