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

// What amsh reads from people and files, fed generated and mutated inputs. Each target states
// the one property every input must keep: it is answered (a value, or an AmshError with a code
// that is not E_INTERNAL), within a time bound, never by a crash. The generators are seeded
// with the shapes that broke before: runs of `${`, deep nesting, very long names.

export interface FuzzTarget {
  name: string
  input: fc.Arbitrary<string>
  /** Handles one input; throwing anything but an AmshError (or E_INTERNAL) is a failure. */
  run(input: string): unknown
}

/** Text from the characters that matter to the grammar at hand, with some of anything. */
function textOf(alphabet: string, maxLength = 200): fc.Arbitrary<string> {
  const chars = [...alphabet]
  return fc
    .array(
      fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...chars) },
        { weight: 1, arbitrary: fc.string({ maxLength: 3, unit: 'binary' }) }
      ),
      { maxLength }
    )
    .map((parts) => parts.join(''))
}

/** Inputs that broke parsers before, and their like: deep nesting, long runs, long names. */
const HOSTILE = fc.oneof(
  fc.nat({ max: 10_000 }).map((n) => '`${'.repeat(n)),
  fc.nat({ max: 10_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  fc.nat({ max: 10_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
  fc.nat({ max: 10_000 }).map((n) => '('.repeat(n)),
  fc.constant('x'.repeat(1 << 20)),
  fc.constant(`name eq "${'a'.repeat(1 << 20)}"`)
)

/** Mostly grammar-shaped text, sometimes hostile, sometimes a valid start with noise after. */
function inputs(alphabet: string, starts: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: textOf(alphabet) },
    {
      weight: 3,
      arbitrary: fc.tuple(fc.constantFrom(...starts), textOf(alphabet, 60)).map(([a, b]) => a + b),
    },
    { weight: 1, arbitrary: HOSTILE }
  )
}

const COMMAND = ' \t"\'\\${}[]:,=-@#/.abcqrsSRtux01'
const FILTER = ' ()!"\'\\/eqcoswgtlprandortruefalse_0123456789.-'
const JSON_TEXT = ' {}[]:,"\\tfn.0123456789eE+-abu'
const JAVASCRIPT = ' \n\t(){}[];,.=+-*/`$\'"\\<>!?:&|%abcdefrunvawitlso0123456789'
const GROOVY = `${JAVASCRIPT}@~#`

export const TARGETS: FuzzTarget[] = [
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
export async function fuzz(
  target: FuzzTarget,
  runs: number,
  seed?: number,
  limitMs = TIME_LIMIT_MS
): Promise<{ slowest: number; memoryMiB: number }> {
  let slowest = 0
  let memoryMiB = 0
  await fc.assert(
    fc.asyncProperty(target.input, async (input) => {
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
        throw new Error(
          `took ${took.toFixed(0)} ms (limit ${limitMs}) on ${JSON.stringify(input.slice(0, 200))}`
        )
      }
    }),
    { numRuns: runs, seed, endOnFailure: true }
  )
  return { slowest, memoryMiB }
}
