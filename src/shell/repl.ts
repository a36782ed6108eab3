import repl, { type REPLServer } from 'node:repl'
import { toAmshError } from '../errors.ts'
import { formatValue, type OutputFormat } from '../output/format.ts'
import { Batch } from './batch.ts'
import { logicalLine } from './lines.ts'
import type { Session } from './session.ts'

// The interactive shell: node:repl with an eval that hands each logical line to the session.
// An unfinished line (open quote, open JSON body, trailing backslash) asks for more input.

export interface ReplOptions {
  session: Session
  output: OutputFormat
  historyFile: string
  quiet: boolean
}

export function startRepl(options: ReplOptions): Promise<void> {
  const { session } = options
  const stdout = process.stdout
  const stderr = process.stderr
  if (!options.quiet)
    stdout.write('amsh: an Amster-compatible shell. Type :help for help, :exit to leave.\n')

  const io = {
    out: (t: string) => stdout.write(`${t}\n`),
    err: (t: string) => stderr.write(`${t}\n`),
  }

  // After :exit the eval is not completed, or node would draw one more prompt before closing.
  let closing = false

  /** What one logical line prints; errors are printed here and never leave the prompt. */
  async function run(text: string): Promise<string | undefined> {
    const outcome = await session.execute(text, process.cwd())
    switch (outcome.kind) {
      case 'value':
        return formatValue(outcome.value, options.output)
      case 'text':
        return outcome.text
      case 'exit':
        closing = true
        server.close()
        return undefined
      case 'load':
        // A loaded file runs as a batch that keeps going after a failure, as Amster's does.
        await new Batch(session, io, {
          policy: 'continue',
          output: options.output,
          printResults: true,
        }).load(outcome.files, process.cwd())
        return undefined
      case 'errexit':
        return 'errexit applies to batches; at the prompt a failure never ends the session'
      case 'none':
        return undefined
    }
  }

  const server: REPLServer = repl.start({
    prompt: 'am> ',
    ignoreUndefined: true,
    preview: false,
    writer: (text: unknown) => String(text),
    eval: (input, _context, _file, callback) => {
      const { complete, text } = logicalLine(input.replace(/\n$/, ''))
      if (!complete) {
        callback(new repl.Recoverable(new Error('incomplete line')), undefined)
        return
      }
      run(text).then(
        (printed) => {
          if (!closing) callback(null, printed)
        },
        (err: unknown) => {
          io.err(toAmshError(err).format())
          callback(null, undefined)
        }
      )
    },
  })
  // node's .load/.save/.editor/.help would shadow or confuse ours; .exit stays because node's
  // own Ctrl+C hint names it.
  for (const name of ['load', 'save', 'editor', 'help']) {
    delete (server.commands as Record<string, unknown>)[name]
  }
  server.setupHistory(options.historyFile, (err) => {
    if (err) stderr.write(`amsh: history is not kept: ${err.message}\n`)
  })
  return new Promise((resolveDone) => server.on('exit', () => resolveDone()))
}
