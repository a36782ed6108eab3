import { AmshError } from '../errors.ts'
import type { JsonObject, JsonValue } from '../json.ts'
import type { QueryParams, QueryResult, Target, Transport } from './types.ts'

// A connection profile's safety catch around a transport: a read-only profile refuses every
// change before it is sent; a confirming one asks before each change, and refuses when nobody
// can answer.

export interface GuardPolicy {
  /** The profile the policy comes from, for messages. */
  profile: string
  readOnly: boolean
  confirmWrites: boolean
  /** How to ask a yes/no question now; undefined when there is no terminal to ask on. */
  confirm(): ((question: string) => Promise<boolean>) | undefined
}

function where(target: Target): string {
  return target.scope.kind === 'global' ? 'globally' : `in realm ${target.scope.realm}`
}

export class GuardedTransport implements Transport {
  readonly kind
  readonly #inner: Transport
  readonly #policy: GuardPolicy

  constructor(inner: Transport, policy: GuardPolicy) {
    this.kind = inner.kind
    this.#inner = inner
    this.#policy = policy
  }

  async create(target: Target, body: JsonObject, id?: string): Promise<JsonObject> {
    await this.#allow(`create ${target.entity.name} ${where(target)}`)
    return this.#inner.create(target, body, id)
  }

  read(target: Target, id: string): Promise<JsonObject> {
    return this.#inner.read(target, id)
  }

  async update(target: Target, id: string, body: JsonObject): Promise<JsonObject> {
    await this.#allow(`update ${target.entity.name} ${id} ${where(target)}`)
    return this.#inner.update(target, id, body)
  }

  async delete(target: Target, id: string): Promise<JsonObject> {
    await this.#allow(`delete ${target.entity.name} ${id} ${where(target)}`)
    return this.#inner.delete(target, id)
  }

  query(target: Target, params: QueryParams): Promise<QueryResult> {
    return this.#inner.query(target, params)
  }

  async action(
    target: Target,
    action: string,
    body: JsonObject | undefined,
    params: Record<string, string>
  ): Promise<JsonValue> {
    const mutates = target.entity.scopes[target.scope.kind]?.actions?.[action]?.mutates === true
    if (mutates) await this.#allow(`action ${target.entity.name} ${action} ${where(target)}`)
    return this.#inner.action(target, action, body, params)
  }

  close(): void {
    this.#inner.close()
  }

  async #allow(change: string): Promise<void> {
    const { profile, readOnly, confirmWrites, confirm } = this.#policy
    if (readOnly) {
      throw new AmshError(
        'E_FORBIDDEN',
        `${change}: profile ${profile} is read-only (readOnly: true); nothing was sent`
      )
    }
    if (!confirmWrites) return
    const asker = confirm()
    if (!asker) {
      throw new AmshError(
        'E_FORBIDDEN',
        `${change}: profile ${profile} asks to confirm each change (confirmWrites: true), and there is no terminal to ask on`
      )
    }
    if (!(await asker(`${change} on ${profile}? [y/N] `))) {
      throw new AmshError('E_FORBIDDEN', `${change}: not confirmed; nothing was sent`)
    }
  }
}
