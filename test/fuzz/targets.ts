import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { AmshError } from '../../src/errors.ts'
import { parseFilter } from '../../src/crest/filter.ts'
import { redactText } from '../../src/journal/images.ts'
import { parseJson } from '../../src/parse/json-body.ts'
import { tokenize } from '../../src/parse/tokenize.ts'
import { compileLine } from '../../src/script/compile.ts'
import { checkSource } from '../../src/catalog/syntax/index.ts'
import { logicalLines } from '../../src/shell/lines.ts'
import { parseCommand } from '../../src/verbs/index.ts'
import { HOSTILE, inputs, mutated, target, textOf, type FuzzTarget } from './inputs.ts'
import { importFilesTarget } from './import-files.ts'
import { scriptValuesTarget } from './script-values.ts'
import { SERVER_TARGETS } from './server.ts'

export type { FuzzTarget } from './inputs.ts'

// What amsh reads from people and files, fed generated and mutated inputs. Each target states
// the one property every input must keep: it is answered (a value, or an AmshError with a code
// that is not E_INTERNAL), within a time bound, never by a crash. The generators are seeded
// with the shapes that broke before: runs of `${`, deep nesting, very long names.

/** The real sources of test/corpus/<language>, to mutate. */
function corpus(language: string): string[] {
  const dir = join(import.meta.dirname, '..', 'corpus', language)
  return readdirSync(dir)
    .sort()
    .map((name) => readFileSync(join(dir, name), 'utf8'))
}

/** A language's source check: mutated real sources mostly, grammar-shaped text, hostile shapes. */
function sources(alphabet: string, starts: string[], seeds: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: mutated(seeds) },
    { weight: 3, arbitrary: inputs(alphabet, starts) },
    {
      weight: 1,
      // A real source with a hostile shape spliced in.
      arbitrary: fc
        .tuple(fc.constantFrom(...seeds), fc.double({ min: 0, max: 1, noNaN: true }), HOSTILE)
        .map(([seed, at, hostile]) => {
          const i = Math.floor(at * seed.length)
          return seed.slice(0, i) + hostile + seed.slice(i)
        }),
    },
    { weight: 1, arbitrary: textOf(alphabet, 2000) }
  )
}

const COMMAND = ' \t"\'\\${}[]:,=-@#/.abcqrsSRtux01'
const FILTER = ' ()!"\'\\/eqcoswgtlprandortruefalse_0123456789.-'
const JSON_TEXT = ' {}[]:,"\\tfn.0123456789eE+-abu'
const JAVASCRIPT = ' \n\t(){}[];,.=+-*/`$\'"\\<>!?:&|%abcdefrunvawitlso0123456789'
const GROOVY = `${JAVASCRIPT}@~#`
const PYTHON = ' \n\t(){}[];,.=+-*/\'"\\<>!:%@#defclassimportfrom0123456789rbu'
const JAVA = ' \n\t(){}[];,.=+-*/\'"\\<>!?:&|%@classpublicvoidintnew0123456789'

/** The targets whose inputs are text. */
const TEXT_TARGETS: FuzzTarget[] = [
  {
    name: 'command line (tokenizer and parser)',
    input: inputs(COMMAND, [
      'create Scripts --realm / --body ',
      'query Scripts --realm /alpha --filter ',
      'update CustomScripts --name x --set ',
      'read Scripts --realm / --id ',
    ]),
    run: (line) => {
      tokenize(line)
      return parseCommand(line)
    },
  },
  {
    name: 'CREST query filter',
    input: inputs(FILTER, ['name eq "', 'true and (', '/a/b sw ', '!(language co ']),
    run: (text) => parseFilter(text),
  },
  {
    name: 'JSON body',
    input: inputs(JSON_TEXT, ['{"name": ', '[1, {"a": ', '{name: "x y", ']),
    run: (text) => parseJson(text, '--body'),
  },
  {
    name: 'JavaScript line (and its Groovy hints)',
    input: inputs(GROOVY, ['def x = [', 'items.each { it -> ', 'var s = """', 'n = a ?: ']),
    run: (code) => compileLine(code),
  },
  {
    name: 'batch text split into logical lines',
    input: inputs(`${COMMAND}${JAVASCRIPT}\n`, [
      'create Scripts --realm / --body {\n',
      'if (x) {\n',
    ]),
    run: (text) => [...logicalLines(text)].length,
  },
  {
    name: 'secret redaction',
    input: inputs(`${COMMAND}Password: Bearer-D`, ['connect x --password ', '-D adminPassword=']),
    run: (text) => redactText(text),
  },
  {
    name: 'JavaScript source check',
    input: inputs(JAVASCRIPT, ['var a = ', 'function f(', '`${']),
    run: (source) => checkSource('JAVASCRIPT', source),
  },
  {
    name: 'Groovy source check',
    input: inputs(GROOVY, ['def x = ', 'class A {', '"""${']),
    run: (source) => checkSource('GROOVY', source),
  },
  {
    name: 'Python source check',
    input: sources(PYTHON, ['def f(', 'class A:\n  ', 'x = """', "print '"], corpus('python')),
    run: (source) => checkSource('PYTHON', source),
    // Real sources of 10-60 KB: ~20 ms each.
    testRuns: 60,
  },
  {
    name: 'Java source check',
    input: sources(
      JAVA,
      ['class A {', 'public void f(', 'String s = "', '@Override\n'],
      corpus('java')
    ),
    run: (source) => checkSource('JAVA', source),
    testRuns: 60,
  },
]

export const TARGETS: FuzzTarget<unknown>[] = [
  ...TEXT_TARGETS.map((t) => target(t)),
  ...SERVER_TARGETS,
  scriptValuesTarget(),
  importFilesTarget(),
]

/** The longest any one input may take. */
export const TIME_LIMIT_MS = 1000

/** The most memory one input may take (the growth of the process's RSS while it runs). */
export const MEMORY_LIMIT_MIB = 200

/**
 * Runs a target on `runs` inputs; resolves to the slowest input's time and the most memory one
 * took. Rejects with the shrunk counter-example when an input breaks the property: an error
 * that is not an AmshError, longer than `limitMs`, more than MEMORY_LIMIT_MIB.
 */
export async function fuzz<T>(
  target: FuzzTarget<T>,
  runs: number,
  seed?: number,
  limitMs = TIME_LIMIT_MS
): Promise<{ slowest: number; memoryMiB: number }> {
  let slowest = 0
  let memoryMiB = 0
  const show = (input: T) =>
    target.show?.(input) ?? JSON.stringify(String(input as string).slice(0, 200))
  try {
    await fc.assert(
      fc.asyncProperty(target.input, async (input: T) => {
        const started = performance.now()
        const rss = process.memoryUsage.rss()
        try {
          await target.run(input)
        } catch (err) {
          if (!(err instanceof AmshError)) throw err
          if (err.code === 'E_INTERNAL') throw err
        }
        const took = performance.now() - started
        slowest = Math.max(slowest, took)
        const grew = (process.memoryUsage.rss() - rss) / 2 ** 20
        memoryMiB = Math.max(memoryMiB, grew)
        if (grew > MEMORY_LIMIT_MIB) {
          throw new Error(`took ${grew.toFixed(0)} MiB (limit ${MEMORY_LIMIT_MIB})`)
        }
        // Let the event loop turn, as it does between a server's requests: native finalizers
        // (tree-sitter's trees) run only then.
        await new Promise((done) => setImmediate(done))
        if (took > limitMs) {
          throw new Error(`took ${took.toFixed(0)} ms (limit ${limitMs}) on ${show(input)}`)
        }
      }),
      { numRuns: runs, seed, endOnFailure: true }
    )
  } finally {
    await target.close?.()
  }
  return { slowest, memoryMiB }
}
