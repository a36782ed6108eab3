import repl, { type REPLServer } from 'node:repl'
import { AmshError, toAmshError } from '../errors.ts'
import { paintError } from '../output/colour.ts'
import { promptFormat, render, styleFor, type OutputFormat } from '../output/format.ts'
import { Batch } from './batch.ts'
import { Completer } from './complete.ts'
import { historyFileOf, historyListing, PromptHistory } from './history.ts'
import { hideAnswer } from './hidden-answer.ts'
import { logicalLine } from './lines.ts'
import { PROMPT, type Outcome, type Session, type SessionHost } from './session.ts'

// The interactive shell: node:repl with an eval that hands each logical line to the session.
// An unfinished line (open quote, open JSON body, trailing backslash, unfinished JavaScript)
// asks for more input. Ctrl-C while a line runs stops it and comes back to the prompt.

export interface ReplOptions {
  session: Session
  /** Chosen with -o; when not, each result shows in its entity's format (promptFormat). */
  output: OutputFormat | undefined
  /** False with --no-color: no colour even on a terminal that shows it. */
  color: boolean
  /** Where the history files are ($AMSH_HOME). */
  home: string
  /** No banner, and no echo of assignments (passwords stay off the screen). */
  quiet: boolean
  /** A line to run before the first prompt (`connect --profile <name>` for --profile). */
  startup?: string
}

/** `am> ` on the start-up store; `am am.example.com> ` once connected elsewhere. */
function promptOf(session: Session): string {
  return session.where ? `am ${session.where}> ` : 'am> '
}

/**
 * A question asked while a line runs (connect -i, a field of a create). A hidden answer is
 * neither echoed (the terminal goes back to raw mode, where readline alone echoes) nor kept in
 * the history. Ctrl-C abandons the question, and with it the command that asked: the REPL's
 * own Ctrl-C (a hint, then the same question again) is set aside meanwhile.
 */
function ask(server: REPLServer, question: string, hidden: boolean): Promise<string> {
  const raw = process.stdin.isTTY && !process.stdin.isRaw
  if (raw) process.stdin.setRawMode(true)
  const show = hidden ? hideAnswer(server, question) : () => {}
  const onSigint = server.listeners('SIGINT') as (() => void)[]
  server.removeAllListeners('SIGINT')
  const cancel = new AbortController()
  const restore = () => {
    show()
    server.removeAllListeners('SIGINT')
    for (const listener of onSigint) server.on('SIGINT', listener)
    if (raw) process.stdin.setRawMode(false)
  }
  return new Promise((done, fail) => {
    server.once('SIGINT', () => {
      cancel.abort()
      restore()
      process.stdout.write('^C\n')
      fail(new AmshError('E_INTERRUPTED', 'interrupted (Ctrl-C): the question went unanswered'))
    })
    server.question(question, { signal: cancel.signal }, (answer) => {
      restore()
      done(answer)
    })
  })
}

export function startRepl(options: ReplOptions): Promise<void> {
  const { session } = options
  const stdout = process.stdout
  const stderr = process.stderr
  if (!options.quiet)
    stdout.write('amsh: an Amster-compatible shell. Type :help for help, :exit to leave.\n')

  const style = () => styleFor(stdout, options.color)
  const errorStyle = styleFor(stderr, options.color)
  const io = {
    out: (t: string) => stdout.write(`${t}\n`),
    err: (t: string) => stderr.write(`${errorStyle.color ? paintError(t) : t}\n`),
  }
  // `:set output` changes it for the rest of the session.
  let output = options.output

  // After :exit the eval is not completed, or node would draw one more prompt before closing.
  let closing = false

  const host: SessionHost = {
    // A loaded file runs as a batch that keeps going after a failure, as Amster's does.
    load: (file, args, from) =>
      new Batch(session, io, {
        policy: 'continue',
        output: output ?? 'json',
        style: style(),
        printResults: true,
      }).load(file, args, from),
    exit: () => {
      closing = true
      server.close()
    },
    errexit: () =>
      io.out('errexit applies to batches; at the prompt a failure never ends the session'),
    output: (format) => {
      output = format
    },
    history: () => historyListing(lines.history),
    failed: (error) => io.err(error.format()),
    ask: (question, hidden) => ask(server, question, hidden),
  }

  function shown(outcome: Outcome): string | undefined {
    if (outcome.kind === 'text') return outcome.text
    if (outcome.kind === 'none' || outcome.value === undefined) return undefined
    if (outcome.assigned && options.quiet) return undefined
    const command = outcome.kind === 'value' && outcome.from === 'command'
    // An entity listed as a table at the prompt has its lists so; one item reads best as JSON.
    const listed = command && Array.isArray(outcome.value)
    const format = output ?? (listed ? promptFormat(outcome.entity) : 'json')
    const { text, notes } = command
      ? render(outcome.value, format, outcome.entity, outcome.view, style())
      : render(outcome.value, format, undefined, {}, style())
    for (const note of notes) io.err(note)
    return text
  }

  /**
   * Runs a line with Ctrl-C as a signal: the terminal leaves raw mode (as node's own REPL does
   * while it evaluates), so a busy loop is interrupted by V8 and an awaiting line by the session.
   */
  async function interruptible(text: string): Promise<Outcome> {
    const raw = process.stdin.isTTY && process.stdin.isRaw
    const onSigint = () => session.interrupt()
    if (raw) process.stdin.setRawMode(false)
    process.on('SIGINT', onSigint)
    try {
      return await session.execute(text, {
        file: PROMPT,
        line: 1,
        baseDir: process.cwd(),
        host,
        chain: [],
        via: undefined,
      })
    } finally {
      process.off('SIGINT', onSigint)
      if (raw && !closing) process.stdin.setRawMode(true)
    }
  }

  const server: REPLServer = repl.start({
    // With a start-up line, the first prompt waits for it: it may connect elsewhere, or ask.
    prompt: options.startup === undefined ? promptOf(session) : '',
    ignoreUndefined: true,
    preview: false,
    writer: (text: unknown) => String(text),
    eval: (input, _context, _file, callback) => {
      const { complete, text } = logicalLine(input.replace(/\n$/, ''))
      if (!complete) {
        callback(new repl.Recoverable(new Error('incomplete line')), undefined)
        return
      }
      history.add(input.replace(/\n$/, ''))
      interruptible(text).then(
        (outcome) => {
          server.setPrompt(promptOf(session))
          history.follow()
          if (!closing) callback(null, shown(outcome))
        },
        (err: unknown) => {
          io.err(toAmshError(err).format())
          server.setPrompt(promptOf(session))
          history.follow()
          callback(null, undefined)
        }
      )
    },
  })
  // The history is amsh's, not readline's (which keeps each line typed).
  const lines = server as unknown as { history: string[]; historySize: number }
  lines.historySize = 0
  const history = new PromptHistory(
    lines.history,
    () => historyFileOf(options.home, session.where),
    io.err
  )
  // Tab: commands complete from the catalog and the transport; JavaScript from the session's own
  // context (node's completer would evaluate through this REPL's eval, which runs commands).
  const completer = new Completer(() => ({
    transport: session.transport,
    profile: session.profile,
    cwd: process.cwd(),
  }))
  type Done = (err: Error | null, result: [string[], string]) => void
  ;(server as unknown as { completer: (line: string, done: Done) => void }).completer = (
    line,
    done
  ) => {
    completer.complete(line).then(
      (found) => done(null, found ?? session.completeJavaScript(line)),
      () => done(null, [[], line])
    )
  }
  // node's .load/.save/.editor/.help would shadow or confuse ours; .exit stays because node's
  // own Ctrl+C hint names it.
  for (const name of ['load', 'save', 'editor', 'help']) {
    delete (server.commands as Record<string, unknown>)[name]
  }
  history.load()
  if (options.startup !== undefined) {
    interruptible(options.startup)
      .catch((err: unknown) => io.err(toAmshError(err).format()))
      .finally(() => {
        server.setPrompt(promptOf(session))
        history.follow()
        server.displayPrompt()
      })
  }
  return new Promise((resolveDone) => server.on('exit', () => resolveDone()))
}
