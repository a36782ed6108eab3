import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { entityNames, getEntity } from '../src/catalog/catalog.ts'
import { getProfile, PRODUCTS } from '../src/catalog/profiles.ts'
import { describeSchemaErrors, schemaValidator } from '../src/catalog/schemas.ts'
import { scriptFieldProblems } from '../src/kinds/am-script/fields.ts'
import type { JsonObject } from '../src/json.ts'
import { LocalStore } from '../src/transport/local/store.ts'
import { b64 } from './helpers.ts'

describe('the catalog is well-formed data', () => {
  test('every entity file matches schemas/entity.schema.json', async () => {
    const validate = await schemaValidator('entity.schema')
    for (const name of entityNames()) {
      const raw = JSON.parse(readFileSync(`commands/${name}.json`, 'utf8')) as unknown
      assert.ok(validate(raw), `${name}: ${JSON.stringify(validate.errors)}`)
      assert.equal(getEntity(name).name, name)
    }
  })

  test('every schema an operation names exists and compiles', async () => {
    for (const name of entityNames()) {
      for (const scope of Object.values(getEntity(name).scopes)) {
        const ops = [...Object.values(scope), ...Object.values(scope.actions ?? {})] as {
          schema?: string
        }[]
        for (const op of ops) if (op.schema) await schemaValidator(op.schema)
      }
    }
  })

  test('the Scripts schemas require what the PingAM 8.1 entity reference says', async () => {
    const required = (key: string) =>
      (JSON.parse(readFileSync(`schemas/${key}.json`, 'utf8')) as { required: string[] }).required
    assert.deepEqual(required('Scripts/create'), [
      'name',
      'description',
      'script',
      'language',
      'context',
    ])
    assert.deepEqual(required('Scripts/update'), [
      'name',
      'description',
      'script',
      'language',
      'context',
    ])
    assert.deepEqual(required('Scripts/createGlobal'), ['name', 'script', 'language', 'context'])
    assert.deepEqual(required('Scripts/validate'), ['script', 'language'])
  })

  for (const product of PRODUCTS) {
    test(`a new ${product} store holds that product's default scripts`, async () => {
      const store = new LocalStore({ path: ':memory:', product })
      const target = { entity: getEntity('Scripts'), scope: { kind: 'realm' as const, realm: '/' } }
      const defaults = await store.query(target, { filter: 'default eq true' })
      assert.equal(defaults.resultCount, getProfile(product).defaultScripts.length)
      assert.ok(defaults.resultCount > 30)
      store.close()
    })
  }
})

describe('body checks beyond the schema', () => {
  const am8 = getProfile('am8')
  const aic = getProfile('aic')
  const base: JsonObject = {
    name: 'n',
    description: '',
    script: b64('1'),
    language: 'JAVASCRIPT',
    context: 'OIDC_CLAIMS',
  }
  const cases: [string, JsonObject, typeof am8, string[]][] = [
    ['a good body', {}, am8, []],
    ['lower-case names are fine', { language: 'groovy', context: 'oidc_claims' }, am8, []],
    [
      'an unknown language',
      { language: 'PYTHON' },
      am8,
      ['/language "PYTHON" is not a script language (allowed: GROOVY, JAVASCRIPT)'],
    ],
    [
      'an unknown context',
      { context: 'NOPE' },
      am8,
      ['/context unknown script type "NOPE" for PingAM 8.x'],
    ],
    [
      'Groovy in LIBRARY',
      { language: 'GROOVY', context: 'LIBRARY' },
      am8,
      ['/language GROOVY is not allowed for script type LIBRARY (allowed: JAVASCRIPT)'],
    ],
    [
      'Groovy in a SAML SP adapter on Identity Cloud',
      { language: 'GROOVY', context: 'SAML2_SP_ADAPTER' },
      aic,
      ['/language GROOVY is not allowed'],
    ],
    [
      'evaluator 2.0 for Groovy',
      { language: 'GROOVY', context: 'AUTHENTICATION_TREE_DECISION_NODE', evaluatorVersion: '2.0' },
      am8,
      [
        '/evaluatorVersion "2.0" is not available to GROOVY scripts of type AUTHENTICATION_TREE_DECISION_NODE (allowed: 1.0)',
      ],
    ],
    [
      'evaluator 2 as a number',
      { context: 'AUTHENTICATION_TREE_DECISION_NODE', evaluatorVersion: 2 },
      am8,
      [],
    ],
    ['an alias context fixes the version', { context: 'SCRIPTED_DECISION_NODE' }, aic, []],
    [
      'an alias with another version',
      { context: 'SCRIPTED_DECISION_NODE', evaluatorVersion: '1.0' },
      aic,
      ['/evaluatorVersion "1.0" is not available'],
    ],
    [
      'base64 with line breaks is fine',
      { script: `${b64('a'.repeat(60)).slice(0, 40)}\n${b64('a'.repeat(60)).slice(40)}` },
      am8,
      [],
    ],
    ['not base64', { script: 'abc$' }, am8, ['/script is not base64 of UTF-8 text']],
    [
      'base64 of bytes that are not UTF-8',
      { script: Buffer.from([0xc3, 0x28]).toString('base64') },
      am8,
      ['/script is not base64 of UTF-8 text'],
    ],
  ]
  for (const [name, change, profile, expected] of cases) {
    test(name, () => {
      const problems = scriptFieldProblems({ ...base, ...change }, profile).map(
        (p) => `${p.pointer} ${p.message}`
      )
      assert.equal(problems.length, expected.length, problems.join('; '))
      expected.forEach((prefix, i) => assert.ok(problems[i]!.startsWith(prefix), problems[i]))
    })
  }

  test('schema errors name the pointer and what is wrong', async () => {
    const validate = await schemaValidator('Scripts/create')
    assert.equal(validate({ name: 1, script: '' }), false)
    const problems = describeSchemaErrors(validate.errors ?? []).map(
      (p) => `${p.pointer} ${p.message}`
    )
    assert.deepEqual(problems.sort(), [
      '/context is required',
      '/description is required',
      '/language is required',
      '/name must be of type string',
    ])
  })
})

describe('the catalog is checked when it loads', () => {
  test('the generated validators are what scripts/gen-validators.js makes of schemas/', async () => {
    const { generate, OUTPUTS } = await import('../scripts/gen-validators.js')
    for (const file of Object.keys(OUTPUTS)) {
      // Not assert.equal: its diff of two 200 KB lines would bury the message.
      assert.ok(
        readFileSync(file, 'utf8') === generate(file),
        `${file} is stale: run node scripts/gen-validators.js`
      )
    }
  })

  test('a broken entity definition is refused, naming the JSON pointer', async () => {
    const { validateEntity } = await import('../src/catalog/validators.generated.js')
    const broken = JSON.parse(readFileSync('commands/Scripts.json', 'utf8')) as JsonObject
    ;(broken.wire as JsonObject).version = 'one'
    broken.kind = 'nope'
    assert.equal(validateEntity(broken), false)
    const pointers = describeSchemaErrors(validateEntity.errors ?? []).map((p) => p.pointer)
    assert.deepEqual(pointers.sort(), ['/kind', '/wire/version'])
  })

  test('every kind the entity schema allows is registered, and every entity names one', async () => {
    const { KIND_NAMES } = await import('../src/kinds/index.ts')
    const schema = JSON.parse(readFileSync('schemas/entity.schema.json', 'utf8')) as {
      properties: { kind: { enum: string[] } }
    }
    assert.deepEqual([...schema.properties.kind.enum].sort(), [...KIND_NAMES].sort())
    for (const name of entityNames()) assert.ok(KIND_NAMES.includes(getEntity(name).kind), name)
  })
})
