import { getEntity, type EntityDef } from '../catalog/catalog.ts'
import { didYouMean } from '../did-you-mean.ts'
import { AmshError } from '../errors.ts'
import {
  parseCommand as parseWith,
  type CommandScope,
  type Grammar,
  type Invocation,
} from '../parse/invocation.ts'
import { action } from './action.ts'
import { optionsOf } from './common.ts'
import { connect } from './connect.ts'
import { create } from './create.ts'
import { del } from './delete.ts'
import { edit } from './edit.ts'
import { envconfig } from './envconfig.ts'
import { exportConfigVerb } from './export-config.ts'
import { importConfigVerb } from './import-config.ts'
import { journal } from './journal.ts'
import { query } from './query.ts'
import { read } from './read.ts'
import type { Verb } from './types.ts'
import { undo } from './undo.ts'
import { update } from './update.ts'

// The verb registry: one entry per verb, each declaring its own grammar. A new verb (export-config,
// import-config, diff) is a file beside this one and a line here; the parser, :help and the
// option checks read it from here.

export const VERBS: readonly Verb[] = [
  create,
  read,
  update,
  del,
  edit,
  query,
  action,
  connect,
  exportConfigVerb,
  importConfigVerb,
  envconfig,
  undo,
  journal,
]

const BY_WORD = new Map<string, Verb>(
  VERBS.flatMap((verb) => [[verb.name, verb], ...(verb.alias ? [[verb.alias, verb] as const] : [])])
)

export function findVerb(word: string): Verb | undefined {
  return BY_WORD.get(word)
}

export function isVerbWord(word: string): boolean {
  return BY_WORD.has(word)
}

/** The grammar of a command line from its first two words. */
export function grammarOf(verbWord: string, entityWord: string | undefined): Grammar {
  const verb = findVerb(verbWord)
  if (!verb) {
    const known = [...VERBS.map((v) => v.name), ':help', ':exit', ':load']
    throw new AmshError(
      'E_USAGE',
      `unknown command "${verbWord}"${didYouMean(verbWord, known)}; type :help for the list`
    )
  }
  return {
    verb: verb.name,
    takesEntity: verb.takesEntity,
    options: optionsOf(verb, verb.takesEntity ? knownEntity(entityWord) : undefined),
    positionals: verb.positionals ?? 0,
  }
}

/**
 * The entity's kind may add options (and flags), so the entity is resolved while parsing when it
 * can be; a word that names none is the verb's to refuse, with its did-you-mean.
 */
function knownEntity(word: string | undefined): EntityDef | undefined {
  if (word === undefined || word.startsWith('-')) return undefined
  try {
    return getEntity(word)
  } catch {
    return undefined
  }
}

/** A command line as an invocation of a registered verb. */
export function parseCommand(line: string, scope?: CommandScope): Invocation {
  return parseWith(line, grammarOf, scope)
}
