// The output of a batch that commits only at its end (--atomic, --dry-run) goes out in chunks.
// Node writes to files and pipes synchronously, so one write per command was one system call
// per command: a tenth of such a batch's time on the local store. A terminal still gets each
// write at once, a reader of a pipe gets what is waiting within a moment, and whatever goes to
// stderr first sends what stdout holds, so the two streams keep their order when they go to one
// place. A batch that commits each command writes each report at once: after a kill, its output
// is still the list of what was done.

const CHUNK = 64 * 1024
const WAIT_MS = 20

export class BufferedOutput {
  readonly #stream: NodeJS.WriteStream
  #parts: string[] = []
  #size = 0
  #timer: NodeJS.Timeout | undefined
  #held = false

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream
  }

  /**
   * From now on, writes wait to go out in chunks (not to a terminal). Never at the prompt,
   * where readline writes the prompt straight to the stream, after any output.
   */
  hold(): void {
    this.#held = !this.#stream.isTTY
  }

  write(text: string): void {
    if (!this.#held) {
      this.#stream.write(text)
      return
    }
    this.#parts.push(text)
    this.#size += text.length
    if (this.#size >= CHUNK) this.flush()
    else this.#timer ??= setTimeout(() => this.flush(), WAIT_MS).unref()
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
    if (this.#parts.length === 0) return
    const text = this.#parts.join('')
    this.#parts = []
    this.#size = 0
    this.#stream.write(text)
  }
}

/** amsh's stdout, sent in full before the process exits, however it exits. */
export const stdout = new BufferedOutput(process.stdout)
process.on('exit', () => stdout.flush())

/** Writes to stderr, after what stdout holds. */
export function writeStderr(text: string): void {
  stdout.flush()
  process.stderr.write(text)
}
