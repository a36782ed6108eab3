import fc from 'fast-check'

// What a fuzz target is, and the generators the targets share: text from a grammar's
// characters, the shapes that broke parsers before, and mutations of real inputs (a corpus
// file, a valid body) into near misses.

export interface FuzzTarget<T = string> {
  name: string
  input: fc.Arbitrary<T>
  /** Handles one input; throwing anything but an AmshError (or E_INTERNAL) is a failure. */
  run(input: T): unknown
  /** The input as a failure names it (a string's start, by default). */
  show?(input: T): string
  /** Inputs in `npm test` (300 unless told): fewer for a target whose inputs cost more. */
  testRuns?: number
  /** Frees what the target set up on its first input (a server, a store, a folder). */
  close?(): Promise<void> | void
}

/** A target of any input type, as TARGETS holds them. */
export function target<T>(definition: FuzzTarget<T>): FuzzTarget<unknown> {
  return definition as unknown as FuzzTarget<unknown>
}

/** Text from the characters that matter to the grammar at hand, with some of anything. */
export function textOf(alphabet: string, maxLength = 200): fc.Arbitrary<string> {
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
export const HOSTILE = fc.oneof(
  fc.nat({ max: 10_000 }).map((n) => '`${'.repeat(n)),
  fc.nat({ max: 10_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  fc.nat({ max: 10_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
  fc.nat({ max: 10_000 }).map((n) => '('.repeat(n)),
  fc.constant('x'.repeat(1 << 20)),
  fc.constant(`name eq "${'a'.repeat(1 << 20)}"`)
)

/** Mostly grammar-shaped text, sometimes hostile, sometimes a valid start with noise after. */
export function inputs(alphabet: string, starts: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: textOf(alphabet) },
    {
      weight: 3,
      arbitrary: fc.tuple(fc.constantFrom(...starts), textOf(alphabet, 60)).map(([a, b]) => a + b),
    },
    { weight: 1, arbitrary: HOSTILE }
  )
}

/** One edit of a text: a cut, a piece inserted, a piece deleted, a piece doubled, a swap. */
const EDIT = fc.tuple(
  fc.constantFrom('cut', 'insert', 'delete', 'repeat', 'swap'),
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.oneof(
    fc.string({ maxLength: 4, unit: 'binary' }),
    fc.constantFrom(
      '{',
      '}',
      '(',
      ')',
      '[',
      ']',
      '"',
      "'",
      '"""',
      '\\',
      '\n',
      ':',
      '`${',
      '/*',
      '#'
    )
  )
)

/** A real text edited a few times: mostly still near a valid one, now and then not at all. */
export function mutated(seeds: readonly string[], maxEdits = 4): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(EDIT, { minLength: 1, maxLength: maxEdits }))
    .map(([seed, edits]) => {
      let text = seed
      for (const [kind, a, b, piece] of edits) {
        const i = Math.floor(a * text.length)
        const j = Math.min(text.length, i + Math.floor(b * 40))
        if (kind === 'cut') text = text.slice(0, i)
        else if (kind === 'insert') text = text.slice(0, i) + piece + text.slice(i)
        else if (kind === 'delete') text = text.slice(0, i) + text.slice(j)
        else if (kind === 'repeat') text = text.slice(0, j) + text.slice(i, j) + text.slice(j)
        else {
          const k = Math.floor(b * text.length)
          const [x, y] = i < k ? [i, k] : [k, i]
          text =
            text.slice(0, x) +
            text.slice(y, y + 1) +
            text.slice(x + 1, y) +
            text.slice(x, x + 1) +
            text.slice(y + 1)
        }
      }
      return text
    })
}
