import { AmshError, toAmshError } from '../errors.ts'
import { fingerprint, redact } from '../journal/images.ts'
import type { Intent, Journal, Pending } from '../journal/journal.ts'
import { isJsonObject, type JsonObject, type JsonValue } from '../json.ts'
import { ForwardingTransport, mutates } from './forwarding.ts'
import type { Target, Transport, WriteOptions } from './types.ts'

// Records every change sent through it in the journal, under the place it goes to: the item as
// it was is read and written down before the change is sent (write-ahead), and once the change
// answers, a fingerprint of what it left. A change refused is withdrawn from the journal (it
// changed nothing); one whose outcome is unknown (the server did not answer) stays, for undo to
// judge by what it finds.
//
// Where the transport can hold a change in a transaction (the local store), the answer is
// journaled before the change commits: a run killed in between leaves a journal that names even
// an id the store made up, and the change rolled back, which undo finds as it was. Over REST a
// create killed in flight leaves an entry without the id the server made; undo says so, and
// how to find the item by its name.

/** What a verb sees of the journal of the transport it runs on. */
export interface JournalPlace {
  readonly journal: Journal
  /** Where changes go: `local /path/store.db`, or a server's URL. */
  readonly where: string
  /** The batch the run's changes here went to; undefined while it has changed nothing here. */
  currentBatch(): number | undefined
}

/** A refusal proves nothing was changed; a lost answer proves nothing either way. */
function outcomeUnknown(err: unknown): boolean {
  const code = toAmshError(err).code
  return code === 'E_TRANSPORT' || code === 'E_INTERRUPTED' || code === 'E_INTERNAL'
}

export class JournalingTransport extends ForwardingTransport implements JournalPlace {
  readonly journal: Journal
  readonly where: string

  constructor(inner: Transport, journal: Journal, where: string) {
    super(inner)
    this.journal = journal
    this.where = where
  }

  currentBatch(): number | undefined {
    return this.journal.batchOf(this.where)
  }

  override create(target: Target, body: JsonObject, id?: string): Promise<JsonObject> {
    if (!this.journal.recording) return super.create(target, body, id)
    const { idField, nameField } = target.entity
    const name = nameField ? body[nameField] : undefined
    const pending = this.#intend(target, {
      op: 'create',
      id,
      name: typeof name === 'string' ? name : undefined,
      before: null,
    })
    return this.#settle(
      pending,
      () => super.create(target, body, id),
      (created) => ({
        after: created,
        id: typeof created[idField] === 'string' ? created[idField] : undefined,
      })
    )
  }

  override async update(
    target: Target,
    id: string,
    body: JsonObject,
    options?: WriteOptions
  ): Promise<JsonObject> {
    if (!this.journal.recording) return super.update(target, id, body, options)
    const pending = this.#intend(target, { op: 'update', id, ...(await this.#before(target, id)) })
    return this.#settle(
      pending,
      () => super.update(target, id, body, options),
      (updated) => ({
        after: updated,
      })
    )
  }

  override async delete(target: Target, id: string): Promise<JsonObject> {
    if (!this.journal.recording) return super.delete(target, id)
    const pending = this.#intend(target, { op: 'delete', id, ...(await this.#before(target, id)) })
    return this.#settle(
      pending,
      () => super.delete(target, id),
      () => ({ after: null })
    )
  }

  override action(
    target: Target,
    action: string,
    body: JsonObject | undefined,
    params: Record<string, string>
  ): Promise<JsonValue> {
    if (!this.journal.recording || !mutates(target, action)) {
      return super.action(target, action, body, params)
    }
    // A mutating action makes an item (createGlobal): the id it was given, or the one its answer
    // names. An action that changed an existing item would need its before-image, and none does.
    const idField = target.entity.idField
    const given = body?.[idField]
    const pending = this.#intend(target, {
      op: 'action',
      action,
      id: typeof given === 'string' ? given : undefined,
      before: null,
    })
    return this.#settle(
      pending,
      () => super.action(target, action, body, params),
      (result) => {
        const made = isJsonObject(result) ? result[idField] : undefined
        return {
          after: isJsonObject(result) ? result : null,
          id: typeof made === 'string' ? made : undefined,
        }
      }
    )
  }

  /** The item as it is now, secrets redacted; null when there is none. */
  async #before(target: Target, id: string): Promise<Pick<Intent, 'before' | 'beforeKnown'>> {
    if (!target.entity.scopes[target.scope.kind]?.read) return { before: null, beforeKnown: false }
    try {
      return { before: redact(await this.inner.read(target, id)) as JsonObject }
    } catch (err) {
      if (toAmshError(err).code === 'E_NOT_FOUND') return { before: null }
      throw err
    }
  }

  #intend(target: Target, intent: Omit<Intent, 'entity' | 'scope'>): Pending {
    try {
      return this.journal.intend(this.where, {
        ...intent,
        entity: target.entity.name,
        scope: target.scope,
      })
    } catch (err) {
      const error = toAmshError(err)
      throw new AmshError(
        error.code,
        `${error.message}; the change was not sent, as it could not be journaled`,
        { cause: err }
      )
    }
  }

  async #settle<T extends JsonValue>(
    pending: Pending,
    change: () => Promise<T>,
    left: (answer: T) => { after: JsonValue | null; id?: string }
  ): Promise<T> {
    let settled = false
    const send = async () => {
      let answer: T
      try {
        answer = await change()
      } catch (err) {
        settled = true
        // Were the withdrawal to fail too, the entry stays: undo finds the item as it was.
        if (!outcomeUnknown(err)) {
          try {
            this.journal.withdraw(pending)
          } catch {
            // the change's own error is the one to report
          }
        }
        throw err
      }
      settled = true
      const { after, id } = left(answer)
      this.journal.answered(pending, fingerprint(after), id)
      return answer
    }
    const atomic = this.inner.atomic?.bind(this.inner)
    if (!atomic) return send()
    let answer: T | undefined
    try {
      await atomic(async () => {
        answer = await send()
        return true
      })
    } catch (err) {
      // The transaction itself failed (a read-only store): the change was never made.
      if (!settled && !outcomeUnknown(err)) this.journal.withdraw(pending)
      throw err
    }
    return answer as T
  }
}
