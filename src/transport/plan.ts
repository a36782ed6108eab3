import type { JsonObject, JsonValue } from '../json.ts'
import { ForwardingTransport, mutates } from './forwarding.ts'
import type { Target, Transport, WriteOptions } from './types.ts'

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

export class PlanTransport extends ForwardingTransport {
  readonly #print: (line: string) => void

  constructor(print: (line: string) => void, scratch: Transport) {
    super(scratch, 'plan')
    this.#print = print
  }

  override async create(target: Target, body: JsonObject, id?: string): Promise<JsonObject> {
    const created = await super.create(target, body, id)
    const minted = String(created[target.entity.idField])
    this.#print(
      `create ${target.entity.name} ${where(target)}${named(target, body)} (id ${minted})`
    )
    return created
  }

  override async update(
    target: Target,
    id: string,
    body: JsonObject,
    options?: WriteOptions
  ): Promise<JsonObject> {
    const updated = await super.update(target, id, body, options)
    this.#print(`update ${target.entity.name} ${where(target)} ${id}${named(target, body)}`)
    return updated
  }

  override async delete(target: Target, id: string): Promise<JsonObject> {
    const deleted = await super.delete(target, id)
    this.#print(`delete ${target.entity.name} ${where(target)} ${id}`)
    return deleted
  }

  override async action(
    target: Target,
    action: string,
    body: JsonObject | undefined,
    params: Record<string, string>
  ): Promise<JsonValue> {
    const result = await super.action(target, action, body, params)
    if (mutates(target, action)) {
      this.#print(`${action} ${target.entity.name} ${where(target)}${named(target, body)}`)
    }
    return result
  }
}
