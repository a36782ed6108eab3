import yargsParser from 'yargs-parser'
import { didYouMean } from '../did-you-mean.ts'
import { AmshError } from '../errors.ts'
import { tokenize, type Expand, type Word } from './tokenize.ts'

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

/** What a command line may refer to in the session: ${expressions} and variables. */
export interface CommandScope {
  expand: Expand
  /** The text of the variable a bare option value names, or undefined when it names none. */
  variable(name: string): string | undefined
}

function words(line: string, expand?: Expand): Word[] {
  const result = tokenize(line, expand)
  if (!result.complete) throw new AmshError('E_PARSE', `incomplete command: ${result.why}`)
  return result.words
}

/** Words of a logical line, with ${expressions} expanded when a scope is given. */
export function splitWords(line: string, expand?: Expand): string[] {
  return words(line, expand).map((word) => word.text)
}

/** A command line as an invocation; with a scope, ${...} and bare variable names are resolved. */
export function parseCommand(line: string, scope?: CommandScope): Invocation {
  return parseInvocation(words(line, scope?.expand), scope)
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

/**
 * As in Amster (`connect amUrl -k amsterKey`), an option value typed as a bare name that is a
 * variable of the session stands for the variable's value; any other value is literal.
 */
function resolveVariables(words: Word[], scope: CommandScope | undefined): string[] {
  return words.map((word, i) => {
    const option = words[i - 1]?.text
    const isValue =
      option?.startsWith('--') &&
      !option.includes('=') &&
      !BOOLEAN_OPTIONS.includes(option.slice(2))
    if (!scope || !word.bare || !isValue || !IDENTIFIER.test(word.text)) return word.text
    return scope.variable(word.text) ?? word.text
  })
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

export function parseInvocation(typed: Word[], scope?: CommandScope): Invocation {
  const [verbWord, entity, ...rest] = resolveVariables(typed, scope)
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
