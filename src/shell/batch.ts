import { dirname, resolve } from 'node:path'
import { AmshError, toAmshError } from '../errors.ts'
import { readUserFile } from '../files.ts'
import { formatValue, type OutputFormat } from '../output/format.ts'
import { logicalLines } from './lines.ts'
import type { Session } from './session.ts'

// Replays commands without a prompt: files, -c text and piped stdin. The error policy decides
// whether the first failure stops the batch (exit 3, or 2 for a syntax error) or whether it runs
// on and exits 1 when anything failed.

export type ErrorPolicy = 'stop' | 'continue'

export interface BatchIO {
  out(text: string): void
  err(text: string): void
}

export interface BatchOptions {
  policy: ErrorPolicy
  output: OutputFormat
  /** False in a dry run: the plan lines are the output. */
  printResults: boolean
}

export class Batch {
  failures = 0
  /** The error that stopped the batch, under the stop policy. */
  stopped: AmshError | undefined
  #exited = false
  readonly #session: Session
  readonly #io: BatchIO
  readonly #options: BatchOptions
  /** The error policy in force: --on-error, until a file says `:set errexit on|off`. */
  #policy: ErrorPolicy

  constructor(session: Session, io: BatchIO, options: BatchOptions) {
    this.#session = session
    this.#io = io
    this.#options = options
    this.#policy = options.policy
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

  /**
   * `at` is the chain of lines that loaded the file (`a.amster:3 → b.amster:12`), if any: errors
   * in the file are reported behind it, and a missing file at it.
   */
  async runFile(path: string, chain: string[] = [], at?: string): Promise<void> {
    const full = resolve(path)
    let source: string
    try {
      source = readUserFile(full, 'batch file')
    } catch (err) {
      this.#fail(toAmshError(err), at)
      return
    }
    await this.runSource(source, path, dirname(full), [...chain, full], at)
  }

  /** Runs files one after another, as :load does; a file already in `chain` is a cycle. */
  async load(files: string[], baseDir: string, chain: string[] = [], at?: string): Promise<void> {
    for (const file of files) {
      const path = resolve(baseDir, file)
      if (chain.includes(path)) {
        throw new AmshError('E_USAGE', `:load cycle: ${[...chain, path].join(' → ')}`)
      }
      await this.runFile(path, chain, at)
      if (this.finished) return
    }
  }

  /**
   * Runs a text; `name` labels its lines in errors, `chain` lists the files loading it and `at`
   * the lines that did.
   */
  async runSource(
    source: string,
    name: string,
    baseDir: string,
    chain: string[] = [],
    at?: string
  ): Promise<void> {
    for (const { text, line } of logicalLines(source)) {
      if (this.finished) return
      const where = at ? `${at} → ${name}:${line}` : `${name}:${line}`
      // "-command", as in a Makefile: a failure of this one command is shown and let go.
      const tolerated = /^\s*-[^-\s]/.test(text)
      try {
        const outcome = await this.#session.execute(
          tolerated ? text.replace('-', '') : text,
          baseDir
        )
        switch (outcome.kind) {
          case 'value':
            if (this.#options.printResults) {
              this.#io.out(formatValue(outcome.value, this.#options.output))
            }
            break
          case 'text':
            this.#io.out(outcome.text)
            break
          case 'exit':
            this.#exited = true
            return
          case 'load':
            await this.load(outcome.files, baseDir, chain, where)
            break
          case 'errexit':
            this.#policy = outcome.on ? 'stop' : 'continue'
            break
          case 'none':
            break
        }
      } catch (err) {
        const error = toAmshError(err)
        if (tolerated) {
          error.where ??= where
          this.#io.err(`${error.format()} (ignored)`)
        } else {
          this.#fail(error, where)
        }
      }
    }
  }

  #fail(error: AmshError, where: string | undefined): void {
    error.where ??= where
    this.#io.err(error.format())
    this.failures++
    if (this.#policy === 'stop') this.stopped = error
  }
}
