import { dirname, isAbsolute, relative, resolve } from 'node:path'
import { AmshError, toAmshError } from '../errors.ts'
import { readUserFile } from '../files.ts'
import { render, type OutputFormat, type Style } from '../output/format.ts'
import { logicalLines, toleratedCommand } from './lines.ts'
import type { Frame, Outcome, Session, SessionHost } from './session.ts'

// Replays lines without a prompt: files, -c text and piped stdin. The error policy decides
// whether the first failure stops the batch (exit 3, or 2 for a syntax error) or whether it runs
// on and exits 1 when anything failed. Ctrl-C always stops it.

export type ErrorPolicy = 'stop' | 'continue'

export interface BatchIO {
  out(text: string): void
  err(text: string): void
}

export interface BatchOptions {
  policy: ErrorPolicy
  output: OutputFormat
  /** How stdout shows results: see styleFor. */
  style: Style
  /** False in a dry run: the plan lines are the output. */
  printResults: boolean
}

/** A path as errors show it: relative to the working directory when it lies below it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path)
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel
}

export class Batch implements SessionHost {
  failures = 0
  /** The error that stopped the batch, under the stop policy. */
  stopped: AmshError | undefined
  #exited = false
  readonly #session: Session
  readonly #io: BatchIO
  readonly #options: BatchOptions
  /** The error policy in force: --on-error, until a file says `:set errexit on|off`. */
  #policy: ErrorPolicy
  /** The output format in force: -o, until a file says `:set output <format>`. */
  #output: OutputFormat

  constructor(session: Session, io: BatchIO, options: BatchOptions) {
    this.#session = session
    this.#io = io
    this.#options = options
    this.#policy = options.policy
    this.#output = options.output
  }

  /** 0 all succeeded, 1 something failed and the batch ran on, else the stopping error's code. */
  exitCode(): number {
    if (this.stopped) return this.stopped.exitCode
    return this.failures > 0 ? 1 : 0
  }

  /** Whether the batch should read no further (stopped, or :exit). */
  get finished(): boolean {
    return this.#exited || this.stopped !== undefined
  }

  /** Runs a file named on the command line. */
  async runFile(path: string): Promise<void> {
    const full = resolve(path)
    let source: string
    try {
      source = readUserFile(full, 'batch file')
    } catch (err) {
      this.#fail(toAmshError(err))
      return
    }
    await this.runSource(source, path, dirname(full), [full])
  }

  /** :load: a file relative to the loading one, run here with `args`; a missing file fails. */
  async load(file: string, args: string[], from: Frame): Promise<void> {
    const full = resolve(from.baseDir, file)
    if (from.chain.includes(full)) {
      const names = [...from.chain, full].map(shown)
      throw new AmshError('E_USAGE', `:load cycle: ${names.join(' → ')}`)
    }
    const source = readUserFile(full, 'file to :load')
    const via = `${from.via ? `${from.via} → ` : ''}${from.file}:${from.line}`
    await this.#session.withArgs(args, () =>
      this.runSource(source, shown(full), dirname(full), [...from.chain, full], via)
    )
  }

  exit(): void {
    this.#exited = true
  }

  errexit(on: boolean): void {
    this.#policy = on ? 'stop' : 'continue'
  }

  output(format: OutputFormat): void {
    this.#output = format
  }

  failed(error: AmshError): void {
    this.#fail(error)
  }

  /**
   * Runs a text; `name` labels its lines in errors, `chain` lists the files loading it and `via`
   * the lines that did.
   */
  async runSource(
    source: string,
    name: string,
    baseDir: string,
    chain: string[] = [],
    via?: string
  ): Promise<void> {
    for (const { text, line } of logicalLines(source)) {
      if (this.finished) return
      const frame: Frame = { file: name, line, baseDir, host: this, chain, via }
      try {
        this.#show(await this.#session.execute(text, frame))
      } catch (err) {
        const error = toAmshError(err)
        if (toleratedCommand(text) !== undefined) this.#io.err(`${error.format()} (ignored)`)
        else this.#fail(error)
      }
    }
  }

  #show(outcome: Outcome): void {
    if (outcome.kind === 'text') this.#io.out(outcome.text)
    // JavaScript prints with print() / console.log; a batch echoes no assignment (no secrets).
    if (outcome.kind === 'value' && outcome.from === 'command' && !outcome.assigned) {
      if (this.#options.printResults) {
        const { value, entity, view } = outcome
        const shown = render(value, this.#output, entity, view, this.#options.style)
        for (const note of shown.notes) this.#io.err(note)
        this.#io.out(shown.text)
      }
    }
  }

  #fail(error: AmshError): void {
    this.#io.err(error.format())
    this.failures++
    if (this.#policy === 'stop' || error.code === 'E_INTERRUPTED') this.stopped = error
  }
}
