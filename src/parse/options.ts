// The options a verb (or an entity kind, for its verbs) declares: the one list the parser, the
// checks, :help and did-you-mean all read.

export interface OptionSpec {
  /** The canonical name, written `--name`. */
  name: string
  /** A flag takes no value (`--global`); a string option always takes one. */
  type: 'string' | 'boolean'
  /** Other spellings: long ones (`queryFilter`) and one-letter short ones (`k` for `-k`). */
  aliases?: readonly string[]
  help: string
  /** Shown in help for the value: `--realm <path>`. */
  value?: string
  /** May be given more than once (`--set a=1 --set b=2`): its values are in Invocation.lists. */
  repeatable?: boolean
}
