import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import {
  checkSource,
  type ScriptLanguage,
  type SourceProblem,
} from '../src/catalog/syntax/index.ts'

const corpus = fileURLToPath(new URL('./corpus/', import.meta.url))

/** Asserts exactly one problem, at line:column, and (if given) with that message. */
async function assertProblem(
  language: ScriptLanguage,
  source: string,
  line: number,
  column: number,
  message?: string
): Promise<void> {
  const problems = await checkSource(language, source)
  assert.equal(problems.length, 1, `expected a problem in ${JSON.stringify(source)}`)
  const [problem] = problems
  assert.deepEqual(
    { line: problem?.line, column: problem?.column },
    { line, column },
    `${JSON.stringify(source)}: ${problem?.message}`
  )
  if (message !== undefined) assert.equal(problem?.message, message)
}

async function assertValid(language: ScriptLanguage, source: string): Promise<void> {
  assert.deepEqual(await checkSource(language, source), [], JSON.stringify(source))
}

describe('the corpus of real AM scripts', () => {
  for (const [language, dir] of [
    ['JAVASCRIPT', 'javascript'],
    ['GROOVY', 'groovy'],
  ] as const) {
    test(`every ${dir} script parses`, async () => {
      const files = readdirSync(join(corpus, dir)).sort()
      assert.ok(files.length >= 80, `only ${files.length} ${dir} scripts in the corpus`)
      const failures: string[] = []
      for (const file of files) {
        const problems = await checkSource(language, readFileSync(join(corpus, dir, file), 'utf8'))
        for (const p of problems) failures.push(`${file}:${p.line}:${p.column}: ${p.message}`)
      }
      assert.deepEqual(failures, [])
    })
  }

  test('SOURCES.md names every file, and only files that exist', () => {
    const listed = [
      ...readFileSync(join(corpus, 'SOURCES.md'), 'utf8').matchAll(/^\| `([^`]+)` \|/gm),
    ]
      .map((m) => m[1])
      .sort()
    const present = ['javascript', 'groovy', 'python', 'java']
      .flatMap((dir) => readdirSync(join(corpus, dir)).map((file) => `${dir}/${file}`))
      .sort()
    assert.deepEqual(listed, present)
  })
})

describe('broken JavaScript is flagged where it breaks', () => {
  const cases: [string, string, number, number, string][] = [
    [
      'unclosed brace',
      'function f() {\n  if (x) {\n    return 1\n}',
      1,
      14,
      'missing "}" to close "{"',
    ],
    ['unclosed call', 'action = fr.Action.goTo("true").build(', 1, 38, 'missing ")" to close "("'],
    ['stray )', 'var x = foo(1, 2));', 1, 18, 'unexpected ")"'],
    ['bad operator', 'var x = 1 +* 2;', 1, 12, 'unexpected "*"'],
    ['unterminated string', 'var s = "abc;\nvar y = 2;', 1, 9, 'unterminated string'],
    ['var without a name', 'var = 5;', 1, 5, 'unexpected "="'],
    ['missing ) before ;', 'logger.message("a" + b;', 1, 23, 'unexpected ";"'],
    ['missing comma in object', 'var o = { a: 1 b: 2 };', 1, 16, 'unexpected "b"'],
    [
      'unterminated comment',
      'var x = 1;\n/* never closed\nvar y = 2;',
      2,
      1,
      'unterminated comment',
    ],
    ['else else', 'if (x) { y(); } else else { z(); }', 1, 22, 'unexpected "else"'],
    [
      'missing ) in parameters',
      'var f = function (a, b {\n  return a + b;\n};',
      1,
      24,
      'unexpected "{"',
    ],
    ['dangling operator', 'x = y +\n', 2, 1, 'unexpected end of script'],
    // Real mistakes from the wider set of scripts (see test/corpus/SOURCES.md).
    ['a Java declaration in JavaScript', 'String s = "x";', 1, 8, 'unexpected "s"'],
    ['HTML-escaped code', 'if (a &lt; b) { c(); }', 1, 10, 'unexpected ";"'],
  ]
  for (const [name, source, line, column, message] of cases) {
    test(name, () => assertProblem('JAVASCRIPT', source, line, column, message))
  }

  // Rhino compiles a script as a program, so it rejects `return` outside a function
  // ("invalid return"); acorn is not told to allow it.
  test('a top-level return', () =>
    assertProblem(
      'JAVASCRIPT',
      'if (cond) {\n  return;\n}',
      2,
      3,
      '"return" outside of a function'
    ))
})

describe('Rhino extensions to JavaScript', () => {
  // From companieshouse/forgerock-cloud-config ch-send-consent-response.js (not in the corpus: it
  // carries a secret-looking literal).
  test('for each (x in xs) is accepted', () =>
    assertValid(
      'JAVASCRIPT',
      'var cookies = header.split(";");\nfor each (cookie in cookies) {\n  logger.error(cookie);\n}\nfor each (var c in cookies) logger.error(c);'
    ))

  test('"for each" is left alone in strings, comments and names', () =>
    assertValid(
      'JAVASCRIPT',
      'var s = "for each (x in y)"; // for each (x in y)\nvar each = 1; for (each in o) {}'
    ))

  test('for each over "of" is refused, as Rhino does', () =>
    assertProblem('JAVASCRIPT', 'for each (var x of xs) { y(x); }', 1, 5, 'invalid for each loop'))

  test('a broken for each is still flagged at the break', () =>
    assertProblem('JAVASCRIPT', 'for each (x in xs { y(x); }', 1, 19, 'unexpected "{"'))

  test('a plain for loop still works', () =>
    assertValid(
      'JAVASCRIPT',
      'for (var i = 0; i < 3; i++) {}\nfor (var k in o) {}\nfor (const v of a) {}'
    ))

  // Zero-width spaces pasted from web pages: Rhino drops format characters outside strings.
  test('zero-width and other format characters are ignored', () =>
    assertValid(
      'JAVASCRIPT',
      'var a = 1;\n\u200B\nvar\u200B b = 2;\u200C\u200D\u2060\nvar c\u200B = "\u200B";'
    ))

  test('errors after format characters point at the user’s column', () =>
    assertProblem('JAVASCRIPT', '\u200B\u200Bvar x = ;', 1, 11, 'unexpected ";"'))

  test('errors on later lines are not shifted by format characters', () =>
    assertProblem(
      'JAVASCRIPT',
      'var a\u200B = 1;\u200B\u200B\nvar b = 1 +* 2;',
      2,
      12,
      'unexpected "*"'
    ))
})

describe('broken Groovy is flagged where it breaks', () => {
  const cases: [string, string, number, number, string][] = [
    ['unclosed brace', 'def f() {\n  if (x) {\n    return 1\n}', 1, 9, 'missing "}" to close "{"'],
    ['missing closure brace', 'list.each { it ->\n  println it', 1, 11, 'missing "}" to close "{"'],
    ['missing ) in if', 'if (x > 1 {\n  y = 2\n}', 1, 4, 'missing ")" to close "("'],
    ['stray )', 'x = foo(1, 2))\ny = 2', 1, 14, 'unexpected ")"'],
    ['stray }', 'x = 1\n}\ny = 2', 2, 1, 'unexpected "}"'],
    ['bad operator', 'def x = 1 +* 2', 1, 12, 'unexpected "*"'],
    ['unterminated double-quoted string', 'def s = "abc\ndef y = 2', 1, 9, 'unterminated string'],
    ['unterminated single-quoted string', "def s = 'abc", 1, 9, 'unterminated string'],
    ['def without a name', 'def = 5', 1, 5, 'unexpected "="'],
    ['map entry without a value', 'def m = [a: 1, b: ]', 1, 18, 'missing name or value'],
    ['missing ) in parameters', 'def f(a, b {\n  a + b\n}', 1, 11, 'missing ")"'],
    ['unclosed list', 'x = [1, 2\ny = 3', 1, 10, 'missing "]"'],
    ['catch without parameter', 'try { x() } catch { y() }', 1, 13, 'unexpected "catch"'],
    ['dangling operator in a call', 'logger.message("hello" + )', 1, 24, 'unexpected "+"'],
    ['unclosed call', 'def x = new Date(\n', 1, 18, 'missing ")"'],
    // As shipped in am-external's authnScriptExample.groovy: HTML-escaped code.
    [
      'HTML-escaped code',
      'if (now.getHours() &lt; START_TIME || now.getHours() &gt; END_TIME) {\n  authState = FAILED\n}',
      1,
      23,
      'unexpected ";"',
    ],
  ]
  for (const [name, source, line, column, message] of cases) {
    test(name, () => assertProblem('GROOVY', source, line, column, message))
  }
})

describe('Groovy constructs the tree-sitter grammar gets wrong', () => {
  // 1. A statement starting with `[` on a new line is a new statement, not a subscript.
  test('a map literal opening a line is a statement (OIDC Claims Script)', () =>
    assertValid(
      'GROOVY',
      'parseLocaleAwareString = { s ->\n    return result = s.split(",").collectEntries { entry ->\n        split = entry.split("\\\\|")\n        [(split[0]): value = split[1]]\n    }\n}'
    ))

  test('a map literal opening a line, then used', () =>
    assertValid('GROOVY', 'x = foo()\n[a: 1].each { k, v -> println k }'))

  test('a broken map literal opening a line is still flagged, at the user’s column', () =>
    assertProblem('GROOVY', 'a = b\n[k: 1] +* 2', 2, 9, 'unexpected "*"'))

  test('a broken map entry opening a line is still flagged', () =>
    assertProblem('GROOVY', 'split = entry.split("|")\n[(split[0]): ]', 2, 12, 'unexpected ":"'))

  // Where the line break is inside a call, a statement cannot start there: the repair would make
  // an error on its own `;`, so the error from the user's text is reported.
  test('a line break inside a call is not taken for a statement start', () =>
    assertProblem('GROOVY', 'foo(a\n[b: 1])', 1, 6, 'missing ")"'))

  // 2. A closure as trailing argument of a call, inside parentheses, brackets or a ternary.
  for (const source of [
    'if (list.any { it > 1 }) { x = 1 }',
    'def m = [a: list.collect { it }]',
    'y = a ? list.collect { it } : null',
    'y = (list.collect { it })',
    'bar(list.collect { it * 2 }, other.find() { it })',
    'r = { claim, identity -> [ "authorities" : identity.getAttribute("isMemberOf").collect{ group -> group.split(",")[0].split("=")[1] }.join(",") ] }',
  ]) {
    test(`closure argument: ${source.slice(0, 40)}`, () => assertValid('GROOVY', source))
  }

  test('a broken call with a closure argument is still flagged, at the user’s column', () =>
    assertProblem('GROOVY', 'y = (list.collect { it }) +* 2', 1, 28, 'unexpected "*"'))

  test('an error after a closure argument is still flagged', () =>
    assertProblem('GROOVY', 'if (list.any { it > 1 }) { x = 1 ) }', 1, 34, 'unexpected ")"'))

  test('an error inside a closure argument is still flagged', () =>
    assertProblem('GROOVY', 'def m = [a: list.collect { it ) }]', 1, 31, 'unexpected ")"'))

  // 3. An untyped catch parameter.
  test('catch (e) without a type (OIDC Claims Script)', () =>
    assertValid(
      'GROOVY',
      'value.each { i ->\n    try {\n        jsonSet.add(toJson(i))\n    } catch(e) {\n        jsonSet.add(i)\n    }\n};'
    ))

  test('typed and multi-type catches still work', () =>
    assertValid(
      'GROOVY',
      'try { a() } catch (IOException e) { b() }\ntry { a() } catch (IOException | RuntimeException e) { b() }'
    ))

  test('catch with a dotted name is not an untyped parameter', () =>
    assertProblem('GROOVY', 'try { a() } catch (e.f) { b() }', 1, 23, 'missing name or value'))

  test('a broken block after catch (e) is still flagged', () =>
    assertProblem('GROOVY', 'try { a() } catch (e) { b( }', 1, 28, 'unexpected "}"'))

  test('an unclosed catch parameter is still flagged', () =>
    assertProblem('GROOVY', 'try { a() } catch (e { b() }', 1, 22, 'unexpected "{"'))

  // 4. Modifiers and annotations on a variable.
  for (const source of [
    'final x = 1',
    'final String x = "a"',
    'final x = 1, y = 2',
    'final (a, b) = [1, 2]',
    'final def x = 1\nfinal var y = 2',
    'final Map<String, List<String>> m = [:]',
    'final String[] names = []\nfinal java.util.List l = []',
    'final /* why */ String s = "a"',
    'final\nx = 1',
    'import groovy.transform.Field\n@Field def counter = 0',
    '@groovy.transform.Field String s = "a"',
    '@Field String s = "a"\n@Field final x = 1\n@Field static final List<String> L = ["a"]',
    '@Field private Map<String, List<String>> cache = [:]',
    '@groovy.transform.Field\ndef counter = 0',
    '@SuppressWarnings("unused") def y = f(1)',
    'def f() {\n  final y = 2\n  y\n}',
    'list.each { final y = it }',
    'def normalise(final String s, final t) { s + t }',
    'm.get(k, { final claim, identity -> claim })',
    'try { a() } catch (final IOException e) { b() }',
    'for (final int i = 0; i < 3; i++) {}\nfor (final i = 0; i < 3; i++) {}',
    'class A {\n  static x = 1\n  private final cache = [:]\n}',
  ]) {
    test(`modifiers: ${JSON.stringify(source).slice(1, 50)}`, () => assertValid('GROOVY', source))
  }

  // Error recovery swallows what follows a construct it cannot place; the rounds of repairs must
  // still get through a script full of them.
  test('many of these constructs in a row', () => {
    const lines = [
      (i: number) => `@Field static final String C${i} = "${i}"`,
      (i: number) => `final v${i} = C${i - 1}`,
      (i: number) => `def f${i} = (x) -> x + v${i - 1}`,
      (i: number) => `for (String s : list${i}) { println s }`,
      (i: number) => `synchronized (lock${i}) { n++ }`,
    ]
    return assertValid(
      'GROOVY',
      Array.from({ length: 40 }, (_, i) => lines[i % lines.length]?.(i)).join('\n')
    )
  })

  test('an error after a declaration with modifiers is flagged at the user’s column', async () => {
    await assertProblem('GROOVY', 'final x = 1 +* 2', 1, 14, 'unexpected "*"')
    await assertProblem('GROOVY', 'final String x = "a', 1, 18, 'unterminated string')
    await assertProblem('GROOVY', '@Field def counter = 0\ncounter++)', 2, 10, 'unexpected ")"')
  })

  test('an error after an annotated declaration is flagged at the user’s column', () =>
    assertProblem(
      'GROOVY',
      '@Field static final List<String> L = ["a"] +* 1',
      1,
      45,
      'unexpected "*"'
    ))

  test('an error in a method with final parameters is still flagged', () =>
    assertProblem(
      'GROOVY',
      'def f(final String s) {\n  final t = foo(s))\n}',
      2,
      19,
      'unexpected ")"'
    ))

  test('a broken catch with final is still flagged', () =>
    assertProblem(
      'GROOVY',
      'try { a() } catch (final IOException e { b() }',
      1,
      40,
      'unexpected "{"'
    ))

  // Groovy: "Modifier 'static' not allowed here" (on a local variable, without @Field).
  test('static on a local variable is still refused', () =>
    assertProblem('GROOVY', 'static x = 1', 1, 8, 'unexpected "x"'))

  test('final on something that is not a declaration is still refused', async () => {
    await assertProblem('GROOVY', 'final x.y = 1', 1, 7, 'unexpected "x"')
    await assertProblem('GROOVY', 'final map["k"] = 1', 1, 7, 'unexpected "map"')
    await assertProblem('GROOVY', 'final final x = 1', 1, 7, 'unexpected "final"')
  })

  // 5. for-in loop variables with a type or modifiers, and `:` for `in`.
  for (const source of [
    'for (String s in list) {}',
    'for (final x in xs) { a() }',
    'for (def x in xs) {}',
    'for (String s : list) { println s }',
    'for (final Map.Entry<String, Integer> e : m.entrySet()) { println e.key }',
    'for (x:xs) {}',
  ]) {
    test(`for-in: ${source.slice(0, 40)}`, () => assertValid('GROOVY', source))
  }

  test('an error in a typed for-in loop is flagged at the user’s column', () =>
    assertProblem('GROOVY', 'for (String s : list) { a( }', 1, 28, 'unexpected "}"'))

  test('a for-in loop with `:` and no collection is still flagged', () =>
    assertProblem('GROOVY', 'for (String s : ) {}', 1, 16, 'missing name or value'))

  test('a for-in variable with a modifier Groovy refuses is still flagged', () =>
    assertProblem('GROOVY', 'for (static s in list) {}', 1, 1, 'unexpected "for"'))

  // 6. synchronized blocks.
  test('synchronized (lock) { ... }', () =>
    assertValid(
      'GROOVY',
      'synchronized (lock) { println "x" }\nlist.each { i ->\n  synchronized (this) {\n    n += i\n  }\n}'
    ))

  test('an error in a synchronized block is flagged at the user’s column', () =>
    assertProblem('GROOVY', 'synchronized (lock) { a( }', 1, 26, 'unexpected "}"'))

  test('synchronized without a block, or with an else, is still flagged', async () => {
    await assertProblem(
      'GROOVY',
      'synchronized (lock) println "x"',
      1,
      1,
      'unexpected "synchronized"'
    )
    await assertProblem(
      'GROOVY',
      'synchronized (lock) { } else { }',
      1,
      1,
      'unexpected "synchronized"'
    )
    await assertProblem('GROOVY', 'synchronized () { }', 1, 15, 'missing name or value')
  })

  // 7. Java-style lambdas.
  for (const source of [
    'def f = (a) -> a + 1',
    'def g = (a, b) -> a + b',
    'def h = (a) -> { a + 1 }',
    'def k = () -> 1',
    'def i = x -> x',
    'list.stream().map(x -> x * 2).filter((String s) -> !s.isEmpty())',
    'list.sort((a, b) -> a <=> b)',
    'new Thread(() -> { println "hi" }).start()',
    'def curried = (x) -> (y) -> x + y',
    'def m = [a: (x) -> x, b: cond ? (y) -> 1 : (z) -> 2]',
    'def f = (\n  a,\n  b\n) -> {\n  a + b\n}',
  ]) {
    test(`lambda: ${JSON.stringify(source).slice(1, 50)}`, () => assertValid('GROOVY', source))
  }

  test('an error in a lambda’s body is flagged at the user’s column', async () => {
    await assertProblem('GROOVY', 'def f = (a) -> a +* 2', 1, 19, 'unexpected "*"')
    await assertProblem('GROOVY', 'list.stream().map(x -> x *)', 1, 26, 'unexpected "*"')
    await assertProblem('GROOVY', 'def f = (a) -> { a( }', 1, 21, 'unexpected "}"')
    await assertProblem('GROOVY', 'def f = (a) ->', 1, 15, 'missing name or value')
  })

  test('broken lambda parameters are still flagged', () =>
    assertProblem('GROOVY', 'def f = (a, ) -> a', 1, 11, 'unexpected ","'))

  // Groovy takes `x -> ...` without parentheses only as a value assigned or an argument, and a
  // lambda's body is an expression, not a command.
  test('lambdas where Groovy refuses them are still flagged', async () => {
    await assertProblem('GROOVY', '[a, x -> x]', 1, 7, 'unexpected "->"')
    await assertProblem('GROOVY', 'list.each(x -> println x)', 1, 24, 'unexpected "x"')
    await assertProblem('GROOVY', 'def f(x, (a) -> b) {}', 1, 11, 'unexpected "a"')
    await assertProblem('GROOVY', 'def f = x -> y -> x', 1, 17, 'unexpected ">"')
  })

  test('text in strings and comments that looks like these constructs is left alone', () =>
    assertProblem(
      'GROOVY',
      '// final x = 1\ndef s = "for (String a : b) {}"\ndef t = "x -> y" +* 1',
      3,
      19,
      'unexpected "*"'
    ))
})

describe('positions', () => {
  test('columns count UTF-16 units (as Rhino does), CRLF ends a line once', async () => {
    await assertProblem('JAVASCRIPT', 'var s = "é";\r\nvar t = "😀" +* 1;', 2, 15, 'unexpected "*"')
    await assertProblem('GROOVY', 'def s = "é"\r\ndef t = "😀" +* 1', 2, 15, 'unexpected "*"')
  })

  // acorn gives up near 700 levels, with a "syntax error" that would wrongly reject the script.
  test('deep nesting is not taken for an error', async () => {
    const deep = `x = ${'('.repeat(5000)}1${')'.repeat(5000)}`
    await assertValid('JAVASCRIPT', deep)
    await assertValid('GROOVY', deep)
  })

  // Unbalanced, the same depth is reported: a check of the tokens alone, without recursion.
  test('deep nesting that never closes is an error at its innermost opener', async () => {
    await assertProblem('JAVASCRIPT', '('.repeat(50_000), 1, 50_000, 'missing ")" to close "("')
    await assertProblem('JAVASCRIPT', `x = ${'['.repeat(50_000)}1`, 1, 50_004)
    await assertProblem('JAVASCRIPT', `x = ${'('.repeat(5000)}1${')'.repeat(4999)}]`, 1, 10_005)
    await assertProblem('JAVASCRIPT', `x = ${'('.repeat(5000)}"1${')'.repeat(5000)}`, 1, 5005)
  })

  test('an empty source is valid', async () => {
    await assertValid('JAVASCRIPT', '')
    await assertValid('GROOVY', '')
  })
})

// What a hostile or mangled source may do to a checker: take it down (acorn's recursion once
// aborted node outright on 3 KB of `${`), or make it work for minutes (tree-sitter's error
// recovery is quadratic on some broken text). Each gets an answer in bounded time.
describe('hostile sources: an answer in bounded time, never a crash', () => {
  const LIMIT_MS = 2000

  async function answer(language: ScriptLanguage, source: string): Promise<SourceProblem[]> {
    const started = performance.now()
    const problems = await checkSource(language, source)
    const took = performance.now() - started
    assert.ok(took < LIMIT_MS, `${language} took ${Math.round(took)} ms on ${source.slice(0, 20)}…`)
    return problems
  }

  // n = 100,000 for JavaScript (100,000 `(`); Groovy gets a quarter: tree-sitter reads such text
  // into a flat ERROR, so more of it costs time in proportion and shows nothing new.
  const sources: [string, (n: number) => string][] = [
    ['`${ 1,000 times (3 KB)', () => '`${'.repeat(1000)],
    ['`${` 1,000 times', () => '`${`'.repeat(1000)],
    ['`${ nested and closed', () => `x = ${'`${'.repeat(1000)}1${'}`'.repeat(1000)}`],
    ['"${ 1,000 times', () => '"${'.repeat(1000)],
    ['( nested deep', (n) => '('.repeat(n)],
    ['[ nested deep', (n) => '['.repeat(n)],
    ['{ nested deep', (n) => '{'.repeat(n)],
    ['${ again and again', (n) => '${'.repeat(n / 2)],
    ['calls opened, never closed', (n) => 'f('.repeat(n / 2)],
    ['a long run of one operator', (n) => `x = ${'-'.repeat(n)}1`],
    ['a long chain of assignments', (n) => `${'a='.repeat(n / 3)}1`],
    ['a long run of quotes', (n) => '"'.repeat(n + 1)],
    ['a long run of comment openers', (n) => '/*'.repeat(n / 2)],
    ['a line of a million characters', () => `x = ${'1'.repeat(1_000_000)}`],
  ]
  for (const [name, source] of sources) {
    for (const [language, n] of [
      ['JAVASCRIPT', 100_000],
      ['GROOVY', 25_000],
    ] as const) {
      test(`${language}: ${name}`, async () => {
        const problems = await answer(language, source(n))
        for (const problem of problems) {
          assert.ok(problem.line >= 1 && problem.column >= 1 && problem.message !== '')
        }
      })
    }
  }

  test('JAVASCRIPT: `${ 1,000 times is an unclosed ${, where it opens', async () => {
    assert.deepEqual(await answer('JAVASCRIPT', '`${'.repeat(1000)), [
      { line: 1, column: 2999, message: 'missing "}" to close "${"' },
    ])
  })

  // Text on which tree-sitter's error recovery took 5 to 16 s: the check gives up in time (about
  // a second: these tests cannot be quicker), and says where the parser stood.
  const slowForTreeSitter: [string, string][] = [
    ['x=> 16,000 times', `${'x=>'.repeat(16_000)}1`],
    ['50,000 annotations in a row', '@A '.repeat(50_000)],
  ]
  for (const [name, source] of slowForTreeSitter) {
    test(`GROOVY: ${name}`, async () => {
      const problems = await answer('GROOVY', source)
      assert.equal(problems.length, 1, JSON.stringify(problems))
    })
  }

  test('GROOVY: giving up past a valid start names the line it got lost on; the next check starts afresh', async () => {
    const source = `${'def x = 1\n'.repeat(1000)}${'\\$'.repeat(16_000)}`
    const [problem] = await answer('GROOVY', source)
    assert.ok(problem !== undefined && problem.line === 1001, JSON.stringify(problem))
    assert.match(problem.message, /too broken to check: the parser gave up after [\d.]+ s/)
    await assertValid('GROOVY', 'def x = 1\nprintln x')
    await assertProblem('GROOVY', 'def x = (', 1, 9)
  })
})

test('importing the module loads no parser', () => {
  // A fresh process: in this one the parsers are loaded already.
  const probe = `
    import { createRequire } from 'node:module'
    const require = createRequire(import.meta.url)
    const loaded = () => Object.keys(require.cache).some((k) => k.includes('tree-sitter'))
    const { checkSource } = await import('./src/catalog/syntax/index.ts')
    const before = loaded()
    await checkSource('GROOVY', 'x = 1')
    console.log(JSON.stringify({ before, after: loaded() }))
  `
  const root = fileURLToPath(new URL('..', import.meta.url))
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], {
    cwd: root,
    encoding: 'utf8',
  })
  assert.equal(run.status, 0, run.stderr)
  assert.deepEqual(JSON.parse(run.stdout.trim()), { before: false, after: true })
})
