// The Python (Jython 2.7) and Java syntax checkers, for Janssen / Gluu custom scripts: every real
// script of the corpus passes, Python 2 constructs are taken, and broken sources are flagged
// where Jython (or javac) would flag them. Every invalid Python source below was checked to be
// rejected by Jython 2.7.3.

import assert from 'node:assert/strict'
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

async function problemOf(language: ScriptLanguage, source: string): Promise<SourceProblem> {
  const problems = await checkSource(language, source)
  assert.equal(problems.length, 1, `expected one problem in ${JSON.stringify(source)}`)
  return problems[0]!
}

describe('the corpus of real Janssen / Gluu custom scripts', () => {
  for (const [language, dir, least] of [
    ['PYTHON', 'python', 100],
    ['JAVA', 'java', 30],
  ] as const) {
    test(`every ${dir} script parses`, async () => {
      const files = readdirSync(join(corpus, dir)).sort()
      assert.ok(files.length >= least, `only ${files.length} ${dir} scripts in the corpus`)
      const failures: string[] = []
      for (const file of files) {
        const problems = await checkSource(language, readFileSync(join(corpus, dir, file), 'utf8'))
        for (const p of problems) failures.push(`${file}:${p.line}:${p.column}: ${p.message}`)
      }
      assert.deepEqual(failures, [])
    })
  }
})

describe('Python 2 and Jython constructs are taken', () => {
  const valid: [string, string][] = [
    ['print statements', 'print "hi"\nprint\nprint >>sys.stderr, "x",\nprint "a %s" % (b,), c\n'],
    ['exec statements', 'exec "x = 1"\nexec code in g, l\n'],
    ['except E, e', 'try:\n    pass\nexcept (A, B), e:\n    pass\nexcept E, e:\n    pass\n'],
    ['backticks', 'x = `y`\n'],
    ['<>', 'if a <> b:\n    pass\n'],
    ['old octals and long integers', 'x = 0777 + 10L + 0xFFl\n'],
    ["ur'' and b'' strings", "s = ur'x' + UR\"y\" + b'z' + br'w'\n"],
    ['raise E, v, tb', "raise E, 'x', tb\n"],
    ['tuple parameters', 'def f(x, (a, b)):\n    return lambda (c, d): c\n'],
    ['True and False as names', 'True = 1\nFalse = 0\n'],
    [
      'keywords after a dot',
      'from io.jans.as.server.service import X\nfrom a.service.async import Y\nx.print(1)\ny = a.if\n',
    ],
    [
      'a string left open at the end of a line',
      'if x:\n    print \'Its a weak password."\n    y = 1\n',
    ],
    [
      'tabs mixed with spaces, as Python 2 counts them',
      'class A:\n    def f(self):\n    \tif x:\n\t\t    return 1\n        return 2\n',
    ],
    ['async and await as names', 'async = 1\nawait = 2\n'],
    ['CRLF line ends', 'def f():\r\n    return 1\r\n'],
    ['an empty script', ''],
  ]
  for (const [name, source] of valid) {
    test(name, async () => assert.deepEqual(await checkSource('PYTHON', source), []))
  }
})

describe('broken Python is flagged where it breaks', () => {
  const cases: [string, string, number, number, string][] = [
    ['unclosed paren', 'x = foo(1,\ny = 2\n', 1, 8, 'missing ")" to close "("'],
    ['missing colon after def f()', 'def f()\n    pass\n', 1, 8, 'missing ":"'],
    ['missing colon after for', 'for x in y\n    pass\n', 1, 11, 'missing ":"'],
    ['no indented block', 'def f():\nreturn 1\n', 2, 1, 'expected an indented block'],
    ['unexpected indent', 'if x:\n    a = 1\n        b = 2\n', 3, 9, 'unexpected indent'],
    [
      'unindent to no outer level',
      'class A:\n    def f(self):\n        return 1\n      x = 2\n',
      4,
      7,
      'unindent does not match any outer indentation level',
    ],
    ['operand missing', 'x = 1 +\n', 1, 8, 'missing name or value after "+"'],
    ['unterminated triple-quoted string', 'x = """abc\n', 1, 5, 'unterminated string'],
    ['stray closer', 'x = )\n', 1, 5, 'unexpected ")"'],
    ['mismatched bracket', 'x = [1, 2}\n', 1, 10, 'unexpected "}"'],
    [
      'an open string swallowing its bracket',
      "foo('a b)\nbar()\n",
      1,
      4,
      'missing ")" to close "("',
    ],
  ]
  for (const [name, source, line, column, message] of cases) {
    test(name, async () => {
      assert.deepEqual(await problemOf('PYTHON', source), { line, column, message })
    })
  }
})

describe('broken Java is flagged where it breaks', () => {
  const cases: [string, string, number, number, string][] = [
    ['missing semicolon', 'class A {\n  void f() {\n    int x = 1\n  }\n}\n', 3, 14, 'missing ";"'],
    [
      'unclosed brace',
      'class A {\n  void f() {\n    g();\n  }\n',
      1,
      9,
      'missing "}" to close "{"',
    ],
    ['value missing', 'class A { int x = ; }\n', 1, 17, 'unexpected "="'],
  ]
  for (const [name, source, line, column, message] of cases) {
    test(name, async () => {
      assert.deepEqual(await problemOf('JAVA', source), { line, column, message })
    })
  }
  test('a valid script', async () => {
    const source =
      'import java.util.Map;\npublic class UpdateToken implements UpdateTokenType {\n  @Override\n  public boolean init(Map<String, SimpleCustomProperty> c) { return true; }\n}\n'
    assert.deepEqual(await checkSource('JAVA', source), [])
  })
})

describe('no input hangs or crashes a check', () => {
  const pathological: [string, string][] = [
    ['deep nesting', '('.repeat(100_000)],
    ['deep nesting, closed', `x = ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`],
    ['a 1 MB line', `x = ${'a + '.repeat(250_000)}a\n`],
    ['a 1 MB broken line', '= ) ( '.repeat(170_000)],
    ['NUL bytes', 'x = 1\0\0\0\ny = "\0"\n'.repeat(1000)],
    [
      'deep indentation',
      Array.from({ length: 5000 }, (_, i) => `${' '.repeat(i)}if x:`).join('\n'),
    ],
    ['open strings', "'\n".repeat(100_000)],
  ]
  for (const language of ['PYTHON', 'JAVA'] as const) {
    for (const [name, source] of pathological) {
      test(`${language}: ${name}`, async () => {
        const start = performance.now()
        const problems = await checkSource(language, source)
        const ms = performance.now() - start
        assert.ok(Array.isArray(problems))
        assert.ok(ms < 1000 + (2 * source.length) / 1024 + 250, `${ms.toFixed(0)} ms`)
      })
    }
  }
})
