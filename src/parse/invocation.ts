import yargsParser from 'yargs-parser'
import { didYouMean } from '../did-you-mean.ts'
import { AmshError } from '../errors.ts'
import { tokenize } from './tokenize.ts'

// yargs-parser is imported here and nowhere else. It never coerces: `--id 007` stays "007".

export const VERB_ALIASES = {
  create: 'c',
  read: 'r',
  update: 'u',
  delete: 'd',
  query: 'q',
  action: 'a',
} as const

export type VerbName = keyof typeof VERB_ALIASES

const VERB_BY_WORD = new Map<string, VerbName>(
  Object.entries(VERB_ALIASES).flatMap(([verb, alias]) => [
    [verb, verb as VerbName],
    [alias, verb as VerbName],
  ])
)

/** Options every verb understands, and those that take no value. */
const BOOLEAN_OPTIONS = ['global', 'skipSourceCheck']
/** Alternative spellings, folded into the canonical name. */
const OPTION_ALIASES: Record<string, string> = { queryFilter: 'filter' }

export interface Invocation {
  verb: VerbName
  /** The entity type as typed (resolved against the catalog by the verb). */
  entity: string
  /** Canonical option name → value; flags are `true`. */
  options: Record<string, string | true>
}

export function verbOf(word: string): VerbName | undefined {
  return VERB_BY_WORD.get(word)
}

export function isVerbWord(word: string): boolean {
  return VERB_BY_WORD.has(word)
}

/** Words of a logical line, or why more input is needed (an unclosed quote or JSON value). */
export function splitWords(line: string): string[] {
  const result = tokenize(line)
  if (!result.complete) throw new AmshError('E_PARSE', `incomplete command: ${result.why}`)
  return result.words
}

/**
 * Binds `--name value` into `--name=value` whenever the value does not itself start with `--`,
 * so that values such as "-", "-1" or "-abc" stay values instead of becoming short options.
 */
function bindValues(words: string[]): string[] {
  const bound: string[] = []
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!
    const next = words[i + 1]
    const name = word.startsWith('--') && !word.includes('=') ? word.slice(2) : undefined
    if (name && !BOOLEAN_OPTIONS.includes(name) && next !== undefined && !next.startsWith('--')) {
      bound.push(`${word}=${next}`)
      i++
    } else {
      bound.push(word)
    }
  }
  return bound
}

export function parseInvocation(words: string[]): Invocation {
  const [verbWord, entity, ...rest] = words
  if (verbWord === undefined) throw new AmshError('E_USAGE', 'empty command')
  const verb = verbOf(verbWord)
  if (!verb) {
    const known = [...Object.keys(VERB_ALIASES), ':help', ':exit', ':load']
    throw new AmshError(
      'E_USAGE',
      `unknown command "${verbWord}"${didYouMean(verbWord, known)}; type :help for the list`
    )
  }
  if (entity === undefined || entity.startsWith('-')) {
    throw new AmshError(
      'E_USAGE',
      `${verb} needs an entity type first, e.g. "${verb} Scripts --realm /"`
    )
  }

  const parsed = yargsParser.detailed(bindValues(rest), {
    boolean: BOOLEAN_OPTIONS,
    configuration: {
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'dot-notation': false,
      'camel-case-expansion': false,
      'boolean-negation': false,
      'short-option-groups': false,
      'duplicate-arguments-array': true,
      'flatten-duplicate-arrays': false,
      'greedy-arrays': false,
      'strip-aliased': true,
    },
  })
  if (parsed.error) throw new AmshError('E_PARSE', parsed.error.message)

  const { _: positionals, ...named } = parsed.argv
  if (positionals.length > 0) {
    throw new AmshError(
      'E_USAGE',
      `unexpected argument "${String(positionals[0])}": options are written --name value`
    )
  }

  const options: Record<string, string | true> = {}
  for (const [rawName, value] of Object.entries(named)) {
    const name = OPTION_ALIASES[rawName] ?? rawName
    if (Array.isArray(value) || name in options) {
      throw new AmshError('E_USAGE', `--${name} is given more than once`)
    }
    if (value === true) {
      options[name] = true
    } else if (value === false) {
      // `--global false` says "not global": the same as leaving the flag out.
      continue
    } else {
      options[name] = String(value)
    }
  }
  return { verb, entity, options }
}
