import { randomUUID } from 'node:crypto'
import { entityMessage, getEntity, type EntityDef } from '../../catalog/catalog.ts'
import {
  getProfile,
  type DefaultScript,
  type Product,
  scriptLanguages,
  type Profile,
} from '../../catalog/profiles.ts'
import { decodeScript, encodeScript } from '../../catalog/script-fields.ts'
import { checkSource, type ScriptLanguage } from '../../catalog/syntax/index.ts'
import { parseFilter } from '../../crest/filter.ts'
import { matchesFilter } from '../../crest/filter-match.ts'
import { realmId, realmLineage } from '../../crest/realm.ts'
import { revision } from '../../crest/revision.ts'
import { AmshError } from '../../errors.ts'
import type { JsonObject, JsonValue } from '../../json.ts'
import {
  checkAction,
  checkOffered,
  queryEnvelope,
  type QueryParams,
  type QueryResult,
  type Scope,
  type Target,
  type Transport,
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
import {
  presentScript,
  scriptForCreate,
  scriptForUpdate,
  type WriteContext,
} from './scripts-rules.ts'

// The embedded store: AM's semantics on a SQLite file. Every entity lives in one `resources`
// table; the Scripts behaviour adds AM's script rules, the Realms behaviour lists realms.

const GLOBAL = '' // the realm column's value for the global scope

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

interface Row {
  realm: string
  id: string
  body: string
}

function realmOf(scope: Scope): string {
  return scope.kind === 'global' ? GLOBAL : scope.realm
}

/** Where a message names a realm: the global scope shows as "/" (AM's top level). */
function realmLabel(realm: string): string {
  return realm === GLOBAL ? '/' : realm
}

export class LocalStore implements Transport {
  readonly kind = 'local'
  readonly path: string
  readonly profile: Profile
  readonly #db: Db
  readonly #readonly: boolean
  readonly #user: string
  readonly #now: () => number
  readonly #statements = new Map<string, Statement>()

  constructor(options: LocalStoreOptions) {
    this.path = options.path
    this.profile = getProfile(options.product)
    this.#user = options.user ?? LOCAL_USER
    this.#now = options.now ?? Date.now
    const opened = openDatabase(options.path, { snapshot: options.snapshot })
    this.#db = opened.db
    this.#readonly = opened.readonly
    if (opened.created) this.#seed()
  }

  close(): void {
    if (this.#db.open) this.#db.close()
  }

  /**
   * One transaction around asynchronous work (better-sqlite3's own transactions are synchronous).
   * If the process dies before COMMIT, SQLite discards the transaction when the store next opens.
   */
  async atomic(work: () => Promise<boolean>): Promise<boolean> {
    this.#writable()
    this.#guard(() => this.#db.exec('BEGIN IMMEDIATE'))
    let keep = false
    try {
      keep = await work()
    } finally {
      this.#guard(() => this.#db.exec(keep ? 'COMMIT' : 'ROLLBACK'))
    }
    return keep
  }

  // ---- Transport -------------------------------------------------------------------------------

  create(target: Target, body: JsonObject, id?: string): Promise<JsonObject> {
    return this.#write(() => {
      checkOffered(target, 'create')
      return this.#create(target.entity, realmOf(target.scope), body, id)
    })
  }

  read(target: Target, id: string): Promise<JsonObject> {
    return this.#run(() => {
      checkOffered(target, 'read')
      if (target.entity.behaviour === 'realms') return this.#readRealm(target.entity, id)
      const row = this.#find(target.entity, realmOf(target.scope), id)
      return this.#present(target.entity, row)
    })
  }

  update(target: Target, id: string, body: JsonObject): Promise<JsonObject> {
    return this.#write(() => {
      checkOffered(target, 'update')
      const { entity } = target
      const realm = realmOf(target.scope)
      const row = this.#find(entity, realm, id)
      const bodyId = body[entity.idField]
      if (bodyId !== undefined && bodyId !== id) {
        throw new AmshError('E_INVALID', entityMessage(entity, 'idMismatch'))
      }
      const stored = JSON.parse(row.body) as JsonObject
      const ctx = this.#context(entity)
      const doc =
        entity.behaviour === 'scripts'
          ? scriptForUpdate(body, stored, ctx)
          : this.#plain(body, entity)
      this.#checkName(entity, row.realm, doc, id)
      this.#save(entity, row.realm, id, doc, 'update')
      return this.#present(entity, { realm: row.realm, id, body: JSON.stringify(doc) })
    })
  }

  delete(target: Target, id: string): Promise<JsonObject> {
    return this.#write(() => {
      checkOffered(target, 'delete')
      const { entity } = target
      const row = this.#find(entity, realmOf(target.scope), id)
      const stored = JSON.parse(row.body) as JsonObject
      if (stored.default === true) {
        throw new AmshError(
          'E_FORBIDDEN',
          entityMessage(entity, 'deleteDefault', { name: String(stored.name) })
        )
      }
      this.#statement('DELETE FROM resources WHERE entity = ? AND realm = ? AND id = ?').run(
        entity.name,
        row.realm,
        id
      )
      return { [entity.idField]: id }
    })
  }

  query(target: Target, params: QueryParams): Promise<QueryResult> {
    return this.#run(() => {
      checkOffered(target, 'query')
      const filter = parseFilter(params.filter)
      const { entity } = target
      if (entity.behaviour === 'realms') return this.#queryRealms(entity, params)
      const realm = realmOf(target.scope)
      const resolve = this.#resolver(entity)
      const where = filterToSql(filter, resolve)
      const scopeSql = realm === GLOBAL ? 'realm = ?' : "(realm = ? OR realm = '')" // realms see global resources
      const base = `FROM resources WHERE entity = ? AND ${scopeSql} AND (${where.sql})`
      const args = [entity.name, realm, ...where.params]
      // rowid last: equal sort values must page the same way every time.
      const order = params.sortKeys?.length
        ? `${sortToSql(params.sortKeys, resolve)}, rowid`
        : 'rowid'
      const offset = params.pagedResultsOffset ?? 0
      const limit = params.pageSize && params.pageSize > 0 ? params.pageSize : -1
      const rows = this.#db
        .prepare(`SELECT realm, id, body ${base} ORDER BY ${order} LIMIT ? OFFSET ?`)
        .all(...args, limit, offset) as Row[]
      let remaining = 0
      if (limit > 0) {
        const total = (
          this.#db.prepare(`SELECT count(*) AS n ${base}`).get(...args) as { n: number }
        ).n
        remaining = Math.max(0, total - (offset + limit))
      }
      const result = rows.map((row) => project(this.#present(entity, row), entity, params.fields))
      return queryEnvelope(result, remaining)
    })
  }

  async action(
    target: Target,
    action: string,
    body: JsonObject | undefined,
    _params: Record<string, string>
  ): Promise<JsonValue> {
    const { entity } = target
    checkAction(target, action)
    if (entity.behaviour === 'scripts' && action === 'validate') {
      return this.#validate(entity, body ?? {})
    }
    if (entity.behaviour === 'scripts' && action === 'createGlobal') {
      return this.#write(() => this.#create(entity, GLOBAL, body ?? {}, undefined))
    }
    throw new AmshError('E_UNSUPPORTED', `Action ${action} is not supported on ${entity.name}`)
  }

  // ---- writes ----------------------------------------------------------------------------------

  #create(entity: EntityDef, realm: string, body: JsonObject, id: string | undefined): JsonObject {
    const bodyId = body[entity.idField]
    if (id !== undefined && bodyId !== undefined && bodyId !== id) {
      throw new AmshError('E_INVALID', entityMessage(entity, 'idMismatch'))
    }
    const doc =
      entity.behaviour === 'scripts'
        ? scriptForCreate(body, this.#context(entity))
        : this.#plain(body, entity)
    const newId = id ?? randomUUID()
    if (this.#lookup(entity, realm, newId)) {
      throw new AmshError(
        'E_EXISTS',
        entityMessage(entity, 'idExists', { id: newId, realm: realmLabel(realm) })
      )
    }
    this.#checkName(entity, realm, doc, newId)
    const rev = this.#save(entity, realm, newId, doc, 'create')
    const presented = this.#present(entity, { realm, id: newId, body: JSON.stringify(doc) })
    // AM answers a create with the new revision right after the id.
    const { [entity.idField]: first, ...rest } = presented
    return { [entity.idField]: first!, _rev: rev, ...rest }
  }

  /** Entities without special rules keep the body as sent, minus the server's fields. */
  #plain(body: JsonObject, entity: EntityDef): JsonObject {
    const { [entity.idField]: _id, _rev, ...doc } = body
    return doc
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
      this.#ensureRealm(realm)
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

  /** Names are unique, case-insensitively, among a realm's and the global resources. */
  #checkName(entity: EntityDef, realm: string, doc: JsonObject, id: string): void {
    if (entity.behaviour !== 'scripts' || !entity.nameField) return
    const name = doc[entity.nameField]
    if (typeof name !== 'string') return
    // A global resource is visible in every realm, so its name must be free in all of them.
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

  #ensureRealm(realm: string): void {
    if (realm === GLOBAL) return
    const insert = this.#statement('INSERT OR IGNORE INTO realms (path, created) VALUES (?, ?)')
    const now = this.#now()
    for (const path of realmLineage(realm)) insert.run(path, now)
  }

  /** A new store holds the product's default scripts, as a fresh AM does. */
  #seed(): void {
    this.#db.transaction(() => {
      this.#ensureRealm('/')
      const scripts = getEntity('Scripts')
      const ctx = { ...this.#context(scripts), user: 'id=dsameuser,ou=user,ou=am-config', now: 0 }
      for (const script of this.profile.defaultScripts) {
        const body = { ...script, script: encodeScript(defaultScriptSource(script)) }
        this.#save(scripts, GLOBAL, script._id, scriptForCreate(body, ctx, true), 'create')
      }
    })()
  }

  // ---- reads -----------------------------------------------------------------------------------

  #lookup(entity: EntityDef, realm: string, id: string): Row | undefined {
    const statement =
      realm === GLOBAL
        ? this.#statement(
            'SELECT realm, id, body FROM resources WHERE entity = ? AND realm = ? AND id = ?'
          )
        : this.#statement(
            "SELECT realm, id, body FROM resources WHERE entity = ? AND realm IN (?, '') AND id = ? ORDER BY realm DESC LIMIT 1"
          )
    return statement.get(entity.name, realm, id) as Row | undefined
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

  #present(entity: EntityDef, row: Row): JsonObject {
    const doc = JSON.parse(row.body) as JsonObject
    const shown = entity.behaviour === 'scripts' ? presentScript(doc) : doc
    return { [entity.idField]: row.id, ...shown }
  }

  #resolver(entity: EntityDef): FieldResolver {
    return (path) => {
      const [first] = path
      if (path.length === 1 && first === entity.idField) return { kind: 'column', sql: 'id' }
      if (path.length === 1 && first === entity.nameField) return { kind: 'column', sql: 'name' }
      // AM 8.1 lets a query ask for global scripts: `global eq true`.
      if (path.length === 1 && first === 'global') return { kind: 'boolean', sql: "(realm = '')" }
      return { kind: 'json', column: 'body', path }
    }
  }

  async #validate(entity: EntityDef, body: JsonObject): Promise<JsonValue> {
    if (typeof body.script !== 'string') {
      throw new AmshError('E_INVALID', entityMessage(entity, 'missing:script'))
    }
    const language = typeof body.language === 'string' ? body.language.toUpperCase() : undefined
    if (language === undefined || !scriptLanguages(this.profile).includes(language)) {
      throw new AmshError(
        'E_INVALID',
        entityMessage(entity, 'unknownLanguage', { value: String(body.language ?? null) })
      )
    }
    const source = decodeScript(body.script)
    if (source === undefined) throw new AmshError('E_INVALID', entityMessage(entity, 'badEncoding'))
    const errors = await checkSource(language as ScriptLanguage, source)
    return errors.length === 0
      ? { success: true }
      : {
          success: false,
          errors: errors.map((e) => ({ line: e.line, column: e.column, message: e.message })),
        }
  }

  // ---- realms ----------------------------------------------------------------------------------

  #realms(): JsonObject[] {
    const paths = this.#statement('SELECT path FROM realms ORDER BY path').all() as {
      path: string
    }[]
    return paths.map(({ path }) => {
      const slash = path.lastIndexOf('/')
      return {
        _id: realmId(path),
        name: path === '/' ? '/' : path.slice(slash + 1),
        active: true,
        parentPath: path === '/' ? null : path.slice(0, slash) || '/',
        aliases: [],
      }
    })
  }

  #readRealm(entity: EntityDef, id: string): JsonObject {
    const realm = this.#realms().find((r) => r._id === id)
    if (!realm) throw new AmshError('E_NOT_FOUND', entityMessage(entity, 'notFound', { id }))
    return realm
  }

  #queryRealms(entity: EntityDef, params: QueryParams): QueryResult {
    const filter = parseFilter(params.filter)
    const all = this.#realms().filter((realm) => matchesFilter(filter, realm))
    const offset = params.pagedResultsOffset ?? 0
    const page = params.pageSize ? all.slice(offset, offset + params.pageSize) : all.slice(offset)
    const remaining = params.pageSize ? Math.max(0, all.length - offset - params.pageSize) : 0
    return queryEnvelope(
      page.map((realm) => project(realm, entity, params.fields)),
      remaining
    )
  }

  // ---- plumbing --------------------------------------------------------------------------------

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
      return this.#db.inTransaction ? fn() : this.#db.transaction(fn).immediate()
    })
  }

  #writable(): void {
    if (this.#readonly) {
      throw readOnlyStore(this.path)
    }
  }
}

/**
 * AM's default scripts carry ForgeRock / Ping Identity licence terms, so amsh does not bundle
 * their text; a comment (valid in JavaScript and Groovy alike) says so where the source would be.
 */
function defaultScriptSource(script: DefaultScript): string {
  return [
    '/*',
    ` * AM's default script "${script.name}" (${script.language}, ${script.context}).`,
    ' * amsh does not bundle its source, which carries ForgeRock / Ping Identity licence terms.',
    ' * This local store keeps its id, name and type, so queries, names and deletes behave as in AM.',
    ' */',
    '',
  ].join('\n')
}

/** The store does what the catalog says an entity offers in a scope, and nothing else. */
/** `_fields`: the id always, then the named top-level fields that exist. */
function project(doc: JsonObject, entity: EntityDef, fields: string[] | undefined): JsonObject {
  if (!fields?.length) return doc
  const out: JsonObject = { [entity.idField]: doc[entity.idField]! }
  for (const field of fields) {
    const key = field.replace(/^\//, '').split('/')[0]!
    if (key in doc) out[key] = doc[key]!
  }
  return out
}
