import { AmshError } from '../errors.ts'
import type { JsonObject, JsonValue } from '../json.ts'
import { ForwardingTransport, mutates } from './forwarding.ts'
import type { JsonPatchOperation, Target, Transport, WriteOptions } from './types.ts'

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

export class GuardedTransport extends ForwardingTransport {
  readonly #policy: GuardPolicy

  constructor(inner: Transport, policy: GuardPolicy) {
    super(inner)
    this.#policy = policy
  }

  override async create(target: Target, body: JsonObject, id?: string): Promise<JsonObject> {
    await this.#allow(`create ${target.entity.name} ${where(target)}`)
    return super.create(target, body, id)
  }

  override async update(
    target: Target,
    id: string,
    body: JsonObject,
    options?: WriteOptions
  ): Promise<JsonObject> {
    await this.#allow(`update ${target.entity.name} ${id} ${where(target)}`)
    return super.update(target, id, body, options)
  }

  protected override async patchThrough(
    target: Target,
    id: string,
    operations: JsonPatchOperation[]
  ): Promise<JsonObject> {
    await this.#allow(`update ${target.entity.name} ${id} ${where(target)}`)
    return super.patchThrough(target, id, operations)
  }

  override async delete(target: Target, id: string): Promise<JsonObject> {
    await this.#allow(`delete ${target.entity.name} ${id} ${where(target)}`)
    return super.delete(target, id)
  }

  override async action(
    target: Target,
    action: string,
    body: JsonObject | undefined,
    params: Record<string, string>
  ): Promise<JsonValue> {
    if (mutates(target, action)) {
      await this.#allow(`action ${target.entity.name} ${action} ${where(target)}`)
    }
    return super.action(target, action, body, params)
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
