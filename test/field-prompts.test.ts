import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { applyPatch } from 'rfc6902'
import { getEntity } from '../src/catalog/catalog.ts'
import { getProfile } from '../src/catalog/profiles.ts'
import { AmshError } from '../src/errors.ts'
import type { JsonObject } from '../src/json.ts'
import { ForwardingTransport } from '../src/transport/forwarding.ts'
import { LocalStore } from '../src/transport/local/store.ts'
import type { JsonPatchOperation, Target, Transport } from '../src/transport/types.ts'
import { findVerb, parseCommand } from '../src/verbs/index.ts'
import type { VerbContext } from '../src/verbs/types.ts'
import { tempDir } from './helpers.ts'

// The prompts of a create without --body and edit's field editor, answered by a script: each
// answer is what a person would type at the question shown, and a question the script did not
// expect fails the test rather than hanging it.

const target: Target = { entity: getEntity('CustomScripts'), scope: { kind: 'global' } }

/** A server that takes JSON Patches (as Janssen's does), keeping each one it was sent. */
class PatchingStore extends ForwardingTransport {
  readonly sent: JsonPatchOperation[][] = []
  override readonly patch = async (t: Target, id: string, operations: JsonPatchOperation[]) => {
    this.sent.push(operations)
    const item = structuredClone(await this.inner.read(t, id))
    for (const result of applyPatch(item, operations)) if (result) throw result
    return this.inner.update(t, id, item)
  }
}

interface Conversation {
  questions: string[]
  shown: string[]
}

/** Runs a command line in process, with `answers` typed at its questions, in order. */
async function converse(
  transport: Transport,
  line: string,
  answers: (string | Error)[] | undefined,
  baseDir = process.cwd()
): Promise<{ result: unknown; talk: Conversation }> {
  const talk: Conversation = { questions: [], shown: [] }
  const left = [...(answers ?? [])]
  const ctx: VerbContext = {
    transport,
    profile: getProfile('am8'),
    baseDir,
    connect: () => Promise.reject(new Error('no connect here')),
    notify: (text) => talk.shown.push(text),
    ask: answers
      ? (question) => {
          talk.questions.push(question)
          const answer = left.shift()
          if (answer === undefined) throw new Error(`unexpected question ${question}`)
          return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer)
        }
      : undefined,
    expressions: { variable: () => undefined, properties: new Map(), files: new Map() },
  }
  const invocation = parseCommand(line)
  const result = await findVerb(invocation.verb)!.run(invocation, ctx)
  assert.deepEqual(left, [], 'every answer was asked for')
  return { result, talk }
}

describe('create without --body, at the prompt', () => {
  let store: LocalStore
  const files = tempDir()
  before(() => {
    store = new LocalStore({ path: ':memory:', product: 'am8' })
  })
  after(() => {
    store.close()
    files.remove()
  })

  test('asks each field in the schema order, and asks again after a wrong-typed answer', async () => {
    const { result, talk } = await converse(store, 'create CustomScripts', [
      '', // inum: the server makes one up
      'otp', // name
      'otp, totp', // aliases, as a list
      'One-time passwords', // description
      'PERSON_AUTHENTICATION', // scriptType, in Java's spelling
      '1', // programmingLanguage: the first one listed (python)
      '', // script: Janssen's template
      '', // moduleProperties
      '[{"value1": "issuer", "value2": "Acme"}]', // configurationProperties
      'ten', // level: not a number
      '10',
      'sure', // enabled: not a boolean
      '_true', // as the Janssen CLI spells it
      '', // locationType: the default, db
      '', // locationPath
    ])
    const made = result as JsonObject
    assert.deepEqual(
      talk.questions.map((q) => q.replace(/[ :[].*$/, '')),
      [
        'inum',
        'name',
        'aliases',
        'description',
        'scriptType',
        'programmingLanguage',
        'script',
        'moduleProperties',
        'configurationProperties',
        'level',
        'level',
        'enabled',
        'enabled',
        'locationType',
        'locationPath',
      ]
    )
    assert.match(talk.shown.join('\n'), /Please enter a\(n\) integer value: a whole number/)
    assert.match(talk.shown.join('\n'), /Please enter a\(n\) boolean value: true, false/)
    assert.ok(talk.questions.includes('enabled  [false]: '), 'the default is offered')
    assert.match(talk.shown.join('\n'), /«Whether the server runs it\. Type: boolean»/)
    assert.match(talk.shown.join('\n'), /one of:\n {2}1\) person_authentication, 2\) /)
    assert.deepEqual(
      [made.name, made.aliases, made.scriptType, made.programmingLanguage, made.level],
      ['otp', ['otp', 'totp'], 'person_authentication', 'python', 10]
    )
    assert.deepEqual([made.enabled, made.locationType], [true, 'db'])
    assert.match(String(made.script), /class PersonAuthentication\(PersonAuthenticationType\)/)
  })

  test("a name breaking Janssen's rule, an unlisted value, ldap and a bad source are asked again", async () => {
    writeFileSync(join(files.dir, 'broken.py'), 'def f(:\n    pass\n')
    writeFileSync(join(files.dir, 'fine.py'), 'print "fine"\n')
    const { result, talk } = await converse(
      store,
      'create CustomScripts',
      [
        '',
        'a name', // a space is not allowed
        'checked',
        '',
        '',
        'no_such_type',
        'person_authentication',
        'python',
        'missing.py', // no such file
        'broken.py', // does not parse
        'fine.py',
        '',
        '',
        '',
        '',
        'ldap', // deprecated
        'db',
        '',
      ],
      files.dir
    )
    const said = talk.shown.join('\n')
    assert.match(said, /\/name must match pattern/)
    assert.match(said, /"no_such_type" is not one of the values listed\. Please enter one of/)
    assert.match(said, /cannot read script file .*missing\.py: no such file/)
    assert.match(said, /PYTHON source does not parse at .*broken\.py:1:\d+/)
    assert.match(said, /\/locationType is ldap, which Janssen no longer takes/)
    assert.equal((result as JsonObject).script, 'print "fine"\n')
  })

  test('Ctrl-C in the middle of the questions saves nothing', async () => {
    const before = (await store.query(target, { filter: 'true' })).result.length
    const interrupted = new AmshError('E_INTERRUPTED', 'interrupted (Ctrl-C)')
    await assert.rejects(
      converse(store, 'create CustomScripts', ['', 'half_done', interrupted]),
      /E_INTERRUPTED|interrupted/
    )
    assert.equal((await store.query(target, { filter: 'true' })).result.length, before)
  })

  test('--scriptFile fills the source and its language, which are then not asked', async () => {
    writeFileSync(join(files.dir, 'given.py'), 'x = 1\n')
    const { talk, result } = await converse(
      store,
      'create CustomScripts --scriptFile given.py',
      ['', 'given', '', '', '2', '', '', '', '', '', ''],
      files.dir
    )
    const asked = talk.questions.map((q) => q.replace(/[ :[].*$/, ''))
    assert.ok(!asked.includes('script') && !asked.includes('programmingLanguage'))
    assert.deepEqual(
      [(result as JsonObject).script, (result as JsonObject).scriptType],
      ['x = 1\n', 'authorization_challenge']
    )
  })

  test('a batch cannot answer: create needs --body, with the prompt named as the other way', async () => {
    await assert.rejects(
      converse(store, 'create CustomScripts', undefined),
      /needs --body \(JSON, or @file\.json\); at the am> prompt, leave it out to be asked for each field/
    )
  })
})

describe('edit: the field editor', () => {
  let store: LocalStore
  let patching: PatchingStore
  let inum: string
  before(async () => {
    store = new LocalStore({ path: ':memory:', product: 'am8' })
    patching = new PatchingStore(store)
    const made = await store.create(target, {
      name: 'editable',
      scriptType: 'person_authentication',
      programmingLanguage: 'python',
      script: 'a = 1\nb = 2\n',
      level: 1,
    })
    inum = String(made.inum)
  })
  after(() => store.close())

  test('l lists the fields, # edits one (its value the default), s saves one JSON Patch', async () => {
    const { result, talk } = await converse(patching, 'edit CustomScripts --name editable', [
      'l',
      '10', // enabled
      'maybe',
      'true',
      '9', // level
      '', // keeps 1
      '3', // description
      'Edited',
      'v',
      's',
    ])
    const said = talk.shown.join('\n')
    assert.match(said, /^ {2}1 name +editable$/m)
    assert.match(said, /^ {2}6 script +\(2 lines of source\)$/m)
    assert.match(said, /^ {2}3 description +\(not set\)$/m)
    assert.match(said, /Please enter a\(n\) boolean value/)
    assert.ok(talk.questions.includes('level  [1]: '))
    assert.match(said, /"script": "\(2 lines, shown below\)"[\s\S]*\nscript:\na = 1\nb = 2\n/)
    assert.deepEqual(patching.sent.at(-1), [
      { op: 'add', path: '/description', value: 'Edited' },
      { op: 'replace', path: '/enabled', value: true },
    ])
    assert.deepEqual([(result as JsonObject).enabled, (result as JsonObject).revision], [true, 2])
  })

  test('without a patch of its own, the transport gets the whole item', async () => {
    const { result } = await converse(store, `edit CustomScripts --id ${inum}`, ['9', '5', 's'])
    assert.equal((result as JsonObject).level, 5)
    assert.equal((await store.read(target, inum)).description, 'Edited')
  })

  test('q leaves without saving; s with nothing changed writes nothing', async () => {
    const before = await store.read(target, inum)
    await assert.rejects(
      converse(store, 'edit CustomScripts --name editable', ['1', 'renamed', 'q']),
      /E_INTERRUPTED|quit the editor: 1 change dropped, nothing was saved/
    )
    const { talk } = await converse(store, 'edit CustomScripts --name editable', ['1', '', 's'])
    assert.match(talk.shown.join('\n'), /nothing changed: nothing was written/)
    assert.deepEqual(await store.read(target, inum), before)
  })

  test('an unknown choice says what the choices are', async () => {
    const { talk } = await converse(store, 'edit CustomScripts --name editable', ['99', 'x', 's'])
    const said = talk.shown.join('\n')
    assert.match(said, /"99" is none of the choices: q, v, s, l, or a field number from 1 to 12/)
    assert.match(said, /"x" is none of the choices/)
  })

  test('works for any entity: an AM script', async () => {
    const scripts: Target = { entity: getEntity('Scripts'), scope: { kind: 'realm', realm: '/' } }
    const made = await store.create(scripts, {
      name: 'Edited by fields',
      description: '',
      script: Buffer.from('var a = 1;\n').toString('base64'),
      language: 'JAVASCRIPT',
      context: 'LIBRARY',
    })
    const { result } = await converse(
      store,
      'edit Scripts --realm / --name "edited by fields" --fields',
      ['2', 'Now described', 's']
    )
    assert.equal((result as JsonObject).description, 'Now described')
    assert.equal((await store.read(scripts, String(made._id))).description, 'Now described')
  })

  test('a batch is told to use update --body or --set', async () => {
    await assert.rejects(
      converse(store, 'edit CustomScripts --name editable', undefined),
      /edit asks its questions at the am> prompt; in a batch, use update CustomScripts with --body \(the whole item\) or --set field=value/
    )
  })
})

test('--set takes only the fields the schema names, whatever their names', async () => {
  const store = new LocalStore({ path: ':memory:', product: 'am8' })
  try {
    await store.create(target, {
      name: 'plain',
      scriptType: 'person_authentication',
      programmingLanguage: 'python',
    })
    for (const name of ['__proto__', 'constructor', 'toString']) {
      await assert.rejects(
        converse(store, `update CustomScripts --name plain --set ${name}=1`, undefined),
        new RegExp(`--set ${name}: CustomScripts has no field ${name}`)
      )
    }
  } finally {
    store.close()
  }
})

describe('edit: the source in $EDITOR', () => {
  const files = tempDir()
  let store: LocalStore
  const scripts: Target = { entity: getEntity('Scripts'), scope: { kind: 'realm', realm: '/' } }
  const saved = { editor: process.env.EDITOR, visual: process.env.VISUAL }
  /** Runs `line` with $EDITOR set to `editor` (a shell command line), or unset. */
  const withEditor = async (editor: string | undefined, line: string, answers: string[] = []) => {
    if (editor === undefined) delete process.env.EDITOR
    else process.env.EDITOR = editor
    delete process.env.VISUAL
    try {
      return await converse(store, line, answers)
    } finally {
      for (const [name, value] of [
        ['EDITOR', saved.editor],
        ['VISUAL', saved.visual],
      ] as const) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
    }
  }
  const source = async () =>
    Buffer.from(String((await store.read(scripts, 'in-editor')).script), 'base64').toString()

  before(async () => {
    store = new LocalStore({ path: ':memory:', product: 'am8' })
    await store.create(
      scripts,
      {
        name: 'In the editor',
        description: '',
        script: Buffer.from('var n = 1;\n').toString('base64'),
        language: 'JAVASCRIPT',
        context: 'LIBRARY',
      },
      'in-editor'
    )
    // Writes broken JavaScript the first time it runs, a fix the second.
    writeFileSync(
      join(files.dir, 'twice.sh'),
      `if [ -f "${files.dir}/once" ]; then printf 'var fixed = 2;\\n' > "$1"; else touch "${files.dir}/once"; printf 'var = broken\\n' > "$1"; fi\n`
    )
  })
  after(() => {
    store.close()
    files.remove()
  })

  test('the decoded source opens as a .js file; what is saved is checked and written back', async () => {
    await withEditor(
      `sh -c 'case "$1" in *"In the editor.js") sed -i s/1/10/ "$1";; *) exit 9;; esac' -`,
      'edit Scripts --realm / --name "in the editor"'
    )
    assert.equal(await source(), 'var n = 10;\n')
  })

  test('an unchanged file writes nothing', async () => {
    const before = await store.read(scripts, 'in-editor')
    const { talk } = await withEditor('true', 'edit Scripts --realm / --id in-editor')
    assert.match(talk.shown.join('\n'), /the source is unchanged: nothing was written/)
    assert.deepEqual(await store.read(scripts, 'in-editor'), before)
  })

  test('a source that does not parse is shown with line:column, then re-opened or discarded', async () => {
    const { talk } = await withEditor(
      `sh ${join(files.dir, 'twice.sh')}`,
      'edit Scripts --realm / --id in-editor',
      ['r']
    )
    assert.match(talk.shown.join('\n'), /E_SYNTAX: .*In the editor\.js:1:5/)
    assert.equal(await source(), 'var fixed = 2;\n')
    await assert.rejects(
      withEditor(`sh -c 'printf "var = x" > "$1"' -`, 'edit Scripts --realm / --id in-editor', [
        'd',
      ]),
      /the edit was discarded: nothing was saved/
    )
    assert.equal(await source(), 'var fixed = 2;\n')
  })

  test('$EDITOR unset, or an editor that fails, saves nothing and says why', async () => {
    await assert.rejects(
      withEditor(undefined, 'edit Scripts --realm / --id in-editor'),
      /no editor: set \$EDITOR \(or \$VISUAL\)/
    )
    await assert.rejects(
      withEditor(
        `sh -c 'printf changed > "$1"; exit 3' -`,
        'edit Scripts --realm / --id in-editor'
      ),
      /the editor \(sh -c .*\) exited with status 3: nothing was saved/
    )
    assert.equal(await source(), 'var fixed = 2;\n')
    await assert.rejects(
      withEditor('true', 'edit Scripts --realm / --id in-editor --fields --source'),
      /give --fields or --source, not both/
    )
  })
})
