import type { JsonObject, JsonValue } from '../json.ts'
import {
  queryEnvelope,
  type QueryParams,
  type QueryResult,
  type Target,
  type Transport,
} from './types.ts'

// The transport of --dry-run: every command has been parsed and checked (schema, profile, script
// syntax) by the time it gets here, so a mutating one only prints what it would do, as a plan
// line (`create Scripts /alpha "Name"`). Nothing is sent anywhere and no store is opened.

function where(target: Target): string {
  return target.scope.kind === 'global' ? '--global' : target.scope.realm
}

function named(target: Target, body: JsonObject | undefined): string {
  const name = target.entity.nameField ? body?.[target.entity.nameField] : undefined
  return typeof name === 'string' ? ` ${JSON.stringify(name)}` : ''
}

export class PlanTransport implements Transport {
  readonly kind = 'plan'
  readonly #print: (line: string) => void

  constructor(print: (line: string) => void) {
    this.#print = print
  }

  create(target: Target, body: JsonObject, id?: string): Promise<JsonObject> {
    const idText = id === undefined ? '' : ` (id ${id})`
    this.#print(`create ${target.entity.name} ${where(target)}${named(target, body)}${idText}`)
    return Promise.resolve({ ...body, [target.entity.idField]: id ?? null })
  }

  update(target: Target, id: string, body: JsonObject): Promise<JsonObject> {
    this.#print(`update ${target.entity.name} ${where(target)} ${id}${named(target, body)}`)
    return Promise.resolve({ ...body, [target.entity.idField]: id })
  }

  delete(target: Target, id: string): Promise<JsonObject> {
    this.#print(`delete ${target.entity.name} ${where(target)} ${id}`)
    return Promise.resolve({ [target.entity.idField]: id })
  }

  action(
    target: Target,
    action: string,
    body: JsonObject | undefined,
    _params: Record<string, string>
  ): Promise<JsonValue> {
    const mutates = target.entity.scopes[target.scope.kind]?.actions?.[action]?.mutates
    if (mutates)
      this.#print(`${action} ${target.entity.name} ${where(target)}${named(target, body)}`)
    return Promise.resolve(null)
  }

  /** Reads have nothing to read from: they pass, empty. */
  read(target: Target, id: string): Promise<JsonObject> {
    return Promise.resolve({ [target.entity.idField]: id })
  }

  query(_target: Target, _params: QueryParams): Promise<QueryResult> {
    return Promise.resolve(queryEnvelope([]))
  }

  close(): void {}
}
