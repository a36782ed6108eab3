import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import { getEntity } from '../src/catalog/catalog.ts'
import { AmshError, type ErrorCode } from '../src/errors.ts'
import type { JsonObject } from '../src/json.ts'
import type { Target, Transport } from '../src/transport/types.ts'
import { realmBody } from './helpers.ts'
import { scriptBody } from './transport-contract.ts'

// The generic CRUD contract of the Transport interface: what any transport does with any
// collection or singleton of the catalog, whatever its kind. Each transport runs it (test files
// *-contract.test.ts); what one deliberately does not do is declared in `skip`, with a reason
// (hono's runTest). AM Scripts semantics are the behaviour suite in transport-contract.ts.

export interface CrudSubject {
  transport: Transport
  dispose(): Promise<void> | void
}

export interface Skip {
  reason: string
  tests: string[]
}

/** A collection of the catalog, with bodies the tests can make of it. */
interface Collection {
  target: Target
  body(n: number): JsonObject
  /** The same item, changed in a field that reads back. */
  changed(body: JsonObject): JsonObject
  field: string
  /** Whether a create may name its id (a realm's id is its path). */
  choosesId: boolean
  /** Whether items carry a `_rev` a write may be conditioned on (Janssen's have none). */
  revisions: boolean
}

const COLLECTIONS: Collection[] = [
  {
    target: { entity: getEntity('Scripts'), scope: { kind: 'realm', realm: '/' } },
    body: (n) => scriptBody(`Contract ${n}`),
    changed: (body) => ({ ...body, description: 'changed' }),
    field: 'description',
    choosesId: true,
    revisions: true,
  },
  {
    target: { entity: getEntity('Realms'), scope: { kind: 'global' } },
    body: (n) => realmBody(`/contract${n}`),
    changed: (body) => ({ ...body, active: false }),
    field: 'active',
    choosesId: false,
    revisions: true,
  },
  {
    target: { entity: getEntity('CustomScripts'), scope: { kind: 'global' } },
    body: (n) => ({
      name: `contract_${n}`,
      description: `contract ${n}`,
      scriptType: 'person_authentication',
      programmingLanguage: 'python',
      script: 'x = 1\n',
    }),
    changed: (body) => ({ ...body, description: 'changed' }),
    field: 'description',
    choosesId: true,
    revisions: false,
  },
]

const SINGLETON: Target = {
  entity: getEntity('DefaultAdvancedProperties'),
  scope: { kind: 'global' },
}

async function rejects(promise: Promise<unknown>, code: ErrorCode) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof AmshError, `expected an AmshError, got ${String(err)}`)
    assert.equal(err.code, code, err.message)
    return true
  })
}

export function runCrudContract(options: {
  name: string
  open: () => Promise<CrudSubject>
  /** The entities the transport's server has (default: all of the suite's). */
  entities?: string[]
  /** Whether it has the suite's singleton (AM's DefaultAdvancedProperties). */
  singleton?: boolean
  skip?: Skip[]
}): void {
  const skipped = new Map<string, string>()
  for (const { reason, tests } of options.skip ?? []) {
    for (const name of tests) skipped.set(name, reason)
  }
  const it = (name: string, fn: () => Promise<void>) => {
    const reason = skipped.get(name)
    return reason === undefined ? test(name, fn) : test(name, { skip: reason }, fn)
  }

  describe(`CRUD contract: ${options.name}`, () => {
    let subject: CrudSubject
    let t: Transport
    beforeEach(async () => {
      subject = await options.open()
      t = subject.transport
    })
    afterEach(() => subject.dispose())

    const collections = COLLECTIONS.filter(
      (c) => options.entities?.includes(c.target.entity.name) ?? true
    )
    for (const c of collections) {
      const { entity } = c.target
      const id = (item: JsonObject) => String(item[entity.idField])

      describe(`a collection (${entity.name}, kind ${entity.kind})`, () => {
        it(`${entity.name}: create, read, update, delete`, async () => {
          const created = await t.create(c.target, c.body(1))
          assert.equal(typeof created[entity.idField], 'string')
          if (c.revisions) {
            assert.equal(typeof created._rev, 'string', 'a create answers with its revision')
          }
          const read = await t.read(c.target, id(created))
          assert.equal(read[entity.idField], created[entity.idField])
          await t.update(c.target, id(created), c.changed(c.body(1)))
          assert.deepEqual(
            (await t.read(c.target, id(created)))[c.field],
            c.changed(c.body(1))[c.field]
          )
          const deleted = await t.delete(c.target, id(created))
          assert.equal(deleted[entity.idField], created[entity.idField])
          await rejects(t.read(c.target, id(created)), 'E_NOT_FOUND')
        })

        it(`${entity.name}: what is not there is E_NOT_FOUND`, async () => {
          await rejects(t.read(c.target, 'bm90LXRoZXJl'), 'E_NOT_FOUND')
          await rejects(t.update(c.target, 'bm90LXRoZXJl', c.body(2)), 'E_NOT_FOUND')
          await rejects(t.delete(c.target, 'bm90LXRoZXJl'), 'E_NOT_FOUND')
        })

        if (c.choosesId) {
          it(`${entity.name}: a chosen id is kept, and taken only once`, async () => {
            const created = await t.create(c.target, c.body(3), 'chosen-id')
            assert.equal(created[entity.idField], 'chosen-id')
            await rejects(t.create(c.target, c.body(4), 'chosen-id'), 'E_EXISTS')
          })
        }

        if (c.revisions)
          it(`${entity.name}: a write naming a stale revision is E_STALE; the current one is taken`, async () => {
            const created = await t.create(c.target, c.body(5))
            await rejects(
              t.update(c.target, id(created), c.changed(c.body(5)), { rev: 'stale' }),
              'E_STALE'
            )
            await t.update(c.target, id(created), c.changed(c.body(5)), {
              rev: String(created._rev),
            })
          })

        it(`${entity.name}: query pages, and keeps the id whatever fields are asked for`, async () => {
          const mine = [6, 7, 8].map((n) => c.body(n))
          for (const body of mine) await t.create(c.target, body)
          const all = await t.query(c.target, { filter: 'true' })
          assert.equal(all.resultCount, all.result.length)
          const page = await t.query(c.target, { filter: 'true', pageSize: 2 })
          assert.equal(page.result.length, 2)
          assert.equal(page.remainingPagedResults, all.resultCount - 2)
          const rest = await t.query(c.target, {
            filter: 'true',
            pageSize: 2,
            pagedResultsOffset: all.resultCount - 1,
          })
          assert.equal(rest.result.length, 1)
          const slim = await t.query(c.target, { filter: 'true', fields: [c.field] })
          for (const item of slim.result) {
            assert.deepEqual(Object.keys(item).sort(), [entity.idField, c.field].sort())
          }
        })
      })
    }

    if (options.singleton !== false)
      describe(`a singleton (${SINGLETON.entity.name}, kind ${SINGLETON.entity.kind})`, () => {
        it('a singleton reads and updates without an id', async () => {
          const before = await t.read(SINGLETON, '')
          assert.equal(before._id, SINGLETON.entity.singletonId)
          await t.update(SINGLETON, '', { 'com.example.contract': 'yes' })
          assert.equal((await t.read(SINGLETON, ''))['com.example.contract'], 'yes')
        })
      })

    it('what the catalog does not offer is E_UNSUPPORTED, before anything is sent', async () => {
      const { target } = collections[0]!
      const offered = options.singleton === false ? target : SINGLETON
      if (options.singleton !== false) {
        await rejects(t.create(SINGLETON, {}), 'E_UNSUPPORTED')
        await rejects(t.delete(SINGLETON, ''), 'E_UNSUPPORTED')
      }
      await rejects(t.action(offered, 'nope', {}, {}), 'E_UNSUPPORTED')
    })

    it('atomic: the writes of work that fails are not kept', async () => {
      assert.ok(t.atomic, 'the transport offers atomic()')
      const { target, body } = COLLECTIONS[0]!
      const kept = await t.atomic(async () => {
        await t.create(target, body(9), 'undone')
        return false
      })
      assert.equal(kept, false)
      await rejects(t.read(target, 'undone'), 'E_NOT_FOUND')
    })
  })
}
