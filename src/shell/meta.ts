import { didYouMean } from '../did-you-mean.ts'
import { AmshError } from '../errors.ts'
import { OUTPUT_FORMATS, parseOutputFormat, type OutputFormat } from '../output/format.ts'
import { splitWords } from '../parse/invocation.ts'
import type { Expand } from '../parse/tokenize.ts'

// Shell commands that are not entity verbs, with Amster's names and short forms.

export type MetaCommand =
  | { kind: 'help'; topic: string | undefined }
  | { kind: 'exit' }
  | { kind: 'load'; file: string; args: string[] }
  | { kind: 'errexit'; on: boolean }
  | { kind: 'output'; format: OutputFormat }
  | { kind: 'history' }

export const META_HELP: [names: string, summary: string][] = [
  [':help (:h, ?) [topic]', 'show this help, or help on a command or an entity'],
  [':exit (:x), :quit (:q)', 'leave the shell (in a file: stop reading it)'],
  [':load (:l, .) file [args...]', 'run a file here; its code sees the words after it as `args`'],
  [':history', 'the commands typed at the prompt to this place, oldest first (secrets blanked)'],
  [':set errexit on|off', 'in a batch: stop at the first failure (on), or run on (off)'],
  [
    `:set output ${OUTPUT_FORMATS.join('|')}`,
    "show the results of the commands after it so (at the prompt: instead of each entity's own)",
  ],
  ['-<command>', 'in a batch: run the command, and go on even if it fails'],
]

const NAMES: Record<string, MetaCommand['kind'] | 'set'> = {
  ':help': 'help',
  ':h': 'help',
  '?': 'help',
  ':?': 'help',
  ':exit': 'exit',
  ':x': 'exit',
  ':quit': 'exit',
  ':q': 'exit',
  ':load': 'load',
  ':l': 'load',
  '.': 'load',
  ':.': 'load',
  ':set': 'set',
  ':history': 'history',
}

export function parseMeta(text: string, expand?: Expand): MetaCommand {
  const [name = '', ...args] = splitWords(text.trim(), expand)
  const kind = NAMES[name]
  if (kind === 'help') return { kind, topic: args[0] }
  if (kind === 'exit' || kind === 'history') return { kind }
  if (kind === 'load') {
    const [file, ...rest] = args
    if (file === undefined)
      throw new AmshError('E_USAGE', `${name} needs a file: ${name} file [args...]`)
    return { kind, file, args: rest }
  }
  if (kind === 'set') {
    const [option, value] = args
    const takes = `${name} takes "errexit on|off" or "output ${OUTPUT_FORMATS.join('|')}"`
    if (args.length !== 2) throw new AmshError('E_USAGE', takes)
    if (option === 'errexit' && (value === 'on' || value === 'off')) {
      return { kind: 'errexit', on: value === 'on' }
    }
    if (option === 'output') return { kind: 'output', format: parseOutputFormat(value!) }
    throw new AmshError('E_USAGE', takes)
  }
  throw new AmshError(
    'E_USAGE',
    `unknown shell command "${name}"${didYouMean(name, Object.keys(NAMES))}; type :help`
  )
}
