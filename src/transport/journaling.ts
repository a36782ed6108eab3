import { AmshError, toAmshError } from '../errors.ts'
import { fingerprint, redact } from '../journal/images.ts'
import type { Intent, Journal, Pending } from '../journal/journal.ts'
import { isJsonObject, type JsonObject, type JsonValue } from '../json.ts'
import { ForwardingTransport, mutates } from './forwarding.ts'
import type { JsonPatchOperation, Target, Transport, WriteOptions } from './types.ts'

// Records every change sent through it in the journal, under the place it goes to, with the item
// as it was before and a fingerprint of what the change left (so undo can tell an item changed
// since by someone else from one the batch left).
//
// Where the transport holds a change in a transaction (the local store), the change, its
// before-image and its entry are one step: the entry is written after the change and before it
// commits, so a run killed in between leaves an entry for a change that was rolled back, which
// undo finds as it was. Elsewhere (a server) the entry is written ahead of the change and
// completed when it answers: a change refused is withdrawn (it changed nothing), one whose
// answer never came stays, for undo to judge by what it finds.

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

function text(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined
}

/** A change to journal: what it is, and how to send it. */
interface Change<T extends JsonValue> {
  target: Target
  intent: Omit<Intent, 'entity' | 'scope' | 'before'>
  /** Whether the item exists before (update, delete): its before-image is read first. */
  readsBefore: boolean
  send(): Promise<T>
  /** What the answer says the change left, and the id it names. */
  left(answer: T): { after: JsonValue | null; id?: string }
}

export class JournalingTransport extends ForwardingTransport implements JournalPlace {
  readonly journal: Journal
  readonly where: string
  /** The inner transport's, where it has one: what it holds, it holds with the entries. */
  readonly atomic?: Transport['atomic']

  constructor(inner: Transport, journal: Journal, where: string) {
    super(inner)
    this.journal = journal
    this.where = where
    if (inner.atomic) this.atomic = inner.atomic.bind(inner)
  }

  currentBatch(): number | undefined {
    return this.journal.batchOf(this.where)
  }

  override create(target: Target, body: JsonObject, id?: string): Promise<JsonObject> {
    if (!this.journal.recording) return super.create(target, body, id)
    const { idField, nameField } = target.entity
    return this.#journaled({
      target,
      intent: { op: 'create', id, name: nameField ? text(body[nameField]) : undefined },
      readsBefore: false,
      send: () => super.create(target, body, id),
      left: (created) => ({ after: created, id: text(created[idField]) }),
    })
  }

  override update(
    target: Target,
    id: string,
    body: JsonObject,
    options?: WriteOptions
  ): Promise<JsonObject> {
    if (!this.journal.recording) return super.update(target, id, body, options)
    return this.#journaled({
      target,
      intent: { op: 'update', id },
      readsBefore: true,
      send: () => super.update(target, id, body, options),
      left: (updated) => ({ after: updated }),
    })
  }

  /** A patch is journaled as the update it is: the item before, and what the patch left. */
  protected override patchThrough(
    target: Target,
    id: string,
    operations: JsonPatchOperation[]
  ): Promise<JsonObject> {
    if (!this.journal.recording) return super.patchThrough(target, id, operations)
    return this.#journaled({
      target,
      intent: { op: 'update', id },
      readsBefore: true,
      send: () => super.patchThrough(target, id, operations),
      left: (updated) => ({ after: updated }),
    })
  }

  override delete(target: Target, id: string): Promise<JsonObject> {
    if (!this.journal.recording) return super.delete(target, id)
    return this.#journaled({
      target,
      intent: { op: 'delete', id },
      readsBefore: true,
      send: () => super.delete(target, id),
      left: () => ({ after: null }),
    })
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
    // names. An action that changed an existing item would need its before-image; none does.
    const { idField, nameField } = target.entity
    return this.#journaled({
      target,
      intent: {
        op: 'action',
        action,
        id: text(body?.[idField]),
        name: nameField ? text(body?.[nameField]) : undefined,
      },
      readsBefore: false,
      send: () => super.action(target, action, body, params),
      left: (result) =>
        isJsonObject(result) ? { after: result, id: text(result[idField]) } : { after: null },
    })
  }

  #journaled<T extends JsonValue>(change: Change<T>): Promise<T> {
    return this.inner.atomic ? this.#held(change, this.inner.atomic) : this.#aheadOf(change)
  }

  /** One transaction: the item as it was, the change, its entry; then the commit. */
  async #held<T extends JsonValue>(
    change: Change<T>,
    atomic: NonNullable<Transport['atomic']>
  ): Promise<T> {
    let answer: T | undefined
    await atomic.call(this.inner, async () => {
      const before = await this.#before(change)
      answer = await change.send()
      const left = change.left(answer)
      const intent = this.#intent(change, before, left.id)
      try {
        this.journal.record(this.where, intent, fingerprint(left.after))
      } catch (err) {
        throw unjournaled(err, 'made')
      }
      return true
    })
    return answer as T
  }

  /** The entry first, then the change, then its answer in the entry. */
  async #aheadOf<T extends JsonValue>(change: Change<T>): Promise<T> {
    const before = await this.#before(change)
    let pending: Pending
    try {
      pending = this.journal.intend(this.where, this.#intent(change, before, undefined))
    } catch (err) {
      throw unjournaled(err, 'sent')
    }
    let answer: T
    try {
      answer = await change.send()
    } catch (err) {
      if (!outcomeUnknown(err)) {
        try {
          this.journal.withdraw(pending)
        } catch {
          // The entry stays: undo finds the item as it was. The change's error is the one to tell.
        }
      }
      throw err
    }
    const { after, id } = change.left(answer)
    this.journal.answered(
      pending,
      fingerprint(after),
      change.intent.id === undefined ? id : undefined
    )
    return answer
  }

  #intent<T extends JsonValue>(
    change: Change<T>,
    before: Pick<Intent, 'before' | 'beforeKnown'>,
    id: string | undefined
  ): Intent {
    const { target, intent } = change
    // Field by field: spreading objects of several shapes was a tenth of the journal's time.
    return {
      entity: target.entity.name,
      scope: target.scope,
      id: intent.id ?? id,
      op: intent.op,
      action: intent.action,
      name: intent.name,
      before: before.before,
      beforeKnown: before.beforeKnown,
    }
  }

  /** The item as it is now, secrets redacted; null when there is none. */
  async #before<T extends JsonValue>(
    change: Change<T>
  ): Promise<Pick<Intent, 'before' | 'beforeKnown'>> {
    const { target, intent, readsBefore } = change
    if (!readsBefore || intent.id === undefined) return { before: null }
    if (!target.entity.scopes[target.scope.kind]?.read) return { before: null, beforeKnown: false }
    try {
      return { before: redact(await this.inner.read(target, intent.id)) as JsonObject }
    } catch (err) {
      if (toAmshError(err).code === 'E_NOT_FOUND') return { before: null }
      throw err
    }
  }
}

function unjournaled(err: unknown, what: 'made' | 'sent'): AmshError {
  const error = toAmshError(err)
  return new AmshError(
    error.code,
    `${error.message}; the change was not ${what}, as it could not be journaled`,
    { cause: err }
  )
}
