import type { CrudOperation, EntityDef, OperationDef } from '../catalog/catalog.ts'
import { AmshError } from '../errors.ts'
import type { JsonObject, JsonValue } from '../json.ts'

/** Where an operation applies: one realm (`/`, `/alpha`, `/a/b`) or the global configuration. */
export type Scope = { kind: 'realm'; realm: string } | { kind: 'global' }

export interface Target {
  entity: EntityDef
  scope: Scope
}

export interface QueryParams {
  /** A CREST query filter; `true` matches everything. */
  filter: string
  /** Fields to return (`_id` always comes back). */
  fields?: string[]
  /** `name`, `+name` or `-name`; the first key sorts first. */
  sortKeys?: string[]
  pageSize?: number
  pagedResultsOffset?: number
  /**
   * Where the last page ended, as its answer's pagedResultsCookie said: the next page starts
   * there without the server skipping what came before (the offset is then not used).
   */
  pagedResultsCookie?: string
  /** The kind's own query options as given (`--type`): see Kind.narrowFilter. */
  narrow?: Record<string, string>
}

/** How a write is conditioned: `rev` is CREST's If-Match (a stale revision fails, `*` any). */
export interface WriteOptions {
  rev?: string
}

/** One operation of an RFC 6902 JSON Patch; paths are JSON pointers (RFC 6901). */
export type JsonPatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; value: JsonValue }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string }

/** The envelope AM answers a query with, in AM's key order. */
export interface QueryResult {
  result: JsonObject[]
  resultCount: number
  pagedResultsCookie: string | null
  totalPagedResultsPolicy: 'NONE' | 'EXACT' | 'ESTIMATE'
  totalPagedResults: number
  remainingPagedResults: number
}

/**
 * What every backend offers. Failures are AmshErrors whose messages are the ones AM itself
 * gives, so the same text reaches a user whichever transport is in use.
 */
export interface Transport {
  readonly kind: 'local' | 'am' | 'jans' | 'plan'
  /** Without `id` the backend mints one; with `id` it is create-only (an existing id fails). */
  create(target: Target, body: JsonObject, id?: string): Promise<JsonObject>
  read(target: Target, id: string): Promise<JsonObject>
  update(target: Target, id: string, body: JsonObject, options?: WriteOptions): Promise<JsonObject>
  delete(target: Target, id: string): Promise<JsonObject>
  /**
   * Applies an RFC 6902 patch to one item and answers the item as it then is. Only backends
   * with a patch of their own have it (Janssen's config-api); CREST's is another format.
   */
  patch?(target: Target, id: string, operations: JsonPatchOperation[]): Promise<JsonObject>
  query(target: Target, params: QueryParams): Promise<QueryResult>
  action(
    target: Target,
    action: string,
    body: JsonObject | undefined,
    params: Record<string, string>
  ): Promise<JsonValue>
  /**
   * Runs `work` so that its writes land together or not at all: they are kept only when `work`
   * resolves to true (or the process dies first). Resolves to whether they were kept. Only
   * transports that can promise this have it.
   */
  atomic?(work: () => Promise<boolean>): Promise<boolean>
  /**
   * Whether the configuration behind the transport is an amsh store (the local store, or one
   * behind `amsh serve`): there, an import may create the realms its files need, which on a
   * real server is a decision for its administrator.
   */
  ownedByAmsh?(): Promise<boolean>
  /**
   * Whether the server behind the transport has the entity at all: AM's REST API carries the
   * entities of AM's wire flavour, Janssen's those of its own. Absent: every entity (the local
   * store keeps them all).
   */
  carries?(entity: EntityDef): boolean
  close(): void
}

/** The envelope of a query's results; `remaining` is AM's remainingPagedResults. */
export function queryEnvelope(
  result: JsonObject[],
  remaining = 0,
  cookie: string | null = null
): QueryResult {
  return {
    result,
    resultCount: result.length,
    pagedResultsCookie: cookie,
    totalPagedResultsPolicy: 'NONE',
    totalPagedResults: -1,
    remainingPagedResults: remaining,
  }
}

/** Refuses what the catalog says an entity does not offer in a scope, before anything is sent. */
export function checkOffered(target: Target, operation: CrudOperation): void {
  if (!target.entity.scopes[target.scope.kind]?.[operation]) {
    const where = target.scope.kind === 'global' ? 'globally' : 'in a realm'
    throw new AmshError(
      'E_UNSUPPORTED',
      `${target.entity.name} does not support ${operation} ${where}`
    )
  }
}

/** The definition of an action the entity offers in the target's scope; refuses any other. */
export function checkAction(target: Target, action: string): OperationDef {
  const offered = target.entity.scopes[target.scope.kind]?.actions?.[action]
  if (!offered) {
    throw new AmshError(
      'E_UNSUPPORTED',
      `Action ${action} is not supported on ${target.entity.name}`
    )
  }
  return offered
}
