import type { Command } from 'commander'

// `amsh completion bash|zsh`: a completion script for the outer command line, written from the
// same commander program that parses it, so an option added there completes without more work.
// zsh runs the bash function through bashcompinit, as many tools' zsh completions do.

const SUBCOMMANDS = ['serve', 'profile', 'diff', 'completion']

function quoteWords(words: readonly string[]): string {
  return words.map((word) => word.replace(/[^\w@%+=:,./-]/g, '')).join(' ')
}

export function bashCompletion(program: Command): string {
  const options = program.options.flatMap((option) =>
    [option.short, option.long].filter((flag): flag is string => flag !== undefined)
  )
  const valued = program.options
    .filter((option) => option.argChoices && option.argChoices.length > 0)
    .map((option) => {
      const flags = [option.short, option.long].filter(Boolean).join('|')
      return `    ${flags}) COMPREPLY=($(compgen -W "${quoteWords(option.argChoices!)}" -- "$cur")); return ;;`
    })
  return `# amsh completion for bash; load it with: eval "$(amsh completion bash)"
_amsh() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
${valued.join('\n')}
    --store|-c|--command|-D) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "${quoteWords(options)}" -- "$cur"))
  elif [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "${SUBCOMMANDS.join(' ')}" -- "$cur") $(compgen -f -- "$cur"))
  elif [[ "\${COMP_WORDS[1]}" == completion ]]; then
    COMPREPLY=($(compgen -W "bash zsh" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _amsh amsh
`
}

export function zshCompletion(program: Command): string {
  return `#compdef amsh
# amsh completion for zsh; load it with: eval "$(amsh completion zsh)"
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(program).replace(/^# .*\n/, '')}`
}

/** `amsh completion <shell>`: the script on stdout; the exit status. */
export function completionMain(args: string[], program: Command): number {
  const [shell, ...rest] = args
  if ((shell !== 'bash' && shell !== 'zsh') || rest.length > 0) {
    process.stderr.write(
      'amsh completion: E_USAGE: say which shell: amsh completion bash, or amsh completion zsh\n'
    )
    return 2
  }
  process.stdout.write(shell === 'bash' ? bashCompletion(program) : zshCompletion(program))
  return 0
}
