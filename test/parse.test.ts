import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { AmshError } from '../src/errors.ts'
import { splitWords, type CommandScope, type Invocation } from '../src/parse/invocation.ts'
import { parseCommand } from '../src/verbs/index.ts'
import { parseJson } from '../src/parse/json-body.ts'
import { tokenize } from '../src/parse/tokenize.ts'

function parse(line: string): Invocation {
  return parseCommand(line)
}

function texts(line: string): string[] | false {
  const result = tokenize(line)
  return result.complete && result.words.map((word) => word.text)
}

function fails(line: string, code: string, message: RegExp): void {
  assert.throws(
    () => parse(line),
    (err: unknown) => err instanceof AmshError && err.code === code && message.test(err.message),
    `${line} should fail with ${code} ${message}`
  )
}

describe('tokenize', () => {
  const cases: [string, string[]][] = [
    ['read Scripts --realm / --id x', ['read', 'Scripts', '--realm', '/', '--id', 'x']],
    [`--body '{"a": "b c"}'`, ['--body', '{"a": "b c"}']],
    [`--body "{\\"a\\": 1}"`, ['--body', '{"a": 1}']],
    [`"keep \\n backslash"`, ['keep \\n backslash']],
    [
      '--body {"name": "a b", "x": [1, {"y": "}"}]} --id 1',
      ['--body', '{"name": "a b", "x": [1, {"y": "}"}]}', '--id', '1'],
    ],
    ['a\\ b c', ['a b', 'c']],
    ["it'\"s'", ['it"s']],
    ['  spaced   out  ', ['spaced', 'out']],
    ['--filter \'name sw "x"\'', ['--filter', 'name sw "x"']],
    ['', []],
  ]
  for (const [line, words] of cases) {
    test(JSON.stringify(line), () => assert.deepEqual(texts(line), words))
  }

  const incomplete = [`--body '{"a":`, '--body {"a": [1,', `"open`, '--body {"a": "}']
  for (const line of incomplete) {
    test(`incomplete: ${line}`, () => assert.equal(tokenize(line).complete, false))
  }

  test('only words typed as they are count as bare', () => {
    const result = tokenize(`a 'b' "c" d\\e {"f":1} \${g}`)
    assert.ok(result.complete)
    assert.deepEqual(
      result.words.map((word) => word.bare),
      [true, false, false, false, true, false]
    )
  })

  test('${...} is kept as typed without an expander, and ends at its own closing brace', () => {
    assert.deepEqual(texts('--body ${JSON.stringify({a: "x y"})} --id 1'), [
      '--body',
      '${JSON.stringify({a: "x y"})}',
      '--id',
      '1',
    ])
    assert.equal(tokenize('--realm ${realm').complete, false)
  })

  test('${...} expands in bare words and double quotes, never in single quotes or JSON', () => {
    const seen: string[] = []
    const expand = (expression: string) => {
      seen.push(expression)
      return `<${expression}>`
    }
    const result = tokenize(
      `a\${x}b "c \${y + "}"} d" '\${z}' {"e": "\${w}"} "\\\${v}" \${\`t\${u}\`}`,
      expand
    )
    assert.ok(result.complete)
    assert.deepEqual(
      result.words.map((word) => word.text),
      ['a<x>b', 'c <y + "}"> d', '${z}', '{"e": "${w}"}', '${v}', '<`t${u}`>']
    )
    assert.deepEqual(seen, ['x', 'y + "}"', '`t${u}`'])
  })

  test('text glued to the end of a bare JSON value is an error', () => {
    assert.throws(() => tokenize('--body {"a":1}x'), /right after the JSON value/)
  })

  // Template literals in a ${} nest as deep as the line is long: an answer, never a stack overflow.
  test('hostile lines: an answer in bounded time', () => {
    const deep = (n: number) => `\${${'`${'.repeat(n)}1${'}`'.repeat(n)}}`
    const lines: [string, boolean][] = [
      [`--id "${deep(100_000)}"`, true],
      [`--id ${deep(100_000)}`, true],
      [`--id "\${${'`${'.repeat(100_000)}"`, false],
      [`--id "\${${'`${`'.repeat(30_000)}"`, false],
      [`--id "${'${'.repeat(100_000)}"`, false],
      [`--body ${'{'.repeat(100_000)}`, false],
      [`--body ${'['.repeat(50_000)}${']'.repeat(50_000)}`, true],
      [`--body ${'"'.repeat(100_001)}`, false],
      [`--id ${'\\'.repeat(100_000)}`, true],
      [`create Scripts ${'a '.repeat(200_000)}`, true],
      [`--id ${'x'.repeat(1_000_000)}`, true],
    ]
    for (const [line, complete] of lines) {
      const started = performance.now()
      const result = tokenize(line, (expression) => String(expression.length))
      assert.equal(result.complete, complete, line.slice(0, 30))
      assert.ok(performance.now() - started < 2000, line.slice(0, 30))
    }
    const nested = tokenize(`--id "${deep(100_000)}"`, (expression) => String(expression.length))
    assert.ok(nested.complete)
    assert.equal(nested.words[1]!.text, String(500_001))
  })
})

describe('variables in command lines', () => {
  const scope: CommandScope = {
    expand: (expression) => (expression === 'realm' ? '/alpha' : expression.toUpperCase()),
    variable: (name) => ({ realm: '/alpha', id: 'abc' })[name],
  }

  test('a bare option value naming a variable stands for its value', () => {
    assert.deepEqual(parseCommand('read Scripts --realm realm --id id', scope).options, {
      realm: '/alpha',
      id: 'abc',
    })
  })

  test('quoted values, unknown names and entity names stay literal', () => {
    assert.deepEqual(parseCommand(`read Scripts --realm 'realm' --id other`, scope).options, {
      realm: 'realm',
      id: 'other',
    })
    assert.equal(parseCommand('read realm --realm /', scope).entity, 'realm')
  })

  test('${} expands before options are parsed', () => {
    assert.deepEqual(parseCommand('read Scripts --realm ${realm} --id x${y}', scope).options, {
      realm: '/alpha',
      id: 'xY',
    })
  })
})

describe('parseInvocation', () => {
  const cases: [string, Invocation][] = [
    [
      'create Scripts --realm / --id 007 --body {}',
      { verb: 'create', entity: 'Scripts', options: { realm: '/', id: '007', body: '{}' } },
    ],
    [
      'c Scripts --realm /alpha --body x',
      { verb: 'create', entity: 'Scripts', options: { realm: '/alpha', body: 'x' } },
    ],
    [
      'r Scripts --realm / --id 1e3',
      { verb: 'read', entity: 'Scripts', options: { realm: '/', id: '1e3' } },
    ],
    [
      'u Scripts --realm / --id 0x10 --body {}',
      { verb: 'update', entity: 'Scripts', options: { realm: '/', id: '0x10', body: '{}' } },
    ],
    [
      'd Scripts --realm / --id -',
      { verb: 'delete', entity: 'Scripts', options: { realm: '/', id: '-' } },
    ],
    [
      'r Scripts --realm / --id -x1',
      { verb: 'read', entity: 'Scripts', options: { realm: '/', id: '-x1' } },
    ],
    [
      'q Scripts --realm / --queryFilter true',
      { verb: 'query', entity: 'Scripts', options: { realm: '/', filter: 'true' } },
    ],
    ['query Realms --global', { verb: 'query', entity: 'Realms', options: { global: true } }],
    ['query Realms --global true', { verb: 'query', entity: 'Realms', options: { global: true } }],
    [
      'query Realms --global false --realm /',
      { verb: 'query', entity: 'Realms', options: { realm: '/' } },
    ],
    [
      'a Scripts --realm / --actionName validate --targetVersion 2.0',
      {
        verb: 'action',
        entity: 'Scripts',
        options: { realm: '/', actionName: 'validate', targetVersion: '2.0' },
      },
    ],
    [
      'query Scripts --realm=/ --pageSize=10',
      { verb: 'query', entity: 'Scripts', options: { realm: '/', pageSize: '10' } },
    ],
    [
      'read Scripts --realm / --id',
      { verb: 'read', entity: 'Scripts', options: { realm: '/', id: true } },
    ],
    [
      'read Scripts --realm / --my.option x',
      { verb: 'read', entity: 'Scripts', options: { realm: '/', 'my.option': 'x' } },
    ],
  ]
  for (const [line, expected] of cases) {
    test(line, () => assert.deepEqual(parse(line), expected))
  }

  test('unknown verb, with a suggestion', () =>
    fails(
      'craete Scripts --realm /',
      'E_USAGE',
      /unknown command "craete" \(did you mean "create"\?\)/
    ))
  test('no entity', () => fails('read', 'E_USAGE', /needs an entity type/))
  test('an option where the entity goes', () =>
    fails('read --realm /', 'E_USAGE', /needs an entity type/))
  test('a stray positional', () =>
    fails('read Scripts extra --realm /', 'E_USAGE', /unexpected argument "extra"/))
  test('an option twice', () =>
    fails('read Scripts --id a --id b --realm /', 'E_USAGE', /--id is given more than once/))
  test('an option and its alias', () =>
    fails(
      'query Scripts --filter a --queryFilter b --realm /',
      'E_USAGE',
      /--filter is given more than once/
    ))
  test('a flag takes true or false and nothing else', () =>
    fails(
      'query Realms --global=yes',
      'E_USAGE',
      /--global is a flag: it takes no value but true or false/
    ))
  test('a word that is no option name', () => {
    fails('read Scripts --realm / ---id x', 'E_USAGE', /"---id" is not an option/)
    // An object's own keys are no option names either: nothing reaches a prototype.
    fails('read Scripts --realm / --__proto__ x', 'E_USAGE', /"--__proto__" is not an option/)
  })
  test('values that look like options, after -- or glued on', () => {
    assert.deepEqual(parse('read Scripts --realm=--x --id -5').options, { realm: '--x', id: '-5' })
    fails('query Realms -- --global', 'E_USAGE', /unexpected argument "--global"/)
  })
  test('an unclosed quote', () =>
    assert.throws(() => splitWords(`read Scripts --id 'x`), /unclosed ' at column 19/))
})

describe('parseJson', () => {
  async function parseError(text: string): Promise<AmshError> {
    try {
      await parseJson(text, '--body')
    } catch (err) {
      assert.ok(err instanceof AmshError, String(err))
      return err
    }
    assert.fail(`${text.slice(0, 20)}… parsed`)
  }

  const nest = (depth: number, inner = '1') =>
    `{"a":${'['.repeat(depth - 1)}${inner}${']'.repeat(depth - 1)}}`

  test('a malformed body is reported at its line and column', async () => {
    const err = await parseError('{"name": "x",\n "description" "y"}')
    assert.equal(err.code, 'E_PARSE')
    assert.equal(err.message, '--body is not valid JSON at 2:16: a ":" was expected')
  })

  // jsonc-parser, which finds where a bad body breaks, recursed into a stack overflow: E_INTERNAL.
  test('a malformed body nested 5,000 or 100,000 deep is E_PARSE, at the level past the limit', async () => {
    for (const depth of [5000, 100_000]) {
      const err = await parseError(nest(depth, '1,'))
      assert.equal(err.code, 'E_PARSE')
      assert.equal(err.message, '--body is nested deeper than 1000 levels at 1:1005')
      assert.deepEqual(err.details, { line: 1, column: 1005 })
    }
  })

  test('an error before the limit is still the one reported', async () => {
    const err = await parseError(`{"a" 1, "b": ${'['.repeat(5000)}`)
    assert.equal(err.message, '--body is not valid JSON at 1:6: a ":" was expected')
  })

  test('a valid body nested deeper than the limit is refused too, at its line and column', async () => {
    const err = await parseError(`{\n "x": "[[[[",\n "a": ${'['.repeat(5000)}${']'.repeat(5000)}}`)
    assert.equal(err.code, 'E_PARSE')
    assert.equal(err.message, '--body is nested deeper than 1000 levels at 3:1006')
  })

  test('1,000 levels are fine, brackets in strings do not count', async () => {
    assert.ok(await parseJson(nest(1000), '--body'))
    const value = await parseJson(`{"s": "${'['.repeat(5000)}"}`, '--body')
    assert.equal((value as { s: string }).s.length, 5000)
    const err = await parseError(nest(1001))
    assert.match(err.message, /nested deeper than 1000 levels at 1:1005/)
  })
})
