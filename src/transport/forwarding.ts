import type { EntityDef } from '../catalog/catalog.ts'
import type { JsonObject, JsonValue } from '../json.ts'
import type {
  JsonPatchOperation,
  QueryParams,
  QueryResult,
  Target,
  Transport,
  WriteOptions,
} from './types.ts'

// The base of every transport that wraps another (a profile's guard, a dry run's plan): each
// operation goes to the inner transport unchanged, with all its arguments, unless the wrapper
// overrides it. A new argument of the contract then reaches the inner transport without every
// wrapper having to learn it.

export class ForwardingTransport implements Transport {
  readonly kind: Transport['kind']
  protected readonly inner: Transport

  /** There when the inner transport has it; a wrapper adds its own rules in patchThrough. */
  readonly patch?: Transport['patch']

  constructor(inner: Transport, kind: Transport['kind'] = inner.kind) {
    this.inner = inner
    this.kind = kind
    if (inner.patch)
      this.patch = (target, id, operations) => this.patchThrough(target, id, operations)
  }

  protected patchThrough(
    target: Target,
    id: string,
    operations: JsonPatchOperation[]
  ): Promise<JsonObject> {
    return this.inner.patch!(target, id, operations)
  }

  create(target: Target, body: JsonObject, id?: string): Promise<JsonObject> {
    return this.inner.create(target, body, id)
  }

  read(target: Target, id: string): Promise<JsonObject> {
    return this.inner.read(target, id)
  }

  update(
    target: Target,
    id: string,
    body: JsonObject,
    options?: WriteOptions
  ): Promise<JsonObject> {
    return this.inner.update(target, id, body, options)
  }

  delete(target: Target, id: string): Promise<JsonObject> {
    return this.inner.delete(target, id)
  }

  query(target: Target, params: QueryParams): Promise<QueryResult> {
    return this.inner.query(target, params)
  }

  action(
    target: Target,
    action: string,
    body: JsonObject | undefined,
    params: Record<string, string>
  ): Promise<JsonValue> {
    return this.inner.action(target, action, body, params)
  }

  ownedByAmsh(): Promise<boolean> {
    return this.inner.ownedByAmsh?.() ?? Promise.resolve(false)
  }

  carries(entity: EntityDef): boolean {
    return this.inner.carries?.(entity) ?? true
  }

  close(): void {
    this.inner.close()
  }
}

/** Whether an action of the target's entity changes anything (the catalog says). */
export function mutates(target: Target, action: string): boolean {
  return target.entity.scopes[target.scope.kind]?.actions?.[action]?.mutates === true
}
