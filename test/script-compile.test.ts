import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import vm from 'node:vm'
import { AmshError } from '../src/errors.ts'
import { compileLine, isCompleteJavaScript } from '../src/script/compile.ts'
import { groovyApiIn, groovyIdiomAt, gstringIn } from '../src/script/groovy-idioms.ts'

const lineCount = (text: string): number => text.split(/\r\n?|[\n\u2028\u2029]/).length

/** Runs lines one after the other in one context, as a session does; the last line's value. */
async function runLines(lines: string[], globals: object = {}): Promise<unknown> {
  const context = vm.createContext({ ...globals })
  let value: unknown
  for (const line of lines) {
    const compiled = compileLine(line)
    const result: unknown = new vm.Script(compiled.code, { filename: 'amsh:test' }).runInContext(
      context
    )
    value = compiled.async ? await result : result
  }
  // Objects of the context's realm have its prototypes, which deepStrictEqual tells apart.
  return structuredClone(value)
}

function parseError(code: string): AmshError {
  try {
    compileLine(code)
  } catch (error) {
    assert.ok(error instanceof AmshError, `${code}: ${String(error)}`)
    assert.equal(error.code, 'E_PARSE')
    return error
  }
  assert.fail(`${JSON.stringify(code)} compiled`)
}

describe('isCompleteJavaScript', () => {
  const cases: [string, boolean][] = [
    ['', true],
    ['   \n  ', true],
    ['x = 1', true],
    ['x = 1 // note', true],
    ['foo(', false],
    ['foo( // the rest follows', false],
    ['for (const x of s) {', false],
    ['if (a) {} else', false],
    ['a +', false],
    ['x.', false],
    ['`abc', false],
    ['a = `x ${y}\n', false],
    ['a = `x ${', false],
    ['/* x', false],
    ['const x = await f(', false],
    ['"abc', true], // a syntax error, not more to come
    ["'abc", true],
    ['x = /ab', true],
    ['a ?: b', true],
    ['items.each { it ->', true],
    ['x = """\nabc', true],
  ]
  for (const [code, complete] of cases) {
    test(`${JSON.stringify(code)} is ${complete ? 'complete' : 'incomplete'}`, () => {
      assert.equal(isCompleteJavaScript(code), complete)
    })
  }
})

describe('compileLine: lines without top-level await run as they are', () => {
  const cases: [string, boolean][] = [
    ['1 + 2', false],
    ['x = 1', true],
    ['x += 1', true],
    ['a = 1, b = 2', true],
    ['x = 1;;', true],
    ['const x = 1', true],
    ['let y', true],
    ['var z = 2', true],
    ['function f() {}', true],
    ['class A {}', true],
    ['f(x = 1)', false],
    ['x === 1', false],
    ['if (a) { b = 1 }', false],
    ['var await = 1', true], // await is an identifier in a script
    ['async function f() { await g() }', true],
    ['\'$i\' + `${i}` + "\\$i"', false],
    ['', false],
  ]
  for (const [code, assignment] of cases) {
    test(JSON.stringify(code), () => {
      const { original, ...compiled } = compileLine(code)
      assert.deepEqual(compiled, { code, async: false, assignment })
      assert.deepEqual(original(1, 3), { line: 1, column: 3 })
    })
  }

  test('declarations persist across lines', async () => {
    assert.equal(await runLines(['const x = 2', 'function f() { return x }', 'f() * 2']), 4)
  })
})

describe('compileLine: top-level await', () => {
  test('const with destructuring becomes an assignment to names declared outside', () => {
    const compiled = compileLine('const {a, b: [c]} = await f()')
    assert.equal(compiled.code, 'let a, c; (async () => {void ( {a, b: [c]} = await f());})()')
    assert.equal(compiled.async, true)
    assert.equal(compiled.assignment, true)
  })

  test('a loop with its own declaration needs no hoisting', () => {
    assert.equal(
      compileLine('for (const x of s) await run(x)').code,
      '(async () => {for (const x of s) await run(x)})()'
    )
  })

  test('the last expression is the value', () => {
    assert.equal(compileLine('await f()').code, '(async () => {return (await f())})()')
    assert.equal(compileLine('await f();').code, '(async () => {return (await f());})()')
  })

  const assignments: [string, boolean][] = [
    ['await f()', false],
    ['x = await f()', true],
    ['let x = await f()', true],
    ['await 0; function f() {}', true],
    ['await 0; class A {}', true],
    ['const x = await f(); x', false],
  ]
  for (const [code, assignment] of assignments) {
    test(`assignment of ${JSON.stringify(code)} is ${assignment}`, () => {
      assert.equal(compileLine(code).assignment, assignment)
    })
  }

  const sessions: [string, string[], unknown][] = [
    ['const', ['const x = await Promise.resolve(2)', 'x * 2'], 4],
    ['const can be assigned', ['const x = await 1', 'x = 5', 'x'], 5],
    ['let, several declarators', ['let a = await 1, b = a + 1, c', '[a, b, c]'], [1, 2, undefined]],
    ['var', ['var v = await 3', 'v'], 3],
    ['var is a property of the global', ['var v = await 3', 'globalThis.v'], 3],
    [
      'object and array patterns, defaults and rests',
      [
        'const {a, b: [c, ...d], e = 5, ...f} = await Promise.resolve({a: 1, b: [2, 3, 4], g: 6})',
        '[a, c, d, e, f]',
      ],
      [1, 2, [3, 4], 5, { g: 6 }],
    ],
    ['a declaration without initialiser', ['let u; await 0', 'u'], undefined],
    ['function', ['function f(){return 1}; await 0', 'f()'], 1],
    ['function used before its declaration', ['await f()\nfunction f() { return 2 }', 'f()'], 2],
    ['async function', ['async function f() { return 3 }; await 0', 'await f()'], 3],
    ['class', ['class A { x() { return 5 } }\nawait 0', 'new A().x()'], 5],
    ['class as the last statement', ['await 0\nclass A { static y = 6 }', 'A.y'], 6],
    ['var in a block', ['if (true) { var y = await 1 }', 'y'], 1],
    ['var in a loop head', ['for (var q of [1, 2]) await q', 'q'], 2],
    ['var in a for loop', ['for (var i = 0, j; i < 3; i++) await i', 'i'], 3],
    [
      'var in try, switch and label',
      ['l: try { switch (1) { case 1: var s = await 7 } } finally {}', 's'],
      7,
    ],
    ['let in a block stays there', ['let r = 1; { let r = await 2 }', 'r'], 1],
    ['the value of the line', ['await Promise.resolve(7)'], 7],
    ['an object value', ['({ a: await 1 })'], { a: 1 }],
    ['a sequence', ['await 1, await 2'], 2],
    ['await in parentheses is await, not a call', ['await (Promise.resolve(8))'], 8],
    ['for await', ['let n = 0; for await (const x of [1, 2]) n += x; n'], 3],
    ['a trailing line comment', ['x = await 1 // note'], 1],
    ['a trailing block comment', ['await 1 /* a\nb */'], 1],
    ['a declaration then an expression', ['let z\n(await 2)', 'z'], undefined],
    [
      'labels',
      [
        'let n = 0\nouter: for (const x of [1, 2]) { for (const y of [3]) { await 0; n++; continue outer } }\nn',
      ],
      2,
    ],
    ['this is the global', ['this.t = await 4', 't'], 4],
    [
      'assignment to a variable of an earlier sync line',
      ['let k = 1', 'k = await Promise.resolve(k + 1)', 'k'],
      2,
    ],
  ]
  for (const [name, lines, expected] of sessions) {
    test(name, async () => {
      assert.deepEqual(await runLines(lines), expected)
    })
  }

  test('declaring a name again is an error, as in a sync line', async () => {
    for (const lines of [
      ['const x = await 1', 'const x = await 2'],
      ['const x = 1', 'let x = await 2'],
      ['const x = await 1', 'let x = 2'],
    ]) {
      await assert.rejects(runLines(lines), /Identifier 'x' has already been declared/)
    }
  })

  test('line numbers are preserved', () => {
    const inputs = [
      'const a = await f()\nlet b = 2\nfunction g() {}\nclass C {}\nb',
      'await 1 // c\n// d\n',
      'await 1\n/* x\ny */',
      'for (var i of xs)\n  await i\n\n',
    ]
    for (const input of inputs) {
      const { code } = compileLine(input)
      assert.equal(lineCount(code), lineCount(input), code)
    }
  })

  test('a runtime error reports its own line', async () => {
    const code = [
      'const a = await Promise.resolve(1)',
      'let b = a + 1',
      'if (b) throw new Error("boom")',
      'b',
    ].join('\n')
    const compiled = compileLine(code)
    assert.equal(compiled.async, true)
    const script = new vm.Script(compiled.code, { filename: 'amsh:lines.js' })
    await assert.rejects(
      script.runInContext(vm.createContext({})) as Promise<unknown>,
      (error: Error) => {
        assert.match(error.stack ?? '', /amsh:lines\.js:3:14/)
        return true
      }
    )
  })

  test('await in a nested non-async function is the syntax error it is', () => {
    const error = parseError('await 1; function g() { await 2 }')
    assert.equal(error.message, 'Unexpected token "2" after "await 1; function g() { await"')
    assert.deepEqual(error.details, { line: 1, column: 31 })
  })

  test('a syntax error after a top-level await', () => {
    const error = parseError('await 1\nx = = 2')
    assert.equal(error.message, 'Unexpected token "=" after "await 1 x ="')
    assert.deepEqual(error.details, { line: 2, column: 5 })
  })
})

describe('compileLine: syntax errors', () => {
  const cases: [string, string, number, number][] = [
    // acorn says "Unexpected token"; the message says which, and after what.
    ['x = = 1', 'Unexpected token "=" after "x ="', 1, 5],
    ['foo bar', 'Unexpected token "bar" after "foo"', 1, 5],
    ['a = 1\nb = "abc', 'Unterminated string constant', 2, 5],
    ['let x = 1; let x = 2', "Identifier 'x' has already been declared", 1, 16],
    ['return 1', "'return' outside of function", 1, 1],
    ['foo(', 'Unexpected token: the line ends too soon after "foo("', 1, 5],
  ]
  for (const [code, message, line, column] of cases) {
    test(JSON.stringify(code), () => {
      const error = parseError(code)
      assert.equal(error.message, message)
      assert.deepEqual(error.details, { line, column })
    })
  }
})

describe('Groovy idioms explain syntax errors', () => {
  const cases: [string, string, number, number][] = [
    ['def x = 1', '"def" is Groovy; in JavaScript declare with let (or const): let x = 1', 1, 1],
    ['def cfg = [:]', 'let cfg = {}', 1, 1],
    [
      'def greet(name) {\n  println("hi")\n}',
      'define a function: function greet(name) { ... }',
      1,
      1,
    ],
    ['items.each { it -> println(it) }', 'in JavaScript: for (const it of items) { ... }', 1, 1],
    ['items.each { println it }', 'for (const it of items) { ... }', 1, 1],
    [
      'for (;;) {\n  am.scripts.each { s ->\n    println(s)\n  }\n}',
      'for (const s of am.scripts) {',
      2,
      3,
    ],
    ['m.each { k, v -> println(k) }', 'for (const [k, v] of Object.entries(m)) { ... }', 1, 1],
    ['items.eachWithIndex { x, i -> print(i) }', 'for (const [i, x] of items.entries())', 1, 1],
    ['names = items.collect { it.name }', 'items.map(it => it.name)', 1, 9],
    ['big = items.findAll { it.size > 3 }', 'items.filter(it => it.size > 3)', 1, 7],
    ['items.find { it.id == 3 }', 'items.find(it => it.id == 3)', 1, 1],
    ['items.any { it.ok }', 'items.some(it => it.ok)', 1, 1],
    ['items.every { it.ok }', 'items.every(it => it.ok)', 1, 1],
    ['get(x).items.collect { v ->\n  v * 2\n}', 'get(x).items.map(v => ...)', 1, 1],
    [
      'println "x"',
      'println without parentheses is Groovy; in JavaScript call it: println("x")',
      1,
      1,
    ],
    ['println x', 'println(x)', 1, 1],
    ['if (a) { print "a" + b }', 'print("a" + b)', 1, 10],
    ['n = name ?: "none"', '"?:" (Elvis) is Groovy; in JavaScript: name ?? "none"', 1, 10],
    ['cfg = [fqdn: "x", port: 1]', 'write an object: { fqdn: "x", port: 1 }', 1, 7],
    // Seen in real batch files: the suggestion is JavaScript, or there is none.
    [
      'def cfg = [fqdn: System.getenv("FQDN") ?: "default.example.com"]',
      'declare with let (or const): let cfg = {fqdn: System.getenv("FQDN") ?? "default.example.com"}',
      1,
      1,
    ],
    [
      'run("x", [fqdn: System.getenv("FQDN") ?: "default.example.com",\n  port: 8443])',
      'write an object: { fqdn: System.getenv("FQDN") ?? "default.example.com", ... }',
      1,
      10,
    ],
    [
      'def cfg = [a: 1, b: [c: 2]]',
      '"def" is Groovy; in JavaScript declare with let (or const)',
      1,
      1,
    ],
    ['s = """"""', 'write a template literal: `...`', 1, 5],
    ['cfg = ["a-b": 1]', '{ "a-b": 1 }', 1, 7],
    ['cfg = [:]', '"[:]" is an empty Groovy map; in JavaScript: {}', 1, 7],
    ['cfg = [\n  fqdn: "x",\n  port: 1\n]', '{ fqdn: "x", ... }', 1, 7],
    ['s = """abc"""', 'write a template literal: `abc`', 1, 5],
    ['s = """\nline\n"""', '"""...""" is a Groovy multi-line string', 1, 5],
    ["s = '''x'''", "'''...''' is a Groovy multi-line string", 1, 5],
    [
      'try {\n  f()\n} catch (Exception e) {\n  print(e)\n}',
      'catches every error: catch (e)',
      3,
      3,
    ],
    ['try { f() } catch(IOException | RuntimeException e) {}', 'catch (e)', 1, 13],
    ['String s = "a"', '"String s" is a Groovy typed declaration', 1, 1],
    ['String s = "a"', 'declare with let (or const): let s = "a"', 1, 1],
    ['int i = 0', 'let i = 0', 1, 1],
    ['Map<String, Object> m = [:]', 'let m = {}', 1, 1],
    ['List l', 'let l', 1, 1],
    ['final java.util.List<String> names = []', 'let names = []', 1, 1],
    ['String greet(String name) {\n  return name\n}', 'function greet(name) { ... }', 1, 1],
    ['for (String s : items) { print(s) }', 'in JavaScript: for (const s of items)', 1, 1],
    [
      'for (const x of xs) {\n  delete Scripts --realm / --id ${x._id}\n}',
      'inside JavaScript, run commands with run(): await run(`delete Scripts --realm / --id ${x._id}`)',
      2,
      3,
    ],
    ['if (ok) {\n  read Scripts --id x\n}', 'await run(`read Scripts --id x`)', 2, 3],
  ]
  for (const [code, fragment, line, column] of cases) {
    test(`${JSON.stringify(code)}: ${fragment}`, () => {
      const error = parseError(code)
      assert.ok(error.message.includes(fragment), error.message)
      assert.deepEqual(error.details, { line, column })
    })
  }

  test('of two idioms on the line, the one at the error', () => {
    // The error is at `x`, inside `def x`, not at `?:`.
    assert.match(parseError('def x = a ?: b').message, /"def" is Groovy/)
    // `{` is where acorn stops: the closure, not the println inside it.
    assert.match(parseError('xs.each { println it }').message, /closure/)
  })

  test('an idiom on another line does not explain the error', () => {
    assert.equal(groovyIdiomAt('y = = 2\ndef x = 1', { line: 1, column: 5 }), undefined)
    assert.equal(groovyIdiomAt('x = a ?: b\n\n\ny = = 2', { line: 4, column: 5 }), undefined)
  })

  test('an idiom that ends the line before the error explains it', () => {
    const idiom = groovyIdiomAt('cfg = [\n  fqdn: "x"\n]', { line: 2, column: 7 })
    assert.equal(idiom?.line, 1)
  })

  test('no idiom: the plain syntax error', () => {
    for (const code of ['foo bar', 'x = = 1', 'a.b(']) {
      assert.equal(groovyIdiomAt(code, { line: 1, column: 5 }), undefined, code)
    }
  })

  test('idioms inside strings and comments are not seen', () => {
    assert.equal(groovyIdiomAt('x = = "def y" // println x', { line: 1, column: 5 }), undefined)
    assert.equal(groovyIdiomAt("x = = 'a ?: b' /* [:] */", { line: 1, column: 5 }), undefined)
  })
})

describe('GStrings', () => {
  test('a GString in code that parses is refused', () => {
    const error = parseError('let s = "myDataStore$i"')
    assert.equal(
      error.message,
      '"myDataStore$i" is a Groovy GString; JavaScript interpolates only in template literals: `myDataStore${i}`'
    )
    assert.deepEqual(error.details, { line: 1, column: 9 })
  })

  test('also in a line with top-level await', () => {
    assert.match(parseError('await run("read Scripts --id ${id}")').message, /GString/)
  })

  const flagged: [string, string, number, number][] = [
    ['"a ${b}"', '`a ${b}`', 1, 1],
    ['x = 1\ny = "$user.name!"', '`${user.name}!`', 2, 5],
    ['"$a and $b"', '`${a} and ${b}`', 1, 1],
    ['"${a.map(x => `${x}`)}"', '`${a.map(x => `${x}`)}`', 1, 1],
    ['"`$x`"', '`\\`${x}\\``', 1, 1],
    ['"$_x"', '`${_x}`', 1, 1],
    ['"\\\\$x"', '`\\\\${x}`', 1, 1], // an escaped backslash, then $x
    ['"$x."', '`${x}.`', 1, 1],
  ]
  for (const [code, template, line, column] of flagged) {
    test(`${code} is ${template}`, () => {
      const found = gstringIn(code)
      assert.ok(found)
      assert.ok(found.message.endsWith(`template literals: ${template}`), found.message)
      assert.deepEqual([found.line, found.column], [line, column])
    })
  }

  const valid = [
    '`myDataStore${i}`',
    "'myDataStore$i'",
    '"myDataStore\\$i"',
    '"$"',
    '"a $ b"',
    '"US$ 5"',
    '"$5"',
    '"^abc$"',
    '"$(x)"',
    '$ + "x"',
    '// "$x"',
    '/* "$x" */',
    '/"$x"/.test(s)',
    'x = `"$x"`',
  ]
  for (const code of valid) {
    test(`${code} is not a GString`, () => {
      assert.equal(gstringIn(code), undefined)
      assert.doesNotThrow(() => compileLine(code))
    })
  }
})

describe('groovyApiIn: Groovy APIs that fail at run time', () => {
  const cases: [string, string, number, number][] = [
    [
      'x = new groovy.json.JsonSlurper().parseText(text)',
      '"new groovy.json.JsonSlurper().parseText(text)" is Groovy; in JavaScript: JSON.parse(text)',
      1,
      5,
    ],
    ['x = new JsonSlurper().parse(t)', 'JSON.parse(t)', 1, 5],
    ['s = JsonOutput.toJson(m)', 'JSON.stringify(m)', 1, 5],
    ['JsonOutput.prettyPrint(JsonOutput.toJson(m))', 'JSON.stringify(m, null, 2)', 1, 1],
    ['s = new JsonBuilder(m).toString()', 'JSON.stringify(m)', 1, 5],
    ['s = new JsonBuilder(m).toPrettyString()', 'JSON.stringify(m, null, 2)', 1, 5],
    ['y = JsonSlurper', 'JSON.parse(text)', 1, 5],
    ["b = 'abc'.bytes.encodeBase64().toString()", "Buffer.from('abc').toString('base64')", 1, 5],
    ['b = s.getBytes("UTF-8").encodeBase64()', "Buffer.from(s).toString('base64')", 1, 5],
    ['t = new String(s.decodeBase64())', "Buffer.from(s, 'base64').toString()", 1, 16],
    ['x = 1\nbinding.variables.each { k, v -> }', 'properties of globalThis', 2, 1],
  ]
  for (const [code, fragment, line, column] of cases) {
    test(code, () => {
      const found = groovyApiIn(code)
      assert.ok(found, code)
      assert.ok(found.message.includes(fragment), found.message)
      assert.deepEqual([found.line, found.column], [line, column])
    })
  }

  for (const code of [
    'x = JSON.parse(y)',
    'a = "JsonSlurper"',
    "Buffer.from(s).toString('base64')",
    'myBinding.variables',
    '// new JsonSlurper()',
  ]) {
    test(`${code} is JavaScript`, () => {
      assert.equal(groovyApiIn(code), undefined)
    })
  }
})

describe('compileLine: positions in a rewritten line map back to what was typed', () => {
  test('columns on the lines the rewrite touched', () => {
    const typed = 'const id = "x"; await run(id)\nawait run(`read ${id}`)'
    const compiled = compileLine(typed)
    assert.equal(compiled.async, true)
    const lines = compiled.code.split('\n')
    // Find where `run` of each line landed in the rewritten code, and map it back.
    const first = lines[0]!.indexOf('run(id)') + 1
    const second = lines[1]!.indexOf('run(`') + 1
    assert.deepEqual(compiled.original(1, first), { line: 1, column: 23 })
    assert.deepEqual(compiled.original(2, second), { line: 2, column: 7 })
  })
})
