// amsh's stdout in a batch. Node writes to files and pipes synchronously, so one write per
// command was one system call per command: a tenth of a batch's time on the local store. A batch
// (not to a terminal) sends its output in chunks instead: a reader of a pipe gets what is waiting
// within a moment, and whatever goes to stderr first sends what stdout holds, so the two streams
// keep their order when they go to one place.
//
// What a batch reports done must be done: where the store holds changes uncommitted for a while
// (group commit), output waits for the commit, which the gate makes. After a kill, the output is
// a list of what was kept.

const CHUNK = 64 * 1024
const WAIT_MS = 20

/** Commits what output may report; false when it cannot yet (a change is under way). */
export type OutputGate = () => boolean

export class BufferedOutput {
  readonly #stream: NodeJS.WriteStream
  #parts: string[] = []
  #size = 0
  #timer: NodeJS.Timeout | undefined
  #held = false
  #gate: OutputGate = () => true

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream
  }

  /**
   * From now on, writes wait to go out in chunks (not to a terminal), and each goes out only once
   * `gate` lets it. Never at the prompt, where readline writes the prompt straight to the stream,
   * after any output.
   */
  hold(gate?: OutputGate): void {
    this.#held = !this.#stream.isTTY
    if (gate) this.#gate = gate
  }

  write(text: string): void {
    if (!this.#held && this.#parts.length === 0 && this.#gate()) {
      this.#stream.write(text)
      return
    }
    this.#parts.push(text)
    this.#size += text.length
    if (this.#size >= CHUNK || !this.#held) this.flush()
    else this.#later()
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
    if (this.#parts.length === 0) return
    if (!this.#gate()) {
      this.#later()
      return
    }
    const text = this.#parts.join('')
    this.#parts = []
    this.#size = 0
    this.#stream.write(text)
  }

  #later(): void {
    this.#timer ??= setTimeout(() => this.flush(), WAIT_MS).unref()
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

/**
 * A log of lines (serve's, one per request): the lines of one turn of the event loop go out in
 * one write after it, where a write per line was a system call per request. Whatever is left
 * goes out at exit.
 */
export function turnLog(stream: NodeJS.WritableStream): (line: string) => void {
  let lines: string[] = []
  const flush = () => {
    if (lines.length === 0) return
    const text = lines.join('')
    lines = []
    stream.write(text)
  }
  process.on('exit', flush)
  return (line) => {
    if (lines.push(`${line}\n`) === 1) setImmediate(flush)
  }
}
