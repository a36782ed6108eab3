import assert from 'node:assert/strict'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { AmshError } from '../src/errors.ts'
import type { JsonValue } from '../src/json.ts'
import {
  MAX_DEPTH,
  hasExpressions,
  inlineReader,
  loadExpressionFiles,
  resolveExpressions,
  type ExpressionSources,
} from '../src/migrate/expressions.ts'
import { parseProperties } from '../src/migrate/properties.ts'
import { b64, tempDir } from './helpers.ts'

function fails(run: () => unknown, code: string, message: RegExp): void {
  assert.throws(
    run,
    (err: unknown) => err instanceof AmshError && err.code === code && message.test(err.message),
    `should fail with ${code} ${message}`
  )
}

describe('.properties files', () => {
  const parse = (text: string): Record<string, string> =>
    Object.fromEntries(parseProperties(text, 'x.properties'))

  test('the three separators, and blanks around them', () => {
    assert.deepEqual(parse('a=1\nb: 2\nc 3\nd   =   4\ne\t:\t5\nf =\n'), {
      a: '1',
      b: '2',
      c: '3',
      d: '4',
      e: '5',
      f: '',
    })
  })

  test('comments and blank lines; a value keeps its trailing blanks and inner separators', () => {
    assert.deepEqual(parse('# c\n! c\n   # c\n\n  \na=x = y: z  \n'), { a: 'x = y: z  ' })
  })

  test('a key alone, and one separator only taken', () => {
    assert.deepEqual(parse('alone\nk:=v\nk2 = = v'), { alone: '', k: '=v', k2: '= v' })
  })

  test('continuation lines, their leading blanks dropped; an even count of backslashes ends', () => {
    assert.deepEqual(parse('a = one, \\\n    two, \\\n\tthree\nb = c:\\\\\nd = e'), {
      a: 'one, two, three',
      b: 'c:\\',
      d: 'e',
    })
  })

  test('a comment does not continue; a continued line starting with # is not a comment', () => {
    assert.deepEqual(parse('# x \\\na = 1 \\\n# 2'), { a: '1 # 2' })
  })

  test('CRLF and CR line ends; a backslash at the very end is dropped', () => {
    assert.deepEqual(parse('a=1\r\nb=2\rc=3\\'), { a: '1', b: '2', c: '3' })
  })

  test('escapes in keys and values: \\uXXXX, \\t \\n \\r \\f, and any other character', () => {
    assert.deepEqual(parse('my\\ key\\=x\\:y = caf\\u00e9 \\t\\n\\r\\f \\q\\#'), {
      'my key=x:y': 'café \t\n\r\f q#',
    })
  })

  test('a later key replaces an earlier one', () => {
    assert.deepEqual(parse('a=1\na=2'), { a: '2' })
  })

  test('a malformed \\u escape names the file and line', () => {
    fails(() => parse('a=1\nb=\\u12G4'), 'E_PARSE', /x\.properties:2: a malformed \\u escape/)
  })

  test('a long text parses in linear time', () => {
    const text = 'k = ' + 'ab \\\n   '.repeat(50_000) + '\nv = ' + '\\u0041\\t'.repeat(50_000)
    const started = performance.now()
    const entries = parseProperties(text, 'big.properties')
    assert.equal(entries.get('k')?.length, 150_000)
    assert.equal(entries.get('v')?.length, 100_000)
    assert.ok(performance.now() - started < 2000)
  })
})

interface Given {
  env?: Record<string, string>
  variables?: Record<string, string>
  properties?: Record<string, string>
  files?: Record<string, string>
  importDir?: string
  inline?: Record<string, string>
}

function sources(given: Given = {}): ExpressionSources {
  const importDir = given.importDir ?? '/import/here'
  return {
    env: given.env ?? {},
    variable: (name) => given.variables?.[name],
    properties: new Map(Object.entries(given.properties ?? {})),
    files: new Map(Object.entries(given.files ?? {})),
    importDir,
    readInline: (path) => {
      const text = given.inline?.[path]
      if (text === undefined) throw new AmshError('E_IO', `cannot read "$inline" file ${path}`)
      return text
    },
  }
}

const resolve = (value: JsonValue, given?: Given): JsonValue =>
  resolveExpressions(value, sources(given))

describe('where a token comes from', () => {
  const all: Given = {
    env: { SMTP_PORT: 'env' },
    variables: { smtpPort: 'variable' },
    properties: { 'smtp.port': 'property' },
    files: { 'smtp.port': 'file' },
  }

  test('environment, then variables, then -D properties, then expression files', () => {
    assert.equal(resolve('&{smtp.port}', all), 'env')
    assert.equal(resolve('&{smtp.port}', { ...all, env: {} }), 'variable')
    assert.equal(resolve('&{smtp.port}', { ...all, env: {}, variables: {} }), 'property')
    assert.equal(resolve('&{smtp.port}', { files: all.files }), 'file')
  })

  test('the names each source knows a token by', () => {
    const given: Given = {
      env: { IDM_RS_CLIENT_SECRET: 'a', CTS_STORES: 'b' },
      variables: { amsterRsClientSecret: 'c' },
      properties: { 'ig.agent.password': 'd' },
    }
    assert.equal(resolve('&{idm.rs.client.secret}', given), 'a')
    assert.equal(resolve('&{cts_stores}', given), 'b')
    assert.equal(resolve('&{amster.rs.client.secret}', given), 'c')
    assert.equal(resolve('&{ig.agent.password}', given), 'd')
  })

  test('an empty value is a value', () => {
    assert.equal(resolve('[&{a|x}]', { env: { A: '' } }), '[]')
  })

  test('the built-ins: the import folder and its file: URL, below every other source', () => {
    const importDir = join('/import', 'my dir')
    assert.equal(resolve('&{amster.import.dir}', { importDir }), importDir)
    assert.equal(resolve('&{amster.import.url}', { importDir }), 'file:///import/my%20dir')
    assert.equal(
      resolve('&{amster.import.dir}', { importDir, files: { 'amster.import.dir': '/x' } }),
      '/x'
    )
  })
})

describe('expressions', () => {
  test('a default applies only when no source gives the token', () => {
    assert.equal(resolve('&{smtp.port|1349}'), '1349')
    assert.equal(resolve('&{smtp.port|1349}', { env: { SMTP_PORT: '25' } }), '25')
    assert.equal(resolve('&{a|}'), '')
    assert.equal(resolve('&{a|x|y}'), 'x|y')
  })

  test('a string that is one expression stays a string', () => {
    assert.equal(resolve('&{n}', { env: { N: '42' } }), '42')
  })

  test('mixed with text, several in one string', () => {
    const given = { variables: { hostname: 'am', port: '8443' } }
    assert.equal(
      resolve('https://&{hostname}.example.com:&{port}/am', given),
      'https://am.example.com:8443/am'
    )
  })

  test('nested: in a token name, in a default, and in a looked-up value', () => {
    const given = {
      files: {
        env: 'dev',
        'db.dev.host': 'db1',
        'listen.port': '&{port.prefix}636',
        'port.prefix': '2',
      },
    }
    assert.equal(resolve('&{db.&{env}.host}', given), 'db1')
    assert.equal(resolve('&{a|&{b|x}}'), 'x')
    assert.equal(resolve('&{a|&{env}-&{b|y}}', given), 'dev-y')
    assert.equal(resolve('&{listen.port}', given), '2636')
  })

  test('a default is not scanned again, nor a built-in', () => {
    // The default of b is "&": a's default becomes the text &{c}, which is not looked up.
    assert.equal(resolve('&{a|&{b|&}{c}}'), '&{c}')
    assert.equal(resolve('&{amster.import.dir}', { importDir: '/a/&{x}' }), '/a/&{x}')
  })

  test('the forgeops tokens', () => {
    const body = {
      version: '&{version}',
      url: 'https://&{fqdn}/am',
      secret: '&{idm.rs.client.secret|password}',
      agent: '&{ig.agent.password|password}',
    }
    assert.deepEqual(resolve(body, { env: { VERSION: '7.5', FQDN: 'id.example.com' } }), {
      version: '7.5',
      url: 'https://id.example.com/am',
      secret: 'password',
      agent: 'password',
    })
    assert.deepEqual(
      resolve(body, { env: { VERSION: '7.5', FQDN: 'x', IDM_RS_CLIENT_SECRET: 's3' } }),
      {
        version: '7.5',
        url: 'https://x/am',
        secret: 's3',
        agent: 'password',
      }
    )
  })

  test('keys take AMSTER{...}; &{ in a key and AMSTER{ in a value are text', () => {
    const body = {
      'com.sun.identity.server.fqdnMap[AMSTER{realm.dns.alias}]': '&{realm.dns.alias}',
      'AMSTER{a|b}': 1,
      '&{x}': 'AMSTER{x}',
    }
    assert.deepEqual(resolve(body, { env: { REALM_DNS_ALIAS: 'alpha.example.com' } }), {
      'com.sun.identity.server.fqdnMap[alpha.example.com]': 'alpha.example.com',
      b: 1,
      '&{x}': 'AMSTER{x}',
    })
  })

  test('two keys that become one are refused', () => {
    fails(
      () => resolve({ a: { 'AMSTER{k}': 1, x: 2 } }, { env: { K: 'x' } }),
      'E_INVALID',
      /the keys "AMSTER\{k\}" and "x" both become "x" \(at \/a\/x\)/
    )
  })

  test('values everywhere: arrays, nested objects; other types and plain strings kept', () => {
    const body = { a: ['&{x}', 1, true, null, { b: '&{x}!' }], c: 'plain {x} & }' }
    assert.deepEqual(resolve(body, { env: { X: 'v' } }), {
      a: ['v', 1, true, null, { b: 'v!' }],
      c: 'plain {x} & }',
    })
  })

  test('a new value: the input is not changed', () => {
    const body = { a: ['&{x}'] }
    resolve(body, { env: { X: 'v' } })
    assert.deepEqual(body, { a: ['&{x}'] })
  })

  test('a key __proto__ stays a member', () => {
    const body = JSON.parse('{"__proto__": {"a": "&{x}"}}') as JsonValue
    const out = resolve(body, { env: { X: 'v' } }) as Record<string, unknown>
    assert.deepEqual(Object.keys(out), ['__proto__'])
    assert.equal(Object.getPrototypeOf(out), Object.prototype)
  })
})

describe('what cannot be resolved', () => {
  test('an unset token: its name, every way to give it, and where it is', () => {
    fails(
      () => resolve({ data: { userpassword: '&{ctsusr.pass}' } }),
      'E_INVALID',
      /^&\{ctsusr\.pass\} is not set: give it as env CTSUSR_PASS, a variable ctsusrPass, -D ctsusr\.pass=\.\.\., or in an envconfig file \(at \/data\/userpassword\)$/
    )
  })

  test('the error says which token needed an unset one, and carries token and pointer', () => {
    try {
      resolve({ 'a/b': ['&{outer}'] }, { files: { outer: 'x&{inner}' } })
      assert.fail('should throw')
    } catch (err) {
      assert.ok(err instanceof AmshError)
      assert.match(err.message, /&\{inner\} is not set, which &\{outer\} needs/)
      assert.deepEqual(err.details, { token: 'inner', pointer: '/a~1b/0' })
    }
  })

  test('a key names the member in its pointer', () => {
    fails(
      () => resolve({ m: { 'AMSTER{k}': 1 } }),
      'E_INVALID',
      /&\{k\} is not set.*\(at \/m\/AMSTER\{k\}\)/
    )
  })

  test('malformed: unclosed, empty token', () => {
    fails(
      () => resolve({ a: 'x &{smtp.port' }),
      'E_INVALID',
      /&\{smtp\.port is not closed with "\}" \(at \/a\)/
    )
    fails(() => resolve('&{a|&{b}'), 'E_INVALID', /not closed/)
    fails(() => resolve('&{}'), 'E_INVALID', /&\{\} names no token/)
    fails(() => resolve('&{|x}'), 'E_INVALID', /names no token/)
    fails(
      () => resolve('&{pass}', { env: { PASS: 'hunter2&{' } }),
      'E_INVALID',
      /^the value of &\{pass\} opens &\{ and does not close it with "\}" \(at \/\)$/
    )
  })

  test('a value that contains itself is a cycle, not a loop', () => {
    fails(
      () => resolve('&{a}', { files: { a: 'x&{a}' } }),
      'E_INVALID',
      /&\{a\} refers to itself: &\{a\} → &\{a\}/
    )
    fails(
      () => resolve('&{a}', { env: { A: '&{b}' }, files: { b: '&{c}', c: '[&{a}]' } }),
      'E_INVALID',
      /refers to itself: &\{a\} → &\{b\} → &\{c\} → &\{a\}/
    )
  })

  test('the same token twice is no cycle', () => {
    assert.equal(resolve('&{a}', { files: { a: '&{b}&{b}', b: 'x' } }), 'xx')
  })

  test(`nesting deeper than ${MAX_DEPTH} is refused, written or through values`, () => {
    let deep = 'x'
    for (let i = 0; i < 100_000; i++) deep = `&{a|${deep}}`
    fails(() => resolve(deep), 'E_INVALID', /nest deeper than 32 levels/)
    const chain: Record<string, string> = { c40: 'end' }
    for (let i = 0; i < 40; i++) chain[`c${i}`] = `&{c${i + 1}}`
    fails(
      () => resolve('&{c0}', { files: chain }),
      'E_INVALID',
      /nest deeper than 32 levels: &\{c0\} → &\{c1\} → &\{c2\} → … → &\{c30\} → &\{c31\}/
    )
    let ok = 'x'
    for (let i = 0; i < MAX_DEPTH; i++) ok = `&{a|${ok}}`
    assert.equal(resolve(ok), 'x')
  })

  test('values that double at each level stop at a bound, quickly', () => {
    const files: Record<string, string> = { t25: 'abcd' }
    for (let i = 0; i < 25; i++) files[`t${i}`] = `&{t${i + 1}}&{t${i + 1}}`
    const started = performance.now()
    fails(() => resolve('&{t0}', { files }), 'E_INVALID', /expand to more than 1048576 characters/)
    // t8 is 512 KiB: under the bound for one string, 32 of them over the bound for all.
    const many = Array.from({ length: 100 }, () => '&{t8}')
    fails(() => resolve(many, { files }), 'E_INVALID', /more than 16777216 characters in all/)
    assert.ok(performance.now() - started < 2000)
  })

  test('a long text with many expressions resolves in linear time', () => {
    const text = '&{a}-'.repeat(100_000) + '}|'.repeat(100_000)
    const started = performance.now()
    const out = resolve(text, { env: { A: 'v' } }) as string
    assert.equal(out.length, 400_000)
    fails(() => resolve('&{' + '|'.repeat(200_000)), 'E_INVALID', /not closed/)
    assert.ok(performance.now() - started < 2000)
  })
})

describe('coercions', () => {
  const given: Given = {
    env: {
      PORT: '1389',
      RATE: '0.75',
      ON: 'TRUE',
      LIST: 'a, b ,c',
      ARRAY: '["a", 1]',
      OBJECT: '{"a": {"b": [1]}}',
      TEXT: 'héllo wörld',
      B64: b64('héllo wörld'),
    },
  }

  test('each makes its type', () => {
    const body = {
      int: { $int: '&{port}' },
      number: { $number: '&{rate}' },
      bool: { $bool: '&{on}' },
      off: { $bool: ' false ' },
      list: { $list: '&{list}' },
      empty: { $list: '' },
      array: { $array: '&{array}' },
      object: { $object: '&{object}' },
      encoded: { '$base64:encode': '&{text}' },
      encoded2: { '$base64-encode': '&{text}' },
      decoded: { '$base64:decode': '&{b64}' },
      decoded2: { '$base64-decode': '&{b64}' },
    }
    assert.deepEqual(resolve(body, given), {
      int: 1389,
      number: 0.75,
      bool: true,
      off: false,
      list: ['a', 'b', 'c'],
      empty: [],
      array: ['a', 1],
      object: { a: { b: [1] } },
      encoded: b64('héllo wörld'),
      encoded2: b64('héllo wörld'),
      decoded: 'héllo wörld',
      decoded2: 'héllo wörld',
    })
  })

  test('a value already of the type passes', () => {
    assert.deepEqual(
      resolve({ a: { $int: 5 }, b: { $number: 1.5 }, c: { $bool: false }, d: { $array: [1] } }),
      {
        a: 5,
        b: 1.5,
        c: false,
        d: [1],
      }
    )
  })

  test('$number takes integers, decimals and exponents', () => {
    assert.deepEqual(
      resolve([{ $number: '-12' }, { $number: '1e3' }, { $number: '3.25E-2' }]),
      [-12, 1000, 0.0325]
    )
  })

  test('$inline, and $base64:encode of it, nested', () => {
    const files = { inline: { 'scripts/x.groovy': 'println "hi"', 'port.txt': '8080\n' } }
    const body = {
      script: { '$base64:encode': { $inline: 'scripts/x.groovy' } },
      port: { $int: { $inline: '&{dir|port.txt}' } },
      raw: { $inline: 'scripts/x.groovy' },
    }
    assert.deepEqual(resolve(body, files), {
      script: b64('println "hi"'),
      port: 8080,
      raw: 'println "hi"',
    })
  })

  test('an inlined file is not scanned for expressions', () => {
    assert.equal(
      resolve({ $inline: 'x' }, { inline: { x: 'var a = "&{nope}"' } }),
      'var a = "&{nope}"'
    )
  })

  test('only an object of one known $ key is a coercion', () => {
    const body = { a: { $int: '1', b: 2 }, c: { $ref: '#/x' }, d: { $Int: '1' } }
    assert.deepEqual(resolve(body), body)
    assert.equal(hasExpressions(body), false)
  })

  test('bad input is refused, saying what was needed, what came and where', () => {
    const cases: [JsonValue, RegExp][] = [
      [{ $int: 'abc' }, /^"\$int" needs a whole number, not "abc" \(at \/data\/port\)$/],
      [{ $int: '1.5' }, /"\$int" needs a whole number, not "1\.5"/],
      [{ $int: '2147483648' }, /from -2147483648 to 2147483647, not "2147483648"/],
      [{ $int: true }, /"\$int" needs a whole number, not true/],
      [{ $number: '0x10' }, /"\$number" needs a number, not "0x10"/],
      [{ $number: 'NaN' }, /needs a number/],
      [{ $number: '1e999' }, /"1e999" is out of range/],
      [{ $number: '12345678901234567890' }, /too large to keep exactly/],
      [{ $bool: 'yes' }, /"\$bool" needs true or false, not "yes"/],
      [{ $array: '{"a": 1}' }, /"\$array" needs the JSON text of an array/],
      [{ $array: '[1,' }, /"\$array" needs the JSON text of an array/],
      [{ $object: '[1]' }, /"\$object" needs the JSON text of an object/],
      [{ $object: '['.repeat(2000) }, /"\$object" needs the JSON text of an object/],
      [{ $list: 5 }, /"\$list" needs a string, not 5/],
      [{ '$base64:decode': 'a!b=' }, /"\$base64:decode" needs base64 text/],
      [{ '$base64-decode': '/w==' }, /"\$base64-decode": "\/w==" does not decode to UTF-8 text/],
      [
        { '$base64:encode': { $int: '1' } },
        /"\$base64:encode" needs a string, not 1 \(at \/data\/port\)/,
      ],
    ]
    for (const [coercion, message] of cases) {
      fails(() => resolve({ data: { port: coercion } }), 'E_INVALID', message)
    }
  })

  test('a long value is clipped in the message', () => {
    fails(() => resolve({ $int: 'x'.repeat(10_000) }), 'E_INVALID', /not "x{58}…/)
  })

  test('an error inside a coercion points into it', () => {
    fails(
      () => resolve({ a: { $int: '&{p}' } }),
      'E_INVALID',
      /&\{p\} is not set.*\(at \/a\/\$int\)/
    )
    fails(
      () => resolve({ a: { $int: { $inline: 'no' } } }),
      'E_IO',
      /cannot read "\$inline" file no \(at \/a\/\$int\)/
    )
  })
})

describe('hasExpressions', () => {
  test('finds an expression in a value, a marker in a key, or a coercion, at any depth', () => {
    assert.equal(hasExpressions({ a: [1, { b: 'x&{y}' }] }), true)
    assert.equal(hasExpressions({ a: { 'AMSTER{k}': 1 } }), true)
    assert.equal(hasExpressions([{ $bool: 'true' }]), true)
    assert.equal(hasExpressions({ a: ['&', '{', 'AMSTER{'], '&{': 1, n: null }), false)
    assert.equal(hasExpressions('plain'), false)
  })
})

describe('inlineReader', () => {
  function folder(): { dir: string; remove: () => void } {
    const made = tempDir('amsh-inline-')
    mkdirSync(join(made.dir, 'import', 'scripts'), { recursive: true })
    writeFileSync(join(made.dir, 'import', 'scripts', 'x.groovy'), 'println 1')
    writeFileSync(join(made.dir, 'secret.txt'), 'secret')
    return made
  }

  test('reads relative to the import folder, or absolute inside it', () => {
    const { dir, remove } = folder()
    try {
      const importDir = join(dir, 'import')
      const read = inlineReader(importDir)
      assert.equal(read('scripts/x.groovy'), 'println 1')
      assert.equal(read('scripts/../scripts/x.groovy'), 'println 1')
      assert.equal(read(join(importDir, 'scripts', 'x.groovy')), 'println 1')
      const body = { script: { $inline: '&{amster.import.dir}/scripts/x.groovy' } }
      assert.deepEqual(resolveExpressions(body, { ...sources({ importDir }), readInline: read }), {
        script: 'println 1',
      })
    } finally {
      remove()
    }
  })

  test('refuses a path out of the folder: by .., absolute elsewhere, or through a symlink', () => {
    const { dir, remove } = folder()
    try {
      const importDir = join(dir, 'import')
      symlinkSync(join(dir, 'secret.txt'), join(importDir, 'link.txt'))
      symlinkSync(dir, join(importDir, 'up'))
      const read = inlineReader(importDir)
      fails(
        () => read('../secret.txt'),
        'E_FORBIDDEN',
        /"\$inline" file \.\.\/secret\.txt is outside the import folder/
      )
      fails(() => read(join(dir, 'secret.txt')), 'E_FORBIDDEN', /is outside the import folder/)
      fails(
        () => read('link.txt'),
        'E_FORBIDDEN',
        /link\.txt leads outside the import folder .* \(through a symbolic link, to .*secret\.txt\)/
      )
      fails(() => read('up/secret.txt'), 'E_FORBIDDEN', /through a symbolic link/)
      fails(() => read('../nonexistent'), 'E_FORBIDDEN', /outside/)
    } finally {
      remove()
    }
  })

  test('a missing file, a folder, a bad name: E_IO naming it', () => {
    const { dir, remove } = folder()
    try {
      const read = inlineReader(join(dir, 'import'))
      fails(
        () => read('scripts/none.groovy'),
        'E_IO',
        /cannot read "\$inline" file .*scripts\/none\.groovy: no such file/
      )
      fails(() => read('scripts'), 'E_IO', /it is a folder/)
      fails(() => read('a\0b'), 'E_IO', /cannot read "\$inline" file/)
      fails(() => inlineReader(join(dir, 'nowhere'))('x'), 'E_IO', /no such file/)
    } finally {
      remove()
    }
  })
})

describe('envconfig files', () => {
  test('a folder: .json flattened to dot paths and .properties, other files ignored', () => {
    const { dir, remove } = tempDir('amsh-envconfig-')
    try {
      writeFileSync(
        join(dir, 'a.json'),
        JSON.stringify({
          smtp: { port: 1342, user: 'Greg' },
          stateless: { tokens: { enabled: true } },
          blacklist: { java: { classes: ['java.lang.Class', 'java.lang.reflect.*'] } },
          nothing: null,
          'dotted.key': 'd',
        })
      )
      writeFileSync(
        join(dir, 'b.properties'),
        '# expressions\nidm.rs.client.secret = s3cr\\u00e9t\nfqdn: id.example.com\n'
      )
      writeFileSync(join(dir, 'c.txt'), 'x=1')
      mkdirSync(join(dir, 'sub.json'))
      mkdirSync(join(dir, 'deeper'))
      writeFileSync(join(dir, 'deeper', 'd.properties'), 'deep=1')
      const tokens = loadExpressionFiles(dir)
      assert.deepEqual(Object.fromEntries(tokens), {
        'smtp.port': '1342',
        'smtp.user': 'Greg',
        'stateless.tokens.enabled': 'true',
        'blacklist.java.classes': '["java.lang.Class","java.lang.reflect.*"]',
        'dotted.key': 'd',
        'idm.rs.client.secret': 's3crét',
        fqdn: 'id.example.com',
      })
      const body = {
        port: { $int: '&{smtp.port}' },
        classes: { $array: '&{blacklist.java.classes}' },
        url: 'https://&{fqdn}',
      }
      assert.deepEqual(resolve(body, { files: Object.fromEntries(tokens) }), {
        port: 1342,
        classes: ['java.lang.Class', 'java.lang.reflect.*'],
        url: 'https://id.example.com',
      })
    } finally {
      remove()
    }
  })

  test('one file named; a .properties file not UTF-8 is read as ISO-8859-1', () => {
    const { dir, remove } = tempDir('amsh-envconfig-')
    try {
      writeFileSync(join(dir, 'x.properties'), Buffer.from('name=caf\xe9\n', 'latin1'))
      writeFileSync(join(dir, 'y.json'), '\uFEFF{"a": {"b": "c"}}')
      assert.deepEqual(Object.fromEntries(loadExpressionFiles(join(dir, 'x.properties'))), {
        name: 'café',
      })
      assert.deepEqual(Object.fromEntries(loadExpressionFiles(join(dir, 'y.json'))), { 'a.b': 'c' })
    } finally {
      remove()
    }
  })

  test('a token given twice: the same value is fine, two values name both places', () => {
    const { dir, remove } = tempDir('amsh-envconfig-')
    try {
      writeFileSync(join(dir, 'a.properties'), 'smtp.port=25\nhost=x\n')
      writeFileSync(join(dir, 'b.json'), '{"smtp": {"port": "25"}}')
      assert.equal(loadExpressionFiles(dir).get('smtp.port'), '25')
      writeFileSync(join(dir, 'c.json'), '{"host": "y"}')
      fails(
        () => loadExpressionFiles(dir),
        'E_INVALID',
        /^host is given two values, in .*a\.properties and in .*c\.json: keep one$/
      )
      writeFileSync(join(dir, 'c.json'), '{"a.b": 1, "a": {"b": 2}}')
      fails(() => loadExpressionFiles(dir), 'E_INVALID', /a\.b is given two values in .*c\.json/)
    } finally {
      remove()
    }
  })

  test('what cannot be loaded says why', () => {
    const { dir, remove } = tempDir('amsh-envconfig-')
    try {
      writeFileSync(join(dir, 'list.json'), '[1]')
      writeFileSync(join(dir, 'bad.json'), '{"a": ')
      writeFileSync(join(dir, 'deep.json'), '{"a":'.repeat(1001) + '1' + '}'.repeat(1001))
      writeFileSync(join(dir, 'notes.txt'), '')
      symlinkSync(join(dir, 'gone'), join(dir, 'dangling.properties'))
      fails(
        () => loadExpressionFiles(join(dir, 'nowhere')),
        'E_IO',
        /cannot read expression files at .*nowhere: no such file or folder/
      )
      fails(
        () => loadExpressionFiles(join(dir, 'notes.txt')),
        'E_USAGE',
        /envconfig reads \.json and \.properties files, not .*notes\.txt/
      )
      fails(
        () => loadExpressionFiles(join(dir, 'list.json')),
        'E_INVALID',
        /list\.json must hold a JSON object/
      )
      fails(
        () => loadExpressionFiles(join(dir, 'bad.json')),
        'E_PARSE',
        /expression file .*bad\.json is not JSON/
      )
      fails(
        () => loadExpressionFiles(join(dir, 'deep.json')),
        'E_PARSE',
        /deep\.json is nested too deeply/
      )
      fails(() => loadExpressionFiles(dir), 'E_IO', /dangling\.properties: no such file or folder/)
    } finally {
      remove()
    }
  })
})
