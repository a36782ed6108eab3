import type { JsonObject, JsonValue } from '../json.ts'
import { type QueryParams, type QueryResult, type Target, type Transport } from './types.ts'

// The transport of --dry-run. Every command has been parsed and checked (schema, profile, script
// syntax) by the time it gets here; it then runs on `scratch`, a copy of the store that is never
// written back, so it meets the real state and the changes of the commands before it (a name
// conflict, an id already taken, a query in a loop). Each change that succeeds is printed as a
// plan line (`create Scripts /alpha "Name" (id ...)`).

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
  readonly #scratch: Transport

  constructor(print: (line: string) => void, scratch: Transport) {
    this.#print = print
    this.#scratch = scratch
  }

  async create(target: Target, body: JsonObject, id?: string): Promise<JsonObject> {
    const created = await this.#scratch.create(target, body, id)
    const minted = String(created[target.entity.idField])
    this.#print(
      `create ${target.entity.name} ${where(target)}${named(target, body)} (id ${minted})`
    )
    return created
  }

  async update(target: Target, id: string, body: JsonObject): Promise<JsonObject> {
    const updated = await this.#scratch.update(target, id, body)
    this.#print(`update ${target.entity.name} ${where(target)} ${id}${named(target, body)}`)
    return updated
  }

  async delete(target: Target, id: string): Promise<JsonObject> {
    const deleted = await this.#scratch.delete(target, id)
    this.#print(`delete ${target.entity.name} ${where(target)} ${id}`)
    return deleted
  }

  async action(
    target: Target,
    action: string,
    body: JsonObject | undefined,
    params: Record<string, string>
  ): Promise<JsonValue> {
    const result = await this.#scratch.action(target, action, body, params)
    if (target.entity.scopes[target.scope.kind]?.actions?.[action]?.mutates) {
      this.#print(`${action} ${target.entity.name} ${where(target)}${named(target, body)}`)
    }
    return result
  }

  read(target: Target, id: string): Promise<JsonObject> {
    return this.#scratch.read(target, id)
  }

  query(target: Target, params: QueryParams): Promise<QueryResult> {
    return this.#scratch.query(target, params)
  }

  close(): void {
    this.#scratch.close()
  }
}
