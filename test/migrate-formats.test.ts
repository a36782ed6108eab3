import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, test } from 'node:test'
import { AmshError } from '../src/errors.ts'
import type { JsonObject } from '../src/json.ts'
import { frConfigManagerReader } from '../src/migrate/formats/fr-config-manager.ts'
import { frodoReader, frodoRealm } from '../src/migrate/formats/frodo.ts'
import type { ConfigItem, ReadContext } from '../src/migrate/items.ts'
import { readContext } from '../src/migrate/read-tree.ts'

// The frodo and fr-config-manager readers on the files in test/fixtures/migrate (SOURCES.md says
// which are copies of real exports and which were written for these tests).

const ROOT = resolve('test/fixtures/migrate')
const EXPORTS = resolve('test/fixtures/exports')

/** The importer's own ReadContext: names resolve beside the file, inside the root. */
function contextFor(file: string, defaultRealm = '/', root = ROOT): ReadContext {
  return readContext(root, join(root, file), defaultRealm)
}

function fixture(file: string, root = ROOT): unknown {
  return JSON.parse(readFileSync(join(root, file), 'utf8'))
}

function text(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8')
}

const decoded = (item: ConfigItem): string =>
  Buffer.from(item.body.script as string, 'base64').toString('utf8')

function readFrodo(file: string, defaultRealm = '/'): ConfigItem[] {
  return frodoReader.read(fixture(file), contextFor(file, defaultRealm))
}

function readFcm(file: string, defaultRealm = '/'): ConfigItem[] {
  return frConfigManagerReader.read(fixture(file), contextFor(file, defaultRealm))
}

/** The single script object of a frodo file, as the file holds it. */
function original(file: string, key?: string): JsonObject {
  const scripts = (fixture(file) as { script: Record<string, JsonObject> }).script
  return (key === undefined ? Object.values(scripts)[0] : scripts[key]) as JsonObject
}

function assertError(run: () => unknown, code: string, ...parts: string[]): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof AmshError, `not an AmshError: ${String(err)}`)
    assert.equal(err.code, code, err.message)
    for (const part of parts)
      assert.ok(err.message.includes(part), `"${part}" not in: ${err.message}`)
    return true
  })
}

const FRODO = {
  mapper: 'frodo/all-separate/realm/root-first-second/script/Element-NameID-Mapper.script.json',
  checkUsername: 'frodo/all-separate/realm/root-alpha/script/Check-Username.script.json',
  lines: 'frodo/everything-2024-07/script/Check-Username.script.json',
  library:
    'frodo/everything-2024-09/realm/root-alpha/script/test-script-with-secrets-and-variables.script.json',
  many: 'frodo/built/allAlphaScripts.script.json',
  missing: 'frodo/built/realm/root-my--realm/script/Missing-Source.script.json',
  full: 'frodo/built/all.config.json',
}

const FCM = {
  root: 'fr-config-manager/realms/root/scripts/scripts-config/9b75654f-2553-4627-9938-b14a5f62ce81.json',
  alpha:
    'fr-config-manager/realms/alpha/scripts/scripts-config/0575fa2f-12cf-42e3-8fe3-0b45d99d3aa8.json',
  bravo:
    'fr-config-manager/built/realms/bravo/scripts/scripts-config/4b3a2918-0f7e-4d6c-b5a4-938271605f4e.json',
  gone: 'fr-config-manager/built/realms/bravo/scripts/scripts-config/6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098.json',
}

const OTHERS = {
  amsterGlobal: 'amster/cdm-6.5.1/global/GlobalScripts/01e1a3c0-038b-4c16-956a-6c9d89328cff.json',
  amsterRealm: 'amster/cdm-6.5.1/realms/root/Scripts/01e1a3c0-038b-4c16-956a-6c9d89328cff.json',
  amsterNullDescription:
    'amster/fr-platform-6.0/realms/root/Scripts/7b6a6668-3bbb-4b9d-9090-8e1c4625c72f.json',
  amsterPlaceholder:
    'amster/skaffold-6.0/global/GlobalScripts/01e1a3c0-038b-4c16-956a-6c9d89328cff.json',
  fbcGlobal:
    'fbc/cdk-7.0/config/services/realm/root/scriptingservice/1.0/globalconfig/default/globalscripts/01e1a3c0-038b-4c16-956a-6c9d89328cff.json',
  fbcRealm:
    'fbc/am-fbc-7.0/config/services/realm/root/scriptingservice/1.0/organizationconfig/default/scriptconfigurations/927773f6-a045-4467-9757-acd76b589ad2.json',
}

describe('claims', () => {
  const cases: [string, boolean, boolean][] = [
    ...Object.values(FRODO).map((f): [string, boolean, boolean] => [f, true, false]),
    ...Object.values(FCM).map((f): [string, boolean, boolean] => [f, false, true]),
    ...Object.values(OTHERS).map((f): [string, boolean, boolean] => [f, false, false]),
  ]
  for (const [file, frodo, fcm] of cases) {
    test(file, () => {
      const json = fixture(file)
      assert.equal(frodoReader.claims(json, file), frodo, 'frodo')
      assert.equal(frConfigManagerReader.claims(json, file), fcm, 'fr-config-manager')
    })
  }

  test('an Amster export of a realm is neither', () => {
    const file = 'global/Realms/root.json'
    const json = fixture(file, EXPORTS)
    assert.equal(frodoReader.claims(json, file), false)
    assert.equal(frConfigManagerReader.claims(json, file), false)
  })

  test('frodo by shape when the name says nothing, and not when other keys are there', () => {
    const scripts = { script: { a: { _id: 'a', name: 'A', script: '' } } }
    assert.equal(frodoReader.claims(scripts, 'backup.json'), true)
    assert.equal(frodoReader.claims({ ...scripts, meta: {} }, 'backup.json'), true)
    // A journey or SAML export carries its scripts too, with the configuration they belong to.
    assert.equal(frodoReader.claims({ ...scripts, saml: {} }, 'x.saml.json'), false)
    assert.equal(frodoReader.claims({ script: {} }, 'backup.json'), false)
    assert.equal(frodoReader.claims({ global: {}, realm: {} }, 'all.json'), false)
  })

  test('fr-config-manager only directly in scripts-config, and only with a file reference', () => {
    const json = fixture(FCM.root)
    assert.equal(frConfigManagerReader.claims(json, 'scripts-config/x.json'), true)
    assert.equal(frConfigManagerReader.claims(json, 'scripts-config\\x.json'), true)
    assert.equal(frConfigManagerReader.claims(json, 'scripts-config/sub/x.json'), false)
    assert.equal(frConfigManagerReader.claims(json, 'scripts/x.json'), false)
    const inline = { ...(json as JsonObject), script: 'b3V0Y29tZQ==' }
    assert.equal(frConfigManagerReader.claims(inline, 'scripts-config/x.json'), false)
  })
})

describe('frodo', () => {
  test('a file:// reference: the source beside, base64; the realm from the folder', () => {
    const items = readFrodo(FRODO.mapper)
    assert.equal(items.length, 1)
    const [item] = items as [ConfigItem]
    const source = original(FRODO.mapper)
    assert.equal(item.entity, 'Scripts')
    assert.deepEqual(item.scope, { kind: 'realm', realm: '/first/second' })
    assert.equal(item.id, '046d1344-8ef1-4e67-8d2a-28fd9266f44e')
    assert.equal(item.file, FRODO.mapper)
    assert.equal(decoded(item), text(FRODO.mapper.replace(/\.json$/, '.js')))
    assert.deepEqual({ ...item.body, script: source.script }, source)
    assert.equal(item.body.description, null, 'frodo sends a null description as it is')
    assert.deepEqual(item.normalised, ['source read from Element-NameID-Mapper.script.js'])
  })

  test('root-alpha is /alpha', () => {
    const [item] = readFrodo(FRODO.checkUsername) as [ConfigItem]
    assert.deepEqual(item.scope, { kind: 'realm', realm: '/alpha' })
    assert.equal(decoded(item), text(FRODO.checkUsername.replace(/\.json$/, '.js')))
  })

  test('an array of lines is joined with "\\n"; a file outside realm/ goes to the default realm', () => {
    const [item] = readFrodo(FRODO.lines, '/bravo') as [ConfigItem]
    const lines = original(FRODO.lines).script as string[]
    assert.deepEqual(item.scope, { kind: 'realm', realm: '/bravo' })
    assert.equal(decoded(item), lines.join('\n'))
    assert.deepEqual(item.normalised, [`source joined from ${lines.length} lines`])
    // The same script extracted to a file holds the same source (and a final newline).
    const [extracted] = readFrodo(FRODO.checkUsername) as [ConfigItem]
    assert.equal(decoded(extracted), `${decoded(item)}\n`)
  })

  test('meta is not configuration', () => {
    const [item] = readFrodo(FRODO.library) as [ConfigItem]
    assert.equal('meta' in item.body, false)
    assert.equal(item.body.context, 'LIBRARY')
    assert.deepEqual(item.scope, { kind: 'realm', realm: '/alpha' })
  })

  test('several scripts in one file, each source in its own shape', () => {
    const items = readFrodo(FRODO.many, '/alpha')
    const byName = new Map(items.map((i) => [i.body.name, i]))
    assert.deepEqual(
      [...byName.keys()],
      ['Always Continue', 'Choose Level', 'Realm Helpers', 'Greeting']
    )
    for (const item of items) assert.deepEqual(item.scope, { kind: 'realm', realm: '/alpha' })

    const asIs = byName.get('Always Continue') as ConfigItem
    assert.equal(asIs.body.script, original(FRODO.many, asIs.id).script)
    assert.equal(asIs.normalised, undefined)

    const textual = byName.get('Choose Level') as ConfigItem
    assert.equal(decoded(textual), original(FRODO.many, textual.id).script)
    assert.deepEqual(textual.normalised, ['source text encoded as base64'])

    const library = byName.get('Realm Helpers') as ConfigItem
    assert.equal('exports' in library.body, false)
    assert.equal(decoded(library), (original(FRODO.many, library.id).script as string[]).join('\n'))
    assert.deepEqual(library.normalised, [
      'source joined from 8 lines',
      'exports dropped (frodo adds them from the libraries endpoint)',
    ])

    const groovy = byName.get('Greeting') as ConfigItem
    assert.equal(decoded(groovy), text('frodo/built/Greeting.script.groovy'))
    assert.equal(groovy.body.language, 'GROOVY')
  })

  test('a file:// reference to nothing: E_IO naming the reference and where it is', () => {
    const id = '0d9e8f7a-6b5c-4d3e-9f2a-1b0c9d8e7f60'
    assertError(
      () => readFrodo(FRODO.missing),
      'E_IO',
      FRODO.missing,
      `/script/${id}/script`,
      'file://Missing-Source.script.js',
      'no such file'
    )
  })

  test('a reference out of the folder being imported is refused, and names itself', () => {
    const file = 'frodo/built/escape.script.json'
    const json = {
      script: { a: { _id: 'a', name: 'A', script: 'file://../../../../../etc/hostname' } },
    }
    assertError(
      () => frodoReader.read(json, contextFor(file)),
      'E_FORBIDDEN',
      'file://../../../../../etc/hostname'
    )
  })

  test('the whole-tenant export: every realm folder, by its name', () => {
    const items = readFrodo(FRODO.full, '/elsewhere')
    assert.deepEqual(
      items.map((i) => [i.scope, i.body.name]),
      [
        [{ kind: 'realm', realm: '/' }, 'Root Claims'],
        [{ kind: 'realm', realm: '/alpha' }, 'Alpha Check'],
      ]
    )
    assert.equal(decoded(items[0] as ConfigItem), '(function () {\n  return {};\n}());')
  })

  test('realm folder names', () => {
    const cases: [string, string][] = [
      ['root', '/'],
      ['root-alpha', '/alpha'],
      ['root-first-second', '/first/second'],
      ['root-my--realm', '/my-realm'],
      ['root-a--b-c', '/a-b/c'],
      ['alpha', '/alpha'],
    ]
    for (const [folder, realm] of cases) assert.equal(frodoRealm(folder, 'x'), realm, folder)
    assertError(
      () => frodoRealm('root-50%', 'x.script.json'),
      'E_INVALID',
      'root-50%',
      'x.script.json'
    )

    const json = { script: { a: { _id: 'a', name: 'A', script: '' } } }
    const realmOf = (file: string, defaultRealm = '/') =>
      (frodoReader.read(json, contextFor(file, defaultRealm))[0] as ConfigItem).scope
    assert.deepEqual(realmOf('x/realm/root-first-second/script/a.script.json'), {
      kind: 'realm',
      realm: '/first/second',
    })
    assert.deepEqual(realmOf('x\\realm\\root-alpha\\script\\a.script.json'), {
      kind: 'realm',
      realm: '/alpha',
    })
    // Only a script folder straight under realm/<folder> names the realm.
    assert.deepEqual(realmOf('realm/root-alpha/journey/a.script.json', '/bravo'), {
      kind: 'realm',
      realm: '/bravo',
    })
  })

  test('strict: the place of each problem as a JSON pointer', () => {
    const file = 'backup.script.json'
    const read = (json: unknown) => () => frodoReader.read(json, contextFor(file))
    const one = (script: unknown) => ({ script: { 'a/b': script } })
    const ok = { _id: 'a/b', name: 'A', script: '' }
    assertError(read([]), 'E_INVALID', `${file}: a frodo script export is a JSON object`)
    assertError(read({ meta: {} }), 'E_INVALID', `${file} /script:`)
    assertError(read({ script: [] }), 'E_INVALID', `${file} /script:`)
    assertError(read(one('x')), 'E_INVALID', '/script/a~1b:', 'a string')
    assertError(read(one({ ...ok, _id: undefined })), 'E_INVALID', '/script/a~1b/_id:', 'missing')
    assertError(read(one({ ...ok, name: 7 })), 'E_INVALID', '/script/a~1b/name:', 'a number')
    assertError(read(one({ ...ok, _id: 'other' })), 'E_INVALID', '/script/a~1b/_id:', '"a/b"')
    assertError(
      read(one({ ...ok, script: undefined })),
      'E_INVALID',
      '/script/a~1b/script:',
      'missing'
    )
    assertError(read(one({ ...ok, script: {} })), 'E_INVALID', '/script/a~1b/script:')
    assertError(read(one({ ...ok, script: ['x', 1] })), 'E_INVALID', '/script/a~1b/script/1:')
    assertError(read(one({ ...ok, script: 'file://' })), 'E_INVALID', '/script/a~1b/script:')
    assertError(
      read({ realm: { 'root-alpha': { script: 'x' } } }),
      'E_INVALID',
      '/realm/root-alpha/script:'
    )
  })
})

describe('fr-config-manager', () => {
  test('the content file, base64; root is /; the audit fields dropped as push drops them', () => {
    const [item] = readFcm(FCM.root, '/elsewhere') as [ConfigItem]
    const source = fixture(FCM.root) as JsonObject
    assert.equal(item.entity, 'Scripts')
    assert.deepEqual(item.scope, { kind: 'realm', realm: '/' })
    assert.equal(item.id, '9b75654f-2553-4627-9938-b14a5f62ce81')
    assert.equal(item.file, FCM.root)
    assert.equal(
      decoded(item),
      text(
        'fr-config-manager/realms/root/scripts/scripts-content/AUTHENTICATION_TREE_DECISION_NODE/Debug.js'
      )
    )
    const { createdBy, creationDate, lastModifiedBy, lastModifiedDate, ...kept } = source
    assert.ok(createdBy && creationDate && lastModifiedBy && lastModifiedDate)
    assert.deepEqual({ ...item.body, script: kept.script }, kept)
    assert.deepEqual(item.normalised, [
      'source read from scripts-content/AUTHENTICATION_TREE_DECISION_NODE/Debug.js',
      'createdBy, creationDate, lastModifiedBy, lastModifiedDate dropped (fr-config-push does not send them)',
    ])
  })

  test('alpha is /alpha; "null" as a string stays', () => {
    const [item] = readFcm(FCM.alpha) as [ConfigItem]
    assert.deepEqual(item.scope, { kind: 'realm', realm: '/alpha' })
    assert.equal(item.body.description, 'null')
    assert.equal(
      decoded(item),
      text(
        'fr-config-manager/realms/alpha/scripts/scripts-content/SCRIPTED_DECISION_NODE/PaseUsername.js'
      )
    )
  })

  test('a name with a space; a null description sent as ""', () => {
    const [item] = readFcm(FCM.bravo) as [ConfigItem]
    assert.deepEqual(item.scope, { kind: 'realm', realm: '/bravo' })
    assert.equal(item.body.description, '')
    assert.equal(
      decoded(item),
      text(
        'fr-config-manager/built/realms/bravo/scripts/scripts-content/AUTHENTICATION_TREE_DECISION_NODE/Check Age.js'
      )
    )
    assert.ok(item.normalised?.includes('a null description sent as "" (as fr-config-push does)'))
  })

  test('a content file that is not there: E_IO naming it', () => {
    assertError(
      () => readFcm(FCM.gone),
      'E_IO',
      FCM.gone,
      '/script/file',
      'scripts-content/SCRIPTED_DECISION_NODE/Gone.js',
      'no such file'
    )
  })

  test('outside realms/<realm>/scripts/scripts-config the default realm', () => {
    const json = fixture(FCM.bravo)
    const file = 'fr-config-manager/built/realms/bravo/scripts/scripts-config/copy.json'
    const nested = frConfigManagerReader.read(json, contextFor(file, '/x'))
    assert.deepEqual(nested[0]?.scope, { kind: 'realm', realm: '/bravo' })
    const loose = {
      ...(json as JsonObject),
      script: {
        file: 'realms/bravo/scripts/scripts-content/AUTHENTICATION_TREE_DECISION_NODE/Check Age.js',
      },
    }
    const [item] = frConfigManagerReader.read(
      loose,
      contextFor('scripts-config/copy.json', '/x', resolve(ROOT, 'fr-config-manager/built'))
    ) as [ConfigItem]
    assert.deepEqual(item.scope, { kind: 'realm', realm: '/x' })
  })

  test('strict: the place of each problem as a JSON pointer', () => {
    const file = 'realms/alpha/scripts/scripts-config/x.json'
    const base = fixture(FCM.alpha) as JsonObject
    const read = (json: unknown) => () => frConfigManagerReader.read(json, contextFor(file))
    assertError(read([]), 'E_INVALID', `${file}: a script is a JSON object`)
    assertError(read({ ...base, _id: undefined }), 'E_INVALID', `${file} /_id:`, 'missing')
    assertError(read({ ...base, name: '' }), 'E_INVALID', `${file} /name: name is empty`)
    assertError(read({ ...base, script: { file: 42 } }), 'E_INVALID', `${file} /script/file:`)
    assertError(read({ ...base, script: 'x' }), 'E_INVALID', `${file} /script/file:`)
    assertError(
      read({ ...base, script: { file: '../../../../../../../etc/hostname' } }),
      'E_FORBIDDEN',
      '/script/file'
    )
  })
})
