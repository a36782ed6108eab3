import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import { getEntity } from '../src/catalog/catalog.ts'
import { AmshError, type ErrorCode } from '../src/errors.ts'
import { realmBody } from './helpers.ts'
import type { JsonObject } from '../src/json.ts'
import type { Scope, Target, Transport } from '../src/transport/types.ts'

// The one suite every transport must pass: the local store directly, and (later issues) the
// same store behind `amsh serve` over HTTP, and the REST transport talking to it. It speaks only
// through the Transport interface, and checks AM's semantics and AM's messages.

export interface ContractSubject {
  transport: Transport
  /** Clean up after a test (close, delete files...). */
  dispose(): Promise<void> | void
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64')

export function scriptBody(name: string, extra: JsonObject = {}): JsonObject {
  return {
    name,
    description: `about ${name}`,
    script: b64(`var greeting = "${name}";\n`),
    language: 'JAVASCRIPT',
    context: 'AUTHENTICATION_TREE_DECISION_NODE',
    ...extra,
  }
}

async function rejects(promise: Promise<unknown>, code: ErrorCode, message?: string | RegExp) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof AmshError, `expected an AmshError, got ${String(err)}`)
    assert.equal(err.code, code, err.message)
    if (typeof message === 'string') assert.equal(err.message, message)
    else if (message) assert.match(err.message, message)
    return true
  })
}

export function runTransportContract(name: string, open: () => Promise<ContractSubject>): void {
  describe(`Transport contract: ${name}`, () => {
    let subject: ContractSubject
    let t: Transport
    const scripts = getEntity('Scripts')
    const realms = getEntity('Realms')
    const at = (realm: string): Target => ({ entity: scripts, scope: { kind: 'realm', realm } })
    const root = at('/')
    const alpha = at('/alpha')
    const allRealms: Target = { entity: realms, scope: { kind: 'global' } as Scope }

    /** The realms the tests write into, made first: a realm must exist before it holds anything. */
    const REALMS = ['/alpha', '/beta', '/deep', '/deep/er', '/x', '/x/y']

    beforeEach(async () => {
      subject = await open()
      t = subject.transport
      for (const realm of REALMS) await t.create(allRealms, realmBody(realm))
    })
    afterEach(async () => {
      await subject.dispose()
    })

    const userScripts = async (target: Target, filter = 'default eq false') =>
      (await t.query(target, { filter })).result

    describe('create', () => {
      test('mints a UUID, stamps the creation fields, answers with _rev after _id', async () => {
        const before = Date.now()
        const created = await t.create(root, scriptBody('Check user'))
        assert.match(
          String(created._id),
          /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
        )
        assert.deepEqual(Object.keys(created).slice(0, 2), ['_id', '_rev'])
        assert.match(String(created._rev), /^-?\d+$/)
        assert.equal(created.name, 'Check user')
        assert.equal(created.script, b64('var greeting = "Check user";\n'))
        assert.equal(created.default, false)
        assert.equal(created.evaluatorVersion, '1.0')
        assert.equal(typeof created.createdBy, 'string')
        assert.ok((created.creationDate as number) >= before)
        assert.equal(created.lastModifiedDate, created.creationDate)
        assert.equal(created.lastModifiedBy, created.createdBy)
      })

      test('keeps an id the client chooses, even one that is not a UUID', async () => {
        const created = await t.create(alpha, scriptBody('Named'), 'my-script-007')
        assert.equal(created._id, 'my-script-007')
        assert.equal((await t.read(alpha, 'my-script-007')).name, 'Named')
      })

      test('an id already in use fails with AM 412 text', async () => {
        await t.create(alpha, scriptBody('One'), 'dup')
        await rejects(
          t.create(alpha, scriptBody('Two'), 'dup'),
          'E_EXISTS',
          'Script with UUID dup already exist in realm /alpha'
        )
      })

      test('server-owned fields in the body are ignored', async () => {
        const created = await t.create(
          root,
          scriptBody('Owned', { default: true, createdBy: 'me', creationDate: 5, _rev: 'x' })
        )
        assert.equal(created.default, false)
        assert.notEqual(created.createdBy, 'me')
        assert.notEqual(created.creationDate, 5)
      })

      test('normalises language and context to upper case', async () => {
        const created = await t.create(
          root,
          scriptBody('Lower', { language: 'groovy', context: 'policy_condition' })
        )
        assert.equal(created.language, 'GROOVY')
        assert.equal(created.context, 'POLICY_CONDITION')
      })

      test('LIBRARY scripts are evaluator version 2.0', async () => {
        const created = await t.create(root, scriptBody('Lib', { context: 'LIBRARY' }))
        assert.equal(created.evaluatorVersion, '2.0')
      })

      test('an explicit evaluator version is kept', async () => {
        const created = await t.create(root, scriptBody('NextGen', { evaluatorVersion: '2.0' }))
        assert.equal(created.evaluatorVersion, '2.0')
      })

      test('a next-generation alias context is stored as its legacy context with version 2.0', async () => {
        const created = await t.create(
          root,
          scriptBody('Next', { context: 'SCRIPTED_DECISION_NODE' })
        )
        assert.equal(created.context, 'AUTHENTICATION_TREE_DECISION_NODE')
        assert.equal(created.evaluatorVersion, '2.0')
        await rejects(
          t.create(
            root,
            scriptBody('Next1', { context: 'SCRIPTED_DECISION_NODE', evaluatorVersion: '1.0' })
          ),
          'E_INVALID',
          /evaluator version 2.0 only/
        )
      })

      test('an empty script is accepted', async () => {
        const created = await t.create(root, scriptBody('Empty', { script: '' }))
        assert.equal(created.script, '')
      })

      const missing: [string, string][] = [
        ['name', 'Script name must be specified'],
        ['script', 'A script must be specified'],
        ['language', 'Scripting language must be specified'],
        ['context', 'Script type must be specified'],
      ]
      for (const [field, message] of missing) {
        test(`a missing ${field} fails with AM's message`, async () => {
          const body = scriptBody('Incomplete')
          delete body[field]
          await rejects(t.create(root, body), 'E_INVALID', message)
        })
      }

      test('unknown context, unknown language, bad base64: AM messages', async () => {
        await rejects(
          t.create(root, scriptBody('C', { context: 'NOT_A_CONTEXT' })),
          'E_INVALID',
          'Script type not recognised: NOT_A_CONTEXT'
        )
        await rejects(
          t.create(root, scriptBody('L', { language: 'FOO' })),
          'E_INVALID',
          'Scripting language not supported: FOO'
        )
        await rejects(
          t.create(root, scriptBody('B', { script: 'not base64!' })),
          'E_INVALID',
          'Failed to decode UTF-8 encoded script'
        )
        await rejects(
          t.create(root, scriptBody('U', { script: Buffer.from([0xff, 0xfe]).toString('base64') })),
          'E_INVALID',
          'Failed to decode UTF-8 encoded script'
        )
      })

      test('a language the context does not take, an evaluator version it does not allow', async () => {
        await rejects(
          t.create(root, scriptBody('G', { language: 'GROOVY', context: 'LIBRARY' })),
          'E_INVALID',
          /GROOVY is not supported for script type LIBRARY/
        )
        await rejects(
          t.create(root, scriptBody('V', { language: 'GROOVY', evaluatorVersion: '2.0' })),
          'E_INVALID',
          /Evaluator version 2.0 is not supported/
        )
      })

      test('body _id different from the requested id', async () => {
        await rejects(
          t.create(root, scriptBody('Mismatch', { _id: 'a' }), 'b'),
          'E_INVALID',
          'Script resource id and script JSON body id do not match'
        )
      })

      test('nothing is stored when a create fails', async () => {
        await rejects(t.create(alpha, scriptBody('Bad', { context: 'NOPE' })), 'E_INVALID')
        assert.deepEqual(await userScripts(alpha), [])
      })
    })

    describe('names', () => {
      test('are unique per realm, case-insensitively', async () => {
        await t.create(alpha, scriptBody('My Script'))
        await rejects(
          t.create(alpha, scriptBody('MY SCRIPT')),
          'E_CONFLICT',
          'Script with name MY SCRIPT already exist in realm /alpha'
        )
      })

      test('may repeat in another realm', async () => {
        await t.create(alpha, scriptBody('Shared'))
        const other = await t.create(at('/beta'), scriptBody('Shared'))
        assert.equal(other.name, 'Shared')
      })

      test('of global scripts are taken in every realm', async () => {
        await t.action(root, 'createGlobal', scriptBody('Everywhere', { context: 'LIBRARY' }), {})
        await rejects(
          t.create(alpha, scriptBody('everywhere')),
          'E_CONFLICT',
          'Script with name everywhere already exist in realm /alpha'
        )
      })

      test('a global script cannot take a name a realm uses', async () => {
        await t.create(at('/deep/er'), scriptBody('Local'))
        await rejects(
          t.action(root, 'createGlobal', scriptBody('LOCAL'), {}),
          'E_CONFLICT',
          'Script with name LOCAL already exist in realm /deep/er'
        )
      })

      test('an update may keep its own name but not take another one', async () => {
        const a = await t.create(root, scriptBody('A'))
        await t.create(root, scriptBody('B'))
        await t.update(root, String(a._id), scriptBody('a'))
        await rejects(
          t.update(root, String(a._id), scriptBody('b')),
          'E_CONFLICT',
          'Script with name b already exist in realm /'
        )
      })
    })

    describe('read', () => {
      test('returns what was created, without _rev', async () => {
        const created = await t.create(root, scriptBody('Readable'))
        const read = await t.read(root, String(created._id))
        const { _rev, ...rest } = created
        assert.deepEqual(read, rest)
        assert.ok(!('_rev' in read))
        assert.deepEqual(Object.keys(read), [
          '_id',
          'name',
          'description',
          'script',
          'default',
          'language',
          'context',
          'createdBy',
          'creationDate',
          'lastModifiedBy',
          'lastModifiedDate',
          'evaluatorVersion',
        ])
      })

      test('an unknown id, also in a realm never written, names the id and realm', async () => {
        await rejects(
          t.read(root, 'nope'),
          'E_NOT_FOUND',
          'Script with UUID nope could not be found in realm /'
        )
        await rejects(t.read(at('/never/made'), 'nope'), 'E_NOT_FOUND', 'Realm not found')
      })

      test('a script of one realm is not found in another', async () => {
        const created = await t.create(alpha, scriptBody('Mine'))
        await rejects(t.read(at('/beta'), String(created._id)), 'E_NOT_FOUND')
      })

      test('a global script is read through any realm', async () => {
        const created = (await t.action(
          root,
          'createGlobal',
          scriptBody('Global One'),
          {}
        )) as JsonObject
        assert.equal((await t.read(at('/x/y'), String(created._id))).name, 'Global One')
      })
    })

    describe('update', () => {
      test('replaces the body, keeps creation fields, stamps lastModified', async () => {
        const created = await t.create(root, scriptBody('Before'))
        await new Promise((r) => setTimeout(r, 5))
        const updated = await t.update(
          root,
          String(created._id),
          scriptBody('After', { description: 'new', createdBy: 'x', creationDate: 1 })
        )
        assert.equal(updated.name, 'After')
        assert.equal(updated.description, 'new')
        assert.equal(updated.createdBy, created.createdBy)
        assert.equal(updated.creationDate, created.creationDate)
        assert.ok((updated.lastModifiedDate as number) > (created.lastModifiedDate as number))
        assert.ok(!('_rev' in updated))
        assert.deepEqual(await t.read(root, String(created._id)), updated)
      })

      test('cannot change the evaluator version', async () => {
        const created = await t.create(root, scriptBody('Fixed'))
        await rejects(
          t.update(root, String(created._id), scriptBody('Fixed', { evaluatorVersion: '2.0' })),
          'E_INVALID',
          /cannot be changed after it is created \(it is 1.0/
        )
        const same = await t.update(
          root,
          String(created._id),
          scriptBody('Fixed', { evaluatorVersion: '1.0' })
        )
        assert.equal(same.evaluatorVersion, '1.0')
      })

      test('unknown id and id mismatch', async () => {
        await rejects(
          t.update(alpha, 'ghost', scriptBody('G')),
          'E_NOT_FOUND',
          'Script with UUID ghost could not be found in realm /alpha'
        )
        const created = await t.create(root, scriptBody('Id'))
        await rejects(
          t.update(root, String(created._id), scriptBody('Id', { _id: 'other' })),
          'E_INVALID',
          'Script resource id and script JSON body id do not match'
        )
      })

      test('checks the body as create does', async () => {
        const created = await t.create(root, scriptBody('Strict'))
        await rejects(
          t.update(root, String(created._id), scriptBody('Strict', { context: 'NOPE' })),
          'E_INVALID',
          'Script type not recognised: NOPE'
        )
      })
    })

    describe('delete', () => {
      test('answers with the id, and the script is gone', async () => {
        const created = await t.create(alpha, scriptBody('Doomed'))
        assert.deepEqual(await t.delete(alpha, String(created._id)), { _id: created._id })
        await rejects(t.read(alpha, String(created._id)), 'E_NOT_FOUND')
        await rejects(
          t.delete(alpha, String(created._id)),
          'E_NOT_FOUND',
          `Script with UUID ${String(created._id)} could not be found in realm /alpha`
        )
      })

      test('default scripts cannot be deleted', async () => {
        const defaults = await t.query(root, { filter: 'default eq true' })
        assert.ok(defaults.resultCount > 0, 'the store has default scripts')
        const first = defaults.result[0]!
        await rejects(
          t.delete(alpha, String(first._id)),
          'E_FORBIDDEN',
          `Default script ${String(first.name)} cannot be deleted`
        )
      })
    })

    describe('query', () => {
      async function seed() {
        await t.create(alpha, scriptBody('Auth One', { language: 'GROOVY' }))
        await t.create(alpha, scriptBody('Auth Two'))
        await t.create(alpha, scriptBody('Other'))
        await t.create(at('/beta'), scriptBody('Auth Beta'))
      }
      const names = (result: JsonObject[]) => result.map((s) => s.name).sort()

      test('filters within the realm, with the global scripts', async () => {
        await seed()
        const found = await t.query(alpha, {
          filter: 'name sw "Auth" and language eq "JAVASCRIPT" and default eq false',
        })
        assert.deepEqual(names(found.result), ['Auth Two'])
        const all = await t.query(alpha, { filter: 'true' })
        const defaults = await t.query(alpha, { filter: 'default eq true' })
        assert.equal(all.resultCount, 3 + defaults.resultCount)
      })

      test('the whole grammar: or, not, parentheses, pr, co, single quotes', async () => {
        await seed()
        const found = await t.query(alpha, {
          filter:
            'default eq false and (name co \'Two\' or !(language eq "JAVASCRIPT")) and description pr',
        })
        assert.deepEqual(names(found.result), ['Auth One', 'Auth Two'])
        assert.deepEqual((await t.query(alpha, { filter: 'false' })).result, [])
      })

      test('the envelope, unpaged and paged', async () => {
        await seed()
        const unpaged = await t.query(alpha, { filter: 'default eq false' })
        assert.deepEqual(Object.keys(unpaged), [
          'result',
          'resultCount',
          'pagedResultsCookie',
          'totalPagedResultsPolicy',
          'totalPagedResults',
          'remainingPagedResults',
        ])
        assert.deepEqual(
          { ...unpaged, result: [] },
          {
            result: [],
            resultCount: 3,
            pagedResultsCookie: null,
            totalPagedResultsPolicy: 'NONE',
            totalPagedResults: -1,
            remainingPagedResults: 0,
          }
        )
        const page = await t.query(alpha, {
          filter: 'default eq false',
          sortKeys: ['name'],
          pageSize: 2,
          pagedResultsOffset: 1,
        })
        assert.deepEqual(
          page.result.map((s) => s.name),
          ['Auth Two', 'Other']
        )
        assert.equal(page.remainingPagedResults, 0)
        const first = await t.query(alpha, {
          filter: 'default eq false',
          sortKeys: ['name'],
          pageSize: 1,
        })
        assert.deepEqual(
          first.result.map((s) => s.name),
          ['Auth One']
        )
        assert.equal(first.remainingPagedResults, 2)
      })

      test('pages followed by their cookies, each starting where the last ended', async () => {
        await seed()
        const filter = 'default eq false'
        const first = await t.query(alpha, { filter, pageSize: 2 })
        assert.equal(first.result.length, 2)
        assert.equal(typeof first.pagedResultsCookie, 'string')
        const rest = await t.query(alpha, {
          filter,
          pageSize: 2,
          pagedResultsCookie: first.pagedResultsCookie!,
        })
        assert.equal(rest.pagedResultsCookie, null, 'the last page has no cookie')
        const all = (await t.query(alpha, { filter })).result.map((s) => s.name)
        assert.deepEqual(
          [...first.result, ...rest.result].map((s) => s.name),
          all
        )
        await assert.rejects(
          t.query(alpha, { filter, pageSize: 2, pagedResultsCookie: 'forged' }),
          /the paged results cookie "forged" is not one this store gave/
        )
      })

      test('sorts descending and projects fields', async () => {
        await seed()
        const found = await t.query(alpha, {
          filter: 'default eq false',
          sortKeys: ['-name'],
          fields: ['name', 'language'],
        })
        assert.deepEqual(
          found.result.map((s) => Object.keys(s)),
          [
            ['_id', 'name', 'language'],
            ['_id', 'name', 'language'],
            ['_id', 'name', 'language'],
          ]
        )
        assert.deepEqual(
          found.result.map((s) => s.name),
          ['Other', 'Auth Two', 'Auth One']
        )
      })

      test('by _id, and global eq true', async () => {
        const local = await t.create(alpha, scriptBody('Local'))
        const global = (await t.action(
          root,
          'createGlobal',
          scriptBody('Global', { context: 'LIBRARY' }),
          {}
        )) as JsonObject
        assert.deepEqual(
          names((await t.query(alpha, { filter: `_id eq "${String(local._id)}"` })).result),
          ['Local']
        )
        const globals = await t.query(alpha, { filter: 'global eq true and default eq false' })
        assert.deepEqual(
          globals.result.map((s) => s._id),
          [global._id]
        )
      })

      test('a malformed filter is a parse error', async () => {
        await rejects(t.query(alpha, { filter: 'name eq' }), 'E_PARSE')
      })
    })

    describe('actions', () => {
      test('validate parses the source', async () => {
        assert.deepEqual(
          await t.action(
            root,
            'validate',
            { script: b64('var a = 1;'), language: 'JAVASCRIPT' },
            {}
          ),
          { success: true }
        )
        const broken = (await t.action(
          root,
          'validate',
          {
            script: b64('var a = 123;var b = 456; =VALIDATION SHOULD FAIL=\n'),
            language: 'JAVASCRIPT',
          },
          {}
        )) as { success: boolean; errors: { line: number; column: number; message: string }[] }
        assert.equal(broken.success, false)
        assert.equal(broken.errors[0]!.line, 1)
        assert.equal(broken.errors[0]!.column, 26)
        const groovy = (await t.action(
          root,
          'validate',
          { script: b64('def x = {\n  println "a"\n'), language: 'GROOVY' },
          {}
        )) as { success: boolean }
        assert.equal(groovy.success, false)
      })

      test('validate errors as AM gives them', async () => {
        await rejects(
          t.action(root, 'validate', { language: 'JAVASCRIPT' }, {}),
          'E_INVALID',
          'A script must be specified'
        )
        await rejects(
          t.action(root, 'validate', { script: '' }, {}),
          'E_INVALID',
          'Scripting language not supported: null'
        )
        await rejects(
          t.action(root, 'validate', { script: '%%%', language: 'GROOVY' }, {}),
          'E_INVALID',
          'Failed to decode UTF-8 encoded script'
        )
      })

      test('createGlobal makes a script every realm lists', async () => {
        const created = (await t.action(
          root,
          'createGlobal',
          scriptBody('Lib For All', { context: 'LIBRARY', description: undefined as never }),
          {}
        )) as JsonObject
        assert.equal(created.evaluatorVersion, '2.0')
        assert.equal(created.default, false)
        for (const realm of ['/', '/alpha', '/x/y']) {
          const found = await t.query(at(realm), { filter: 'name eq "Lib For All"' })
          assert.equal(found.resultCount, 1, realm)
        }
        // A global script that is not a default one can be deleted.
        await t.delete(alpha, String(created._id))
        await rejects(t.read(root, String(created._id)), 'E_NOT_FOUND')
      })

      test('an unknown action is not supported', async () => {
        await rejects(t.action(root, 'explode', {}, {}), 'E_UNSUPPORTED')
      })
    })

    describe('realms', () => {
      const names = async () =>
        (await t.query(allRealms, { filter: 'true' })).result.map((r) => r.name)

      test('the top-level realm always exists and reads as AM writes it', async () => {
        const top = await t.read(allRealms, 'Lw')
        const { _rev, ...rest } = top
        assert.equal(typeof _rev, 'string')
        assert.deepEqual(rest, {
          _id: 'Lw',
          parentPath: null,
          active: true,
          name: '/',
          aliases: [],
        })
      })

      test('a realm is created, read by its id, listed, updated and deleted', async () => {
        const created = await t.create(allRealms, realmBody('/gamma'))
        assert.equal(created._id, 'L2dhbW1h')
        assert.deepEqual((await t.read(allRealms, 'L2dhbW1h')).name, 'gamma')
        assert.ok((await names()).includes('gamma'))
        assert.deepEqual(
          (await t.query(allRealms, { filter: 'parentPath eq "/deep"' })).result.map((r) => r.name),
          ['er']
        )
        const updated = await t.update(allRealms, 'L2dhbW1h', {
          ...realmBody('/gamma'),
          active: false,
          aliases: ['gamma.example.com'],
        })
        assert.equal(updated.active, false)
        assert.deepEqual((await t.read(allRealms, 'L2dhbW1h')).aliases, ['gamma.example.com'])
        await t.create(at('/gamma'), scriptBody('In gamma'))
        await t.delete(allRealms, 'L2dhbW1h')
        assert.ok(!(await names()).includes('gamma'))
        await rejects(t.query(at('/gamma'), { filter: 'true' }), 'E_NOT_FOUND', 'Realm not found')
      })

      test('a realm needs its parent, and a name no sibling has', async () => {
        await rejects(t.create(allRealms, realmBody('/nowhere/child')), 'E_NOT_FOUND')
        await rejects(t.create(allRealms, realmBody('/alpha')), 'E_CONFLICT')
      })

      test('a command naming a realm that does not exist fails as AM fails, and makes no realm', async () => {
        const before = await names()
        await rejects(t.create(at('/ghost'), scriptBody('X')), 'E_NOT_FOUND', 'Realm not found')
        await rejects(t.query(at('/ghost'), { filter: 'true' }), 'E_NOT_FOUND', 'Realm not found')
        assert.deepEqual(await names(), before)
      })

      test('the top-level realm cannot be deleted', async () => {
        await rejects(t.delete(allRealms, 'Lw'), 'E_FORBIDDEN')
      })

      test('what the catalog does not offer is refused before anything is done', async () => {
        await rejects(
          t.query({ entity: scripts, scope: { kind: 'global' } }, { filter: 'true' }),
          'E_UNSUPPORTED',
          'Scripts does not support query globally'
        )
      })
    })
  })
}
