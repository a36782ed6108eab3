import { AmshError } from '../errors.ts'
import type { OptionSpec } from './options.ts'
import { tokenize, type Expand, type Word } from './tokenize.ts'

// Values are never coerced: `--id 007` stays "007". What options a command takes is the verb's (and its entity kind's) to say: the parser is
// handed that grammar, and knows no verb or entity itself.

/** What the parser needs to know of a command: which options are flags, and their spellings. */
export interface Grammar {
  /** The canonical verb (`create` for `c`). */
  verb: string
  /** Whether the word after the verb is an entity type (`create Scripts ...`). */
  takesEntity: boolean
  options: readonly OptionSpec[]
  /** How many bare words may follow (connect's URL); 0 for most verbs. */
  positionals: number
}

/** The grammar of a command line, from its first two words; throws E_USAGE for an unknown verb. */
export type GrammarOf = (verbWord: string, entityWord: string | undefined) => Grammar

export interface Invocation {
  verb: string
  /** The entity type as typed (resolved against the catalog by the verb). */
  entity: string
  /** Canonical option name → value; flags are `true`. */
  options: Record<string, string | true>
  /** Bare words after the options' values (connect's URL), when the verb takes any. */
  args?: string[]
  /** The values of repeatable options, in the order given (`--set`). */
  lists?: Record<string, string[]>
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
export function parseCommand(line: string, grammarOf: GrammarOf, scope?: CommandScope): Invocation {
  return parseInvocation(words(line, scope?.expand), grammarOf, scope)
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

/**
 * As in Amster (`connect amUrl -k amsterKey`), an option value typed as a bare name that is a
 * variable of the session stands for the variable's value; any other value is literal.
 */
function resolveVariables(
  words: Word[],
  flags: Set<string>,
  grammar: Grammar,
  scope: CommandScope | undefined
): string[] {
  const firstArgument = grammar.takesEntity ? 2 : 1
  return words.map((word, i) => {
    const option = optionName(words[i - 1]?.text)
    const isValue = option !== undefined && !flags.has(option)
    // A bare word where no option is pending is a positional (connect's URL): a variable too.
    const isPositional =
      grammar.positionals > 0 && i >= firstArgument && !isValue && !word.text.startsWith('-')
    if (!scope || !word.bare || !(isValue || isPositional) || !IDENTIFIER.test(word.text)) {
      return word.text
    }
    return scope.variable(word.text) ?? word.text
  })
}

/** `--name` or `-n` as the option it names; undefined for a value, or `--name=value`. */
function optionName(word: string | undefined): string | undefined {
  if (word === undefined || word.includes('=')) return undefined
  if (word.startsWith('--')) return word.slice(2)
  return /^-[A-Za-z]$/.test(word) ? word.slice(1) : undefined
}

/** What the reader needs to know of a grammar's options, made once per list of options. */
interface OptionIndex {
  /** Flags, under every spelling: a flag never takes the next word as its value. */
  flags: Set<string>
  /** Each alias's canonical name. */
  canonical: Map<string, string>
  repeatable: Set<string>
}

const INDEXES = new WeakMap<readonly OptionSpec[], OptionIndex>()

function indexOf(options: readonly OptionSpec[]): OptionIndex {
  let index = INDEXES.get(options)
  if (!index) {
    index = { flags: new Set(), canonical: new Map(), repeatable: new Set() }
    for (const option of options) {
      const spellings = [option.name, ...(option.aliases ?? [])]
      if (option.type === 'boolean') for (const name of spellings) index.flags.add(name)
      for (const alias of option.aliases ?? []) index.canonical.set(alias, option.name)
      if (option.repeatable) index.repeatable.add(option.name)
    }
    INDEXES.set(options, index)
  }
  return index
}

const OPTION_NAME = /^[A-Za-z][\w.-]*$/

/** `--name=value` or `-n=value` split into the option's name and its inline value. */
function optionWord(word: string): { name: string; inline: string | undefined } | undefined {
  if (word.length < 2 || word[0] !== '-' || word === '--') return undefined
  const body = word.slice(word[1] === '-' ? 2 : 1)
  const eq = body.indexOf('=')
  return eq < 0
    ? { name: body, inline: undefined }
    : { name: body.slice(0, eq), inline: body.slice(eq + 1) }
}

/**
 * The option words after the verb (and entity), by canonical name; a name given more than once
 * has every value, in order. `--name value` takes the next word as its value whenever that word
 * does not itself start with `--`, so values such as "-", "-1" or "-abc" stay values. A flag
 * never takes a value, except a following `true` or `false` (`--global false`); a string option
 * with no value left is `true`, for its verb to refuse. After `--`, every word is positional.
 */
function readOptions(
  words: string[],
  { flags, canonical }: OptionIndex
): { named: Map<string, (string | boolean)[]>; positionals: string[] } {
  const named = new Map<string, (string | boolean)[]>()
  const positionals: string[] = []
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!
    if (word === '--') {
      positionals.push(...words.slice(i + 1))
      break
    }
    const option = optionWord(word)
    if (!option) {
      positionals.push(word)
      continue
    }
    if (!OPTION_NAME.test(option.name)) {
      throw new AmshError('E_USAGE', `"${word}" is not an option: options are written --name value`)
    }
    const name = canonical.get(option.name) ?? option.name
    const next = words[i + 1]
    let value: string | boolean
    if (flags.has(option.name)) {
      const given = option.inline ?? (next === 'true' || next === 'false' ? words[++i] : 'true')
      if (given !== 'true' && given !== 'false') {
        throw new AmshError('E_USAGE', `--${name} is a flag: it takes no value but true or false`)
      }
      value = given === 'true'
    } else if (option.inline !== undefined) {
      value = option.inline
    } else if (next !== undefined && !next.startsWith('--')) {
      value = next
      i++
    } else {
      value = true
    }
    const values = named.get(name)
    if (values) values.push(value)
    else named.set(name, [value])
  }
  return { named, positionals }
}

export function parseInvocation(
  typed: Word[],
  grammarOf: GrammarOf,
  scope?: CommandScope
): Invocation {
  const [verbWord, second] = typed.map((word) => word.text)
  if (verbWord === undefined) throw new AmshError('E_USAGE', 'empty command')
  const grammar = grammarOf(verbWord, second)
  const { verb } = grammar
  if (grammar.takesEntity && (second === undefined || second.startsWith('-'))) {
    throw new AmshError(
      'E_USAGE',
      `${verb} needs an entity type first, e.g. "${verb} Scripts --realm /"`
    )
  }
  const index = indexOf(grammar.options)
  const { flags } = index
  const skip = grammar.takesEntity ? 2 : 1
  const words = resolveVariables(typed, flags, grammar, scope)
  const entity = grammar.takesEntity ? words[1]! : ''
  const rest = words.slice(skip)

  const { named, positionals } = readOptions(rest, index)
  if (positionals.length > grammar.positionals) {
    const extra = positionals[grammar.positionals]
    throw new AmshError(
      'E_USAGE',
      `unexpected argument "${String(extra)}": options are written --name value`
    )
  }

  const { repeatable } = index
  const options: Record<string, string | true> = {}
  const lists: Record<string, string[]> = {}
  for (const [name, values] of named) {
    if (repeatable.has(name)) {
      if (values.some((v) => typeof v !== 'string')) {
        throw new AmshError('E_USAGE', `--${name} needs a value`)
      }
      lists[name] = values as string[]
      options[name] = values.at(-1) as string
    } else if (values.length > 1) {
      throw new AmshError('E_USAGE', `--${name} is given more than once`)
    } else if (values[0] !== false) {
      // `--global false` says "not global": the same as leaving the flag out.
      options[name] = values[0]!
    }
  }
  const invocation: Invocation = { verb, entity, options }
  if (positionals.length > 0) invocation.args = positionals
  if (Object.keys(lists).length > 0) invocation.lists = lists
  return invocation
}
