import type { EntityDef } from '../catalog/catalog.ts'
import type { Profile } from '../catalog/profiles.ts'
import type { BodyProblem } from '../catalog/schemas.ts'
import type { AmshError } from '../errors.ts'
import type { JsonObject, JsonValue } from '../json.ts'
import type { OptionSpec } from '../parse/options.ts'
import type { QueryParams, QueryResult, Target } from '../transport/types.ts'

// An entity kind owns the rules of one family of entities (AM scripts, realms, plain CREST
// configuration, Janssen custom scripts...): the options it adds to the verbs, how a body is
// assembled and checked before it is sent, and how the local store keeps its items. An entity
// names its kind in commands/<Entity>.json; nothing outside src/kinds/<kind>/ asks which entity
// it is handling.

/** A body on its way to a transport, and where its parts came from (for error positions). */
export interface LoadedBody {
  body: JsonObject
  /** Where a source field came from: the file of --scriptFile, or the field's name. */
  origin: string
}

/** What a kind sees of a command while it prepares a body. */
export interface BodyContext {
  entity: EntityDef
  /** The verb's operation: create, update, or an action's name. */
  operation: string
  /** The kind's own options as given (`--scriptFile`, `--skipSourceCheck`). */
  options: Record<string, string | true>
  /** Where relative file names resolve. */
  baseDir: string
  profile: Profile
}

/** A kind's option, with the verbs that take it. */
export interface KindOption extends OptionSpec {
  verbs: string[]
}

export interface Kind {
  readonly name: string
  /** Options the kind adds to verbs, beyond the verb's own. */
  readonly options?: readonly KindOption[]
  /** Fills the body from the kind's options: a source file becomes the field that holds it. */
  assemble?(loaded: LoadedBody, ctx: BodyContext): LoadedBody
  /** The problems of a body that its JSON Schema cannot see (the product's rules). */
  bodyProblems?(body: JsonObject, ctx: BodyContext): BodyProblem[]
  /** Refuses (E_SYNTAX) a body whose source does not parse, before anything is sent. */
  checkSource?(loaded: LoadedBody, ctx: BodyContext): Promise<void>
  /** How the local store keeps the kind's items; plain CREST storage when absent. */
  readonly store?: StoreRules
  /** The source code a body carries, for exports that write it beside the JSON (`--extract`). */
  readonly source?: SourceField
  /**
   * A body read from an export made one this amsh sends: what other versions of the product
   * wrote differently (AM 8.0.2's `"V1_0"`), each change said in words for the import's plan.
   */
  normalise?(body: JsonObject): { body: JsonObject; notes: string[] }
  /** Why an import may update but never create this item (AM's default scripts), if it may not. */
  neverCreated?(body: JsonObject): string | undefined
  /** The names of the items of the same entity and scope this one needs first (`require()`d libraries). */
  dependsOn?(body: JsonObject): string[]
  /** Fields the kind's server sets itself on each write, beyond CREST's (`_rev`, dates). */
  readonly stamps?: readonly string[]
  /** Deletes are confirmed first (`[y/N]` at the prompt, --yes in a batch), as Janssen's CLI does. */
  readonly confirmDelete?: boolean
  /** A kind whose items are realms: the realm path an item stands for. */
  realmPath?(body: JsonObject): string
  /**
   * The CREST filter the kind's query options stand for (`--type`), for a transport that
   * filters itself; a server's transport may send them as its API has them instead.
   */
  narrowFilter?(narrow: Record<string, string>): string
}

/** How a kind's body holds source code. */
export interface SourceField {
  /** The body's field that holds it (encoded as the kind's wire form has it). */
  readonly field: string
  /** The decoded source and the file extension of its language; undefined when it has none. */
  read(body: JsonObject): { text: string; extension: string } | undefined
  /**
   * The source as a person reads it (--decode): like `read`, but bytes that are not UTF-8 are
   * shown escaped (`escaped` then says so) rather than the source being unreadable.
   */
  display(body: JsonObject): { text: string; escaped: boolean } | undefined
  /** The file extension of the body's language, without decoding anything. */
  extension(body: JsonObject): string
  /** The body with its source replaced by `text`. */
  write(body: JsonObject, text: string): JsonObject
}

/** What a kind's store rules are told about the write in hand. */
export interface WriteContext {
  entity: EntityDef
  profile: Profile
  /** Principal written to createdBy / lastModifiedBy. */
  user: string
  now: number
}

/** An item to plant in a new store. */
export interface SeedItem {
  /** A realm path, or undefined for the global scope. */
  realm: string | undefined
  id: string
  body: JsonObject
}

/** The store's operations a kind's action or collection may call. */
export interface StoreAccess {
  /** A create as the store does it, in the global scope when `realm` is undefined. */
  create(
    entity: EntityDef,
    realm: string | undefined,
    body: JsonObject,
    id: string | undefined
  ): JsonObject
  /**
   * A query of the store's own items as the store answers it: those of `realm` and the global
   * ones (the global ones alone when `realm` is undefined), presented as reads are.
   */
  query(entity: EntityDef, realm: string | undefined, params: QueryParams): QueryResult
  /** A read, an update and a delete of one item, as the store does them (no revision checked). */
  read(entity: EntityDef, realm: string | undefined, id: string): JsonObject
  update(entity: EntityDef, realm: string | undefined, id: string, body: JsonObject): JsonObject
  delete(entity: EntityDef, realm: string | undefined, id: string): JsonObject
  realms: RealmRegistry
}

/** The realms a store holds: the scopes every realm-scoped item lives in. */
export interface RealmRegistry {
  list(): { path: string; body: JsonObject; rev: string }[]
  get(path: string): { path: string; body: JsonObject; rev: string } | undefined
  add(path: string, body: JsonObject): string
  replace(path: string, body: JsonObject): string
  /** Removes the realm, the realms below it and everything they hold. */
  remove(path: string): void
}

/**
 * A collection a kind keeps itself (realms live in the store's realm registry) or derives from
 * other items (script libraries). The store calls only the operations the entity offers.
 */
export interface KindCollection {
  create(target: Target, body: JsonObject, id: string | undefined): JsonObject
  read(target: Target, id: string): JsonObject
  /** The store has checked a revision the write names before this is called. */
  update(target: Target, id: string, body: JsonObject): JsonObject
  delete(target: Target, id: string): JsonObject
  /** May answer later, for a query that needs what loads lazily (a parser). */
  query(target: Target, params: QueryParams): QueryResult | Promise<QueryResult>
}

export interface StoreRules {
  /** The document to keep for a create (without its id): server fields set, client ones checked. */
  forCreate?(body: JsonObject, ctx: WriteContext): JsonObject
  /** The document that replaces `stored`. */
  forUpdate?(body: JsonObject, stored: JsonObject, ctx: WriteContext): JsonObject
  /** The wire form of a stored document. */
  present?(doc: JsonObject, id: string): JsonObject
  /**
   * Where `_rev` shows: in every answer (CREST, the default), in writes' answers only (AM's
   * scripts leave it out of reads), or never (Janssen has none).
   */
  readonly revisionShown?: 'always' | 'writes' | 'never'
  /** Names are unique, case-insensitively, among a realm's and the global items. */
  readonly uniqueNames?: boolean
  /** AM's refusal to delete this item, if it refuses. */
  refuseDelete?(stored: JsonObject, entity: EntityDef): AmshError | undefined
  /** What a new store holds, as a fresh server does. */
  seed?(entity: EntityDef, profile: Profile): SeedItem[]
  /** Actions the store answers itself. */
  readonly actions?: Record<
    string,
    (call: {
      target: Target
      body: JsonObject
      params: Record<string, string>
      ctx: WriteContext
      store: StoreAccess
    }) => JsonValue | Promise<JsonValue>
  >
  /** The kind keeps its items itself rather than in the store's resource table. */
  collection?(store: StoreAccess): KindCollection
}
