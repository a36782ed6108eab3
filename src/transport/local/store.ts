import { entityMessage, entityNames, getEntity, type EntityDef } from '../../catalog/catalog.ts'
import { getProfile, type Product, type Profile } from '../../catalog/profiles.ts'
import { parseFilter, type FilterNode } from '../../crest/filter.ts'
import { project } from '../../crest/page.ts'
import { revision } from '../../crest/revision.ts'
import { AmshError } from '../../errors.ts'
import type { JsonObject, JsonValue } from '../../json.ts'
import { kindOf, narrowed } from '../../kinds/index.ts'
import type {
  KindCollection,
  RealmRegistry,
  StoreAccess,
  StoreRules,
  WriteContext,
} from '../../kinds/types.ts'
import {
  checkAction,
  checkOffered,
  queryEnvelope,
  type QueryParams,
  type QueryResult,
  type Scope,
  type Target,
  type Transport,
  type WriteOptions,
} from '../types.ts'
import {
  isSqliteError,
  openDatabase,
  readOnlyStore,
  storeError,
  type Db,
  type Statement,
} from './database.ts'
import { filterToSql, sortToSql, type FieldResolver } from './filter-sql.ts'
import { crypto } from '../../lazy-builtins.ts'

// The embedded store: AM's semantics on a SQLite file. Every entity lives in one `resources`
// table, in a realm of the realm registry or in the global scope; each entity's kind says what
// its items must be (src/kinds/), and the store applies it without knowing which entity it is.

const GLOBAL = '' // the realm column's value for the global scope
/** The id of a singleton's one item, as AM gives it. */
function singletonId(entity: EntityDef): string {
  return entity.singletonId ?? ''
}

/** The principal AM stamps on changes made by its administrator. */
export const LOCAL_USER = 'id=amadmin,ou=user,ou=am-config'

export interface LocalStoreOptions {
  /** A file path, or ':memory:'. */
  path: string
  product: Product
  user?: string
  now?: () => number
  /** Work on a copy in memory of the store (a dry run): the file is never written. */
  snapshot?: boolean
}

/**
 * How long a batch's changes wait in one open transaction before it commits (group commit): a
 * commit costs as much as a few changes, and nobody else may write while one is held.
 */
const GROUP_MS = 20

/** What group commit must do around each commit (see LocalStore.groupCommits). */
export interface CommitHooks {
  /** Before a commit: what must be in its own file first (the journal's entries). */
  beforeCommit(): void
  /** After a commit the store made on its own (the group grew old): send what it reported. */
  afterCommit(): void
}

interface CommitGroup {
  hooks: CommitHooks
  /** When its transaction began; undefined while none is open. */
  since: number | undefined
  /** A commit was asked while a change was under way: it comes when the change ends. */
  due: boolean
}

interface Row {
  realm: string
  id: string
  body: string
  rev: string
}

/** The row a page's cookie says the last page ended at; a cookie this store did not give fails. */
function cookieRowid(cookie: string | undefined): number | undefined {
  if (cookie === undefined || cookie === '') return undefined
  if (!/^\d{1,15}$/.test(cookie)) {
    throw new AmshError(
      'E_USAGE',
      `the paged results cookie "${cookie.slice(0, 40)}" is not one this store gave`
    )
  }
  return Number(cookie)
}

function realmOf(scope: Scope): string {
  return scope.kind === 'global' ? GLOBAL : scope.realm
}

/** Where a message names a realm: the global scope shows as "/" (AM's top level). */
function realmLabel(realm: string): string {
  return realm === GLOBAL ? '/' : realm
}

/** Entities without rules of their own keep the body as sent, minus the server's fields. */
function plain(body: JsonObject, entity: EntityDef): JsonObject {
  const { [entity.idField]: _id, _rev, _type, ...doc } = body
  return doc
}

export class LocalStore implements Transport {
  readonly kind = 'local'

  ownedByAmsh(): Promise<boolean> {
    return Promise.resolve(true)
  }
  readonly path: string
  readonly profile: Profile
  readonly #db: Db
  readonly #readonly: boolean
  readonly #user: string
  readonly #now: () => number
  readonly #statements = new Map<string, Statement>()
  readonly #collections = new Map<EntityDef, KindCollection>()
  readonly #access: StoreAccess
  #savepoints = 0
  /** atomic() calls under way (a change waits on work of its own between its statements). */
  #underWay = 0
  #group: CommitGroup | undefined

  constructor(options: LocalStoreOptions) {
    this.path = options.path
    this.profile = getProfile(options.product)
    this.#user = options.user ?? LOCAL_USER
    this.#now = options.now ?? Date.now
    const opened = openDatabase(options.path, { snapshot: options.snapshot })
    this.#db = opened.db
    this.#readonly = opened.readonly
    this.#access = {
      create: (entity, realm, body, id) => this.#create(entity, realm ?? GLOBAL, body, id),
      query: (entity, realm, params) => this.#query(entity, realm ?? GLOBAL, params),
      read: (entity, realm, id) => this.#readItem(entity, realm ?? GLOBAL, id),
      update: (entity, realm, id, body) =>
        this.#updateItem(entity, realm ?? GLOBAL, id, body, undefined),
      delete: (entity, realm, id) => this.#deleteItem(entity, realm ?? GLOBAL, id),
      realms: this.#realmRegistry(),
    }
    if (opened.created) {
      try {
        this.#seed()
        this.#db.exec('COMMIT')
      } catch (err) {
        this.close()
        throw storeError(this.path, err)
      }
    }
  }

  close(): void {
    if (!this.#db.open) return
    this.commitGroup()
    this.#db.close()
  }

  /**
   * Group commit, for a batch that keeps each command on its own: from now on each change is a
   * savepoint of one open transaction, committed once it is GROUP_MS old (at the end of the change
   * that finds it so, or by a timer when the batch is busy elsewhere), when commitGroup() asks, or
   * at close. A failed change still takes back only itself. A kill loses the changes since the
   * last commit, so what reports them must wait for commitGroup() (src/output/buffered.ts).
   */
  groupCommits(hooks: CommitHooks): void {
    this.#group = { hooks, since: undefined, due: false }
  }

  /**
   * Commits the group now, unless a change is under way (it then commits when that change ends).
   * True when nothing the store has done is left uncommitted.
   */
  commitGroup(): boolean {
    const group = this.#group
    if (group?.since === undefined) return true
    if (this.#underWay > 0) {
      group.due = true
      return false
    }
    this.#commit(group)
    return true
  }

  #commit(group: CommitGroup): void {
    group.since = undefined
    group.due = false
    group.hooks.beforeCommit()
    this.#guard(() => this.#statement('COMMIT').run())
  }

  /** Opens the group's transaction for the change about to begin, if none is open. */
  #joinGroup(group: CommitGroup): void {
    if (group.since !== undefined) return
    this.#guard(() => this.#statement('BEGIN IMMEDIATE').run())
    group.since = this.#now()
    setTimeout(() => {
      if (group.since === undefined) return
      group.due = true
      try {
        this.#leftChange()
      } catch {
        // Left for the next change, commitGroup() or close() to commit, or to report.
      }
    }, GROUP_MS).unref()
  }

  /** A change ended: the group commits if it has grown old, or a commit waited for the change. */
  #leftChange(): void {
    const group = this.#group
    if (group?.since === undefined || this.#underWay > 0) return
    if (group.due || this.#now() - group.since >= GROUP_MS) {
      this.#commit(group)
      group.hooks.afterCommit()
    }
  }

  /**
   * One transaction around asynchronous work (better-sqlite3's own transactions are synchronous).
   * If the process dies before COMMIT, SQLite discards the transaction when the store next opens.
   * Inside another (a journaled change in an --atomic batch, a change in a commit group) it is a
   * savepoint of that one.
   */
  async atomic(work: () => Promise<boolean>): Promise<boolean> {
    this.#writable()
    // Prepared once: every journaled change of a batch comes through here.
    const run = (sql: string) => this.#guard(() => this.#statement(sql).run())
    if (this.#group && this.#underWay === 0) this.#joinGroup(this.#group)
    const savepoint = this.#db.inTransaction ? `amsh_${++this.#savepoints}` : undefined
    run(savepoint ? `SAVEPOINT ${savepoint}` : 'BEGIN IMMEDIATE')
    let keep = false
    this.#underWay++
    try {
      keep = await work()
    } finally {
      this.#underWay--
      if (savepoint) {
        this.#savepoints--
        if (!keep) run(`ROLLBACK TO ${savepoint}`)
        run(`RELEASE ${savepoint}`)
      } else {
        run(keep ? 'COMMIT' : 'ROLLBACK')
      }
    }
    this.#leftChange()
    return keep
  }

  // ---- Transport -------------------------------------------------------------------------------

  create(target: Target, body: JsonObject, id?: string): Promise<JsonObject> {
    return this.#write(() => {
      checkOffered(target, 'create')
      const realm = this.#realm(target.scope)
      const own = this.#collection(target.entity)
      if (own) return own.create(target, body, id)
      return this.#create(target.entity, realm, body, id)
    })
  }

  read(target: Target, id: string): Promise<JsonObject> {
    return this.#run(() => {
      checkOffered(target, 'read')
      const { entity } = target
      const own = this.#collection(entity)
      if (!own && !entity.singleton) {
        // An item found in the realm itself shows that the realm is there: a read by id is one
        // query, not two (serve answers thousands a second). A miss, or an item of the global
        // scope, still needs the realm checked.
        const row = this.#lookupOwn(entity, realmOf(target.scope), id)
        if (row) return this.#present(entity, row)
      }
      const realm = this.#realm(target.scope)
      if (own) return own.read(target, id)
      if (entity.singleton) {
        const row = this.#lookup(entity, realm, singletonId(entity))
        // A service nobody has configured reads as AM's empty one.
        return row
          ? this.#present(entity, row)
          : this.#withType(entity, { [entity.idField]: singletonId(entity) })
      }
      return this.#readItem(entity, realm, id)
    })
  }

  update(
    target: Target,
    id: string,
    body: JsonObject,
    options?: WriteOptions
  ): Promise<JsonObject> {
    return this.#write(() => {
      checkOffered(target, 'update')
      const realm = this.#realm(target.scope)
      const { entity } = target
      const own = this.#collection(entity)
      if (own) {
        if (options?.rev !== undefined) this.#checkRev(entity, own.read(target, id), options.rev)
        return own.update(target, id, body)
      }
      if (entity.singleton) return this.#updateSingleton(entity, realm, body, options)
      return this.#updateItem(entity, realm, id, body, options?.rev)
    })
  }

  #readItem(entity: EntityDef, realm: string, id: string): JsonObject {
    return this.#present(entity, this.#find(entity, realm, id))
  }

  #updateItem(
    entity: EntityDef,
    realm: string,
    id: string,
    body: JsonObject,
    rev: string | undefined
  ): JsonObject {
    const row = this.#find(entity, realm, id)
    this.#checkRev(entity, row, rev)
    const bodyId = body[entity.idField]
    if (bodyId !== undefined && bodyId !== id) {
      throw new AmshError('E_INVALID', entityMessage(entity, 'idMismatch'))
    }
    const stored = JSON.parse(row.body) as JsonObject
    const rules = this.#rules(entity)
    const doc = rules.forUpdate
      ? rules.forUpdate(body, stored, this.#context(entity))
      : plain(body, entity)
    this.#checkName(entity, row.realm, doc, id)
    const saved = this.#save(entity, row.realm, id, doc, 'update')
    return this.#shown(entity, id, doc, saved, false)
  }

  delete(target: Target, id: string): Promise<JsonObject> {
    return this.#write(() => {
      checkOffered(target, 'delete')
      const realm = this.#realm(target.scope)
      const { entity } = target
      const own = this.#collection(entity)
      if (own) return own.delete(target, id)
      return this.#deleteItem(entity, realm, id)
    })
  }

  #deleteItem(entity: EntityDef, realm: string, id: string): JsonObject {
    const row = this.#find(entity, realm, id)
    const refused = this.#rules(entity).refuseDelete?.(JSON.parse(row.body) as JsonObject, entity)
    if (refused) throw refused
    this.#statement('DELETE FROM resources WHERE entity = ? AND realm = ? AND id = ?').run(
      entity.name,
      row.realm,
      id
    )
    return { [entity.idField]: id }
  }

  async query(target: Target, asked: QueryParams): Promise<QueryResult> {
    return await this.#run(() => {
      checkOffered(target, 'query')
      const params = narrowed(target.entity, asked)
      // A malformed filter fails first, wherever it points.
      const filter = parseFilter(params.filter)
      const realm = this.#realm(target.scope)
      const own = this.#collection(target.entity)
      if (own) return own.query(target, params)
      return this.#query(target.entity, realm, params, filter)
    })
  }

  async action(
    target: Target,
    action: string,
    body: JsonObject | undefined,
    params: Record<string, string>
  ): Promise<JsonValue> {
    const def = checkAction(target, action)
    const { entity } = target
    const run = this.#rules(entity).actions?.[action]
    if (!run) {
      throw new AmshError('E_UNSUPPORTED', `Action ${action} is not supported on ${entity.name}`)
    }
    const call = () => {
      this.#realm(target.scope)
      return run({
        target,
        body: body ?? {},
        params,
        ctx: this.#context(entity),
        store: this.#access,
      })
    }
    return def.mutates ? this.#write(call) : this.#guard(call)
  }

  // ---- writes ----------------------------------------------------------------------------------

  #create(entity: EntityDef, realm: string, body: JsonObject, id: string | undefined): JsonObject {
    const bodyId = body[entity.idField]
    if (id !== undefined && bodyId !== undefined && bodyId !== id) {
      throw new AmshError('E_INVALID', entityMessage(entity, 'idMismatch'))
    }
    const rules = this.#rules(entity)
    const doc = rules.forCreate ? rules.forCreate(body, this.#context(entity)) : plain(body, entity)
    const newId = id ?? crypto().randomUUID()
    // A random UUID is new: only an id the caller chose can be taken already.
    if (id !== undefined && this.#lookup(entity, realm, newId)) {
      throw new AmshError(
        'E_EXISTS',
        entityMessage(entity, 'idExists', { id: newId, realm: realmLabel(realm) })
      )
    }
    this.#checkName(entity, realm, doc, newId)
    const rev = this.#save(entity, realm, newId, doc, 'create')
    return this.#shown(entity, newId, doc, rev, true)
  }

  #updateSingleton(
    entity: EntityDef,
    realm: string,
    body: JsonObject,
    options: WriteOptions | undefined
  ): JsonObject {
    const id = singletonId(entity)
    const row = this.#lookup(entity, realm, id)
    if (row) this.#checkRev(entity, row, options?.rev)
    const doc = plain(body, entity)
    const rev = this.#save(entity, realm, id, doc, row ? 'update' : 'create')
    return this.#shown(entity, id, doc, rev, true)
  }

  /** CREST's optimistic concurrency: a write naming a revision fails unless it is the current one. */
  #checkRev(entity: EntityDef, current: Row | JsonObject, rev: string | undefined): void {
    if (rev === undefined || rev === '*') return
    const now = 'body' in current ? current.rev : current._rev
    if (now === rev) return
    throw new AmshError(
      'E_STALE',
      `${entity.name} item has changed: it is at revision ${String(now)}, not ${rev} (read it again, then retry)`
    )
  }

  #save(
    entity: EntityDef,
    realm: string,
    id: string,
    doc: JsonObject,
    kind: 'create' | 'update'
  ): string {
    const text = JSON.stringify(doc)
    const rev = revision(text)
    const name = entity.nameField ? doc[entity.nameField] : undefined
    const nameText = typeof name === 'string' ? name : null
    if (kind === 'create') {
      this.#statement(
        'INSERT INTO resources (entity, realm, id, name, name_key, body, rev) VALUES (?, ?, ?, ?, ?, ?, ?)'
      ).run(entity.name, realm, id, nameText, nameText?.toLowerCase() ?? null, text, rev)
    } else {
      this.#statement(
        'UPDATE resources SET name = ?, name_key = ?, body = ?, rev = ? WHERE entity = ? AND realm = ? AND id = ?'
      ).run(nameText, nameText?.toLowerCase() ?? null, text, rev, entity.name, realm, id)
    }
    return rev
  }

  /** Names are unique, case-insensitively, among a realm's and the global items, where the kind says so. */
  #checkName(entity: EntityDef, realm: string, doc: JsonObject, id: string): void {
    if (!this.#rules(entity).uniqueNames || !entity.nameField) return
    const name = doc[entity.nameField]
    if (typeof name !== 'string') return
    // A global item is visible in every realm, so its name must be free in all of them.
    const clash = (
      realm === GLOBAL
        ? this.#statement(
            'SELECT realm FROM resources WHERE entity = ? AND name_key = ? AND id <> ? LIMIT 1'
          ).get(entity.name, name.toLowerCase(), id)
        : this.#statement(
            "SELECT realm FROM resources WHERE entity = ? AND name_key = ? AND (realm = ? OR realm = '') AND id <> ? LIMIT 1"
          ).get(entity.name, name.toLowerCase(), realm, id)
    ) as { realm: string } | undefined
    if (clash) {
      const where = realm === GLOBAL ? clash.realm : realm
      throw new AmshError(
        'E_CONFLICT',
        entityMessage(entity, 'nameConflict', { name, realm: realmLabel(where) })
      )
    }
  }

  /** A new store holds what a fresh server of the product holds: its realms and shipped items. */
  #seed(): void {
    this.#db.transaction(() => {
      const registry = this.#access.realms
      for (const realm of ['/', ...(this.profile.realms ?? [])]) registry.add(realm, {})
      for (const name of entityNames()) {
        const entity = getEntity(name)
        for (const item of this.#rules(entity).seed?.(entity, this.profile) ?? []) {
          this.#save(entity, item.realm ?? GLOBAL, item.id, item.body, 'create')
        }
      }
    })()
  }

  // ---- realms ----------------------------------------------------------------------------------

  /** The scope's realm column; a realm the registry does not hold fails as AM fails. */
  #realm(scope: Scope): string {
    const realm = realmOf(scope)
    if (realm !== GLOBAL && !this.#statement('SELECT 1 FROM realms WHERE path = ?').get(realm)) {
      throw new AmshError('E_NOT_FOUND', 'Realm not found', { details: { realm } })
    }
    return realm
  }

  #realmRegistry(): RealmRegistry {
    type RealmRow = { path: string; body: string; rev: string }
    const shape = (row: RealmRow | undefined) =>
      row && { path: row.path, body: JSON.parse(row.body) as JsonObject, rev: row.rev }
    return {
      list: () =>
        (
          this.#statement('SELECT path, body, rev FROM realms ORDER BY path').all() as RealmRow[]
        ).map((row) => shape(row)!),
      get: (path) =>
        shape(
          this.#statement('SELECT path, body, rev FROM realms WHERE path = ?').get(path) as
            RealmRow | undefined
        ),
      add: (path, body) => {
        const text = JSON.stringify(body)
        const rev = revision(`${path}${text}`)
        this.#statement(
          'INSERT INTO realms (path, created, body, rev) VALUES (?, ?, ?, ?) ON CONFLICT (path) DO NOTHING'
        ).run(path, this.#now(), text, rev)
        return rev
      },
      replace: (path, body) => {
        const text = JSON.stringify(body)
        const rev = revision(`${path}${text}`)
        this.#statement('UPDATE realms SET body = ?, rev = ? WHERE path = ?').run(text, rev, path)
        return rev
      },
      remove: (path) => {
        const below = `${path}/%`
        this.#statement('DELETE FROM resources WHERE realm = ? OR realm LIKE ?').run(path, below)
        this.#statement('DELETE FROM realms WHERE path = ? OR path LIKE ?').run(path, below)
      },
    }
  }

  // ---- reads -----------------------------------------------------------------------------------

  /** The entity's items in `realm` and the global scope (the global scope alone for GLOBAL). */
  #query(
    entity: EntityDef,
    realm: string,
    params: QueryParams,
    filter: FilterNode = parseFilter(params.filter)
  ): QueryResult {
    const resolve = this.#resolver(entity)
    const where = filterToSql(filter, resolve)
    const scopeSql = realm === GLOBAL ? 'realm = ?' : "(realm = ? OR realm = '')" // realms see global resources
    const base = `FROM resources WHERE entity = ? AND ${scopeSql} AND (${where.sql})`
    const args = [entity.name, realm, ...where.params]
    // rowid last: equal sort values must page the same way every time.
    const order = params.sortKeys?.length
      ? `${sortToSql(params.sortKeys, resolve)}, rowid`
      : 'rowid'
    const limit = params.pageSize && params.pageSize > 0 ? params.pageSize : -1
    // Pages in rowid order go on from where the last one ended (its cookie) rather than
    // skipping an offset's rows again each time: a listing of 100,000 stays linear.
    const keyed = limit > 0 && !params.sortKeys?.length
    const after = keyed ? cookieRowid(params.pagedResultsCookie) : undefined
    const from = after === undefined ? base : `${base} AND rowid > ?`
    const fromArgs = after === undefined ? args : [...args, after]
    const offset = after === undefined ? (params.pagedResultsOffset ?? 0) : 0
    const rows = this.#db
      .prepare(`SELECT rowid, realm, id, body, rev ${from} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .all(...fromArgs, limit, offset) as (Row & { rowid: number })[]
    let remaining = 0
    if (limit > 0) {
      const total = this.#db.prepare(`SELECT count(*) AS n ${from}`).get(...fromArgs) as {
        n: number
      }
      remaining = Math.max(0, total.n - (offset + limit))
    }
    const result = rows.map((row) =>
      project(this.#present(entity, row), entity.idField, params.fields)
    )
    const last = rows.at(-1)
    const cookie = keyed && remaining > 0 && last ? String(last.rowid) : null
    return queryEnvelope(result, remaining, cookie)
  }

  /** The item of the realm (or of the global scope), or one of the global scope a realm sees. */
  #lookup(entity: EntityDef, realm: string, id: string): Row | undefined {
    if (realm === GLOBAL) return this.#lookupOwn(entity, realm, id)
    return this.#statement(
      "SELECT realm, id, body, rev FROM resources WHERE entity = ? AND realm IN (?, '') AND id = ? ORDER BY realm DESC LIMIT 1"
    ).get(entity.name, realm, id) as Row | undefined
  }

  /** The item of exactly this realm (or scope). */
  #lookupOwn(entity: EntityDef, realm: string, id: string): Row | undefined {
    return this.#statement(
      'SELECT realm, id, body, rev FROM resources WHERE entity = ? AND realm = ? AND id = ?'
    ).get(entity.name, realm, id) as Row | undefined
  }

  #find(entity: EntityDef, realm: string, id: string): Row {
    const row = this.#lookup(entity, realm, id)
    if (!row) {
      throw new AmshError(
        'E_NOT_FOUND',
        entityMessage(entity, 'notFound', { id, realm: realmLabel(realm) })
      )
    }
    return row
  }

  /**
   * The wire form: the id first, then the revision, as AM answers. A create's answer always
   * names the new revision; other answers do unless the kind says its server leaves it out.
   */
  #present(entity: EntityDef, row: Row, written = false): JsonObject {
    return this.#shown(entity, row.id, JSON.parse(row.body) as JsonObject, row.rev, written)
  }

  /** The wire form of a stored document, which it may share parts with (a write's own). */
  #shown(
    entity: EntityDef,
    id: string,
    doc: JsonObject,
    rev: string,
    written: boolean
  ): JsonObject {
    const rules = this.#rules(entity)
    const shown = rules.present?.(doc, id) ?? doc
    const where = rules.revisionShown ?? 'always'
    const revision: JsonObject =
      where === 'always' || (where === 'writes' && written) ? { _rev: rev } : {}
    return this.#withType(entity, { [entity.idField]: id, ...revision, ...shown })
  }

  #withType(entity: EntityDef, doc: JsonObject): JsonObject {
    return entity.type ? { ...doc, _type: entity.type } : doc
  }

  #resolver(entity: EntityDef): FieldResolver {
    return (path) => {
      const [first] = path
      if (path.length === 1 && first === entity.idField) return { kind: 'column', sql: 'id' }
      if (path.length === 1 && first === entity.nameField) return { kind: 'column', sql: 'name' }
      // AM 8.1 lets a query ask for global items: `global eq true`.
      if (path.length === 1 && first === 'global') return { kind: 'boolean', sql: "(realm = '')" }
      return { kind: 'json', column: 'body', path }
    }
  }

  // ---- plumbing --------------------------------------------------------------------------------

  #rules(entity: EntityDef): StoreRules {
    return kindOf(entity).store ?? {}
  }

  #collection(entity: EntityDef): KindCollection | undefined {
    let own = this.#collections.get(entity)
    if (!own) {
      own = this.#rules(entity).collection?.(this.#access)
      if (own) this.#collections.set(entity, own)
    }
    return own
  }

  #context(entity: EntityDef): WriteContext {
    return { entity, profile: this.profile, user: this.#user, now: this.#now() }
  }

  #statement(sql: string): Statement {
    let statement = this.#statements.get(sql)
    if (!statement) {
      statement = this.#db.prepare<unknown[], unknown>(sql)
      this.#statements.set(sql, statement)
    }
    return statement
  }

  /** SQLite's own failures become E_STORE errors; anything else passes through unchanged. */
  #guard<T>(fn: () => T): T {
    try {
      return fn()
    } catch (err) {
      throw isSqliteError(err) ? storeError(this.path, err) : err
    }
  }

  #run<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(this.#guard(fn))
    } catch (err) {
      return Promise.reject(err as Error)
    }
  }

  /** A write is one immediate transaction, so checks and the write see the same store. */
  #write<T>(fn: () => T): Promise<T> {
    return this.#run(() => {
      this.#writable()
      const group = this.#group
      if (!group || this.#underWay > 0) {
        return this.#db.inTransaction ? fn() : this.#db.transaction(fn).immediate()
      }
      // A change of its own in the group: a savepoint, so that failing it takes back only itself.
      this.#joinGroup(group)
      const result = this.#db.transaction(fn)()
      this.#leftChange()
      return result
    })
  }

  #writable(): void {
    if (this.#readonly) {
      throw readOnlyStore(this.path)
    }
  }
}
