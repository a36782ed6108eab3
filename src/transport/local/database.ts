import { chmodSync, closeSync, existsSync, fchmodSync, openSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { AmshError } from '../../errors.ts'
import { makePrivateDir } from '../../files.ts'
import { amshHome } from '../../paths.ts'

// better-sqlite3 is imported here and nowhere else. This module opens (or creates) an amsh store
// file, checks that it really is one, and turns SQLite's failures into E_STORE errors; amsh's
// other private file (the journal) is opened here too.

export type Db = Database.Database
export type Statement = Database.Statement<unknown[], unknown>

/** 'amsh' in ASCII: marks a SQLite file as an amsh store (PRAGMA application_id). */
const APPLICATION_ID = 0x616d7368
export const SCHEMA_VERSION = 2

const SCHEMA = `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE realms (
    path TEXT PRIMARY KEY,        -- '/', '/alpha', '/alpha/beta'
    created INTEGER NOT NULL,
    body TEXT NOT NULL DEFAULT '{}', -- what the realm holds beyond its path (active, aliases)
    rev TEXT NOT NULL DEFAULT ''
  );
  CREATE TABLE resources (
    entity TEXT NOT NULL,
    realm TEXT NOT NULL,          -- '/', '/alpha', ...; '' for the global scope
    id TEXT NOT NULL,
    name TEXT,                    -- the entity's name field, for the name index
    name_key TEXT,                -- the name case-folded: names are unique case-insensitively
    body TEXT NOT NULL,           -- the representation without _id, as JSON
    rev TEXT NOT NULL,
    PRIMARY KEY (entity, realm, id)
  );
  CREATE INDEX resources_by_name ON resources (entity, realm, name);
  CREATE INDEX resources_by_name_key ON resources (entity, name_key);
`

/** Schema 1 made realms on the first write into them and kept nothing else of them. */
const MIGRATIONS: Record<number, string> = {
  2: `
    ALTER TABLE realms ADD COLUMN body TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE realms ADD COLUMN rev TEXT NOT NULL DEFAULT '';
  `,
}

/**
 * How long a write waits for another process's to end (SQLite's busy timeout): a shell's or
 * serve's write behind a whole --atomic batch of another shell waits for it to commit, rather
 * than failing with "database is locked"; only a lock held longer than this is an error.
 */
const BUSY_TIMEOUT_MS = 30_000

/** How many times walMode asks (about a second in all). */
const WAL_ATTEMPTS = 20

/**
 * Puts a database in WAL mode. Two processes making the same new file at once can both hold
 * its read lock and want its exclusive one to switch: SQLite then tells one SQLITE_BUSY at once,
 * without waiting (it would never get the lock), and the other switches. A moment later the
 * file is in WAL mode, and asking again finds it so.
 */
function walMode(db: Db): void {
  for (let attempt = 1; ; attempt++) {
    try {
      db.pragma('journal_mode = WAL')
      return
    } catch (err) {
      const busy = isSqliteError(err) && (err as { code?: string }).code === 'SQLITE_BUSY'
      if (!busy || attempt >= WAL_ATTEMPTS) throw err
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5 * attempt)
    }
  }
}

let addonPath: string | null | undefined

/**
 * Where better-sqlite3's build put its native addon. Left to itself it finds the addon with the
 * 'bindings' package, which tries a dozen places first: a few ms of every start.
 */
function nativeBinding(): string | undefined {
  if (addonPath === undefined) {
    try {
      addonPath = createRequire(import.meta.url).resolve(
        'better-sqlite3/build/Release/better_sqlite3.node'
      )
    } catch {
      addonPath = null
    }
  }
  return addonPath ?? undefined
}

export function isSqliteError(err: unknown): boolean {
  return err instanceof Database.SqliteError
}

/** SQLite's error codes, in words a user can act on. */
export function storeError(path: string, err: unknown): AmshError {
  if (err instanceof AmshError) return err
  const code = (err as { code?: string }).code ?? ''
  const message = err instanceof Error ? err.message : String(err)
  const why: Record<string, string> = {
    SQLITE_NOTADB: 'is not a SQLite database (point --store at an amsh store or a new file)',
    SQLITE_CORRUPT: 'is damaged (SQLite reports corruption)',
    SQLITE_READONLY: 'is read-only: this command cannot change it',
    SQLITE_BUSY: `is locked by another process that is writing to it (amsh waits up to ${BUSY_TIMEOUT_MS / 1000} s; a long --atomic batch or import may hold it longer); try again when it is done`,
    SQLITE_CANTOPEN: 'cannot be opened (check the path and its permissions)',
    SQLITE_FULL: 'cannot grow: the disk is full',
    SQLITE_IOERR: 'could not be read or written (I/O error)',
  }
  const known = Object.entries(why).find(([prefix]) => code.startsWith(prefix))
  return new AmshError(
    'E_STORE',
    known ? `store ${path} ${known[1]}` : `store ${path}: ${message}`,
    { details: { path, sqlite: code || null }, cause: err }
  )
}

/** A write refused because the store file is read-only. */
export function readOnlyStore(path: string): AmshError {
  return new AmshError('E_STORE', `store ${path} is read-only: this command cannot change it`, {
    details: { path, sqlite: 'SQLITE_READONLY' },
  })
}

function isMarkedReadOnly(path: string): boolean {
  // Root can write to a file whatever its mode; a store the user made read-only stays so.
  return existsSync(path) && (statSync(path).mode & 0o222) === 0
}

export interface OpenedDb {
  db: Db
  readonly: boolean
  /**
   * True when this call created the store's tables. A fresh store needs seeding, and the
   * transaction that made its tables is still open for it: the caller seeds, then commits, so a
   * store is never left made but not seeded (a kill in between rolls both back).
   */
  created: boolean
}

/**
 * Creates an empty store file readable by its owner only, whatever the umask: a store holds
 * every script, and SQLite would create it 0644. SQLite gives its -wal and -shm files the
 * database file's mode. True if this call created the file.
 */
function createPrivately(path: string): boolean {
  let fd: number
  try {
    fd = openSync(path, 'wx', 0o600)
  } catch (err) {
    // Created meanwhile by another process: its mode is its own.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  }
  try {
    fchmodSync(fd, 0o600)
  } finally {
    closeSync(fd)
  }
  return true
}

/** A copy in memory of the store at `path` as it is now, WAL included. */
function snapshotOf(path: string): Db {
  const source = new Database(path, {
    readonly: true,
    fileMustExist: true,
    timeout: BUSY_TIMEOUT_MS,
    nativeBinding: nativeBinding(),
  })
  try {
    const image = source.serialize()
    // Bytes 18-19 of the header mark a WAL database, which SQLite will not open from memory;
    // 1 marks the rollback journal a database in memory has.
    image[18] = 1
    image[19] = 1
    return new Database(image, { nativeBinding: nativeBinding() })
  } finally {
    source.close()
  }
}

/**
 * `snapshot` opens a copy in memory of the store (or a new store, where there is none yet):
 * everything works as on the store, and nothing is ever written to it.
 */
export function openDatabase(path: string, options: { snapshot?: boolean } = {}): OpenedDb {
  const snapshot = options.snapshot === true && path !== ':memory:' && existsSync(path)
  const memory = path === ':memory:' || options.snapshot === true
  const readonly = !memory && isMarkedReadOnly(path)
  let db: Db | undefined
  let fresh = false
  try {
    if (!memory && !existsSync(path)) {
      makePrivateDir(dirname(path), dirname(path) === amshHome())
      fresh = createPrivately(path)
    }
    db = snapshot
      ? snapshotOf(path)
      : new Database(memory ? ':memory:' : path, {
          readonly,
          timeout: BUSY_TIMEOUT_MS,
          nativeBinding: nativeBinding(),
        })
    // WAL with synchronous=NORMAL: commits skip fsync (checkpoints still sync), so a crash of
    // the machine may lose the last commits but never corrupts the store. A workspace store
    // trades that for batches thousands of commands per second fast. (Set outside any
    // transaction, as SQLite requires.)
    if (!readonly) db.pragma('synchronous = NORMAL')
    const appId = db.pragma('application_id', { simple: true }) as number
    const version = db.pragma('user_version', { simple: true }) as number
    if (appId === APPLICATION_ID && version > SCHEMA_VERSION) {
      throw new AmshError(
        'E_STORE',
        `store ${path} was written by a newer amsh (store schema ${version}; this amsh knows ${SCHEMA_VERSION})`
      )
    }
    let created = false
    if (appId !== APPLICATION_ID) {
      const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'")
      const foreign = () => {
        if ((tables.get() as { n: number }).n === 0) return
        throw new AmshError(
          'E_STORE',
          `store ${path} is a SQLite database of another program, not an amsh store`
        )
      }
      foreign()
      if (readonly) throw readOnlyStore(path)
      walMode(db)
      // Another amsh may be making the same store at this moment: the write lock decides which
      // one makes it, and the other finds it made.
      db.exec('BEGIN IMMEDIATE')
      if ((db.pragma('application_id', { simple: true }) as number) === APPLICATION_ID) {
        db.exec('COMMIT')
      } else {
        foreign()
        db.exec(SCHEMA)
        db.pragma(`application_id = ${APPLICATION_ID}`)
        db.pragma(`user_version = ${SCHEMA_VERSION}`)
        created = true
      }
    } else if (version < SCHEMA_VERSION) {
      if (readonly) {
        throw new AmshError(
          'E_STORE',
          `store ${path} was written by an older amsh (store schema ${version}); open it once where it can be written to bring it up to date`
        )
      }
      db.transaction(() => {
        for (let next = version + 1; next <= SCHEMA_VERSION; next++) db!.exec(MIGRATIONS[next]!)
        db!.pragma(`user_version = ${SCHEMA_VERSION}`)
      })()
    }
    // SQLite makes them as the database file, but a store is private whatever SQLite does.
    if (fresh) {
      for (const suffix of ['-wal', '-shm']) {
        if (existsSync(path + suffix)) chmodSync(path + suffix, 0o600)
      }
    }
    return { db, readonly, created }
  } catch (err) {
    db?.close()
    throw storeError(path, err)
  }
}

/**
 * A SQLite file of amsh's own (the journal), made as a store is: readable by its owner only,
 * WAL with synchronous=NORMAL. Read-only when asked, and then it must exist. The caller owns the
 * schema; SQLite's failures come back as thrown, for the caller to word.
 */
export function openPrivateDatabase(path: string, options: { readonly?: boolean } = {}): Db {
  const fresh = !options.readonly && !existsSync(path)
  if (fresh) {
    makePrivateDir(dirname(path), dirname(path) === amshHome())
    createPrivately(path)
  }
  const db = new Database(path, {
    readonly: options.readonly ?? false,
    fileMustExist: options.readonly ?? false,
    timeout: BUSY_TIMEOUT_MS,
    nativeBinding: nativeBinding(),
  })
  if (!options.readonly) {
    walMode(db)
    db.pragma('synchronous = NORMAL')
    if (fresh) {
      for (const suffix of ['-wal', '-shm']) {
        if (existsSync(path + suffix)) chmodSync(path + suffix, 0o600)
      }
    }
  }
  return db
}
