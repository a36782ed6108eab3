import { AsyncLocalStorage } from 'node:async_hooks'
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Profile } from '../catalog/profiles.ts'
import { AmshError, toAmshError } from '../errors.ts'
import { readUserFile } from '../files.ts'
import { redactText } from '../journal/images.ts'
import type { JsonValue } from '../json.ts'
import type { OutputFormat } from '../output/format.ts'
import type { View } from '../output/view.ts'
import type { CommandScope, Invocation } from '../parse/invocation.ts'
import { compileLine } from '../script/compile.ts'
import { groovyApiIn } from '../script/groovy-idioms.ts'
import { clipped, interrupted, ScriptContext, thrownText } from '../script/context.ts'
import type { JournalPlace } from '../transport/journaling.ts'
import type { Transport } from '../transport/types.ts'
import type { Ask, Connection, Connector } from './connect.ts'
import type { ConnectRequest } from '../parse/connect.ts'
import { viewOf, withRealmHint } from '../verbs/common.ts'
import { findVerb, parseCommand } from '../verbs/index.ts'
import type { SessionExpressions } from '../verbs/types.ts'
import { helpText } from './help.ts'
import { commandAssignment, lineKind, toleratedCommand, type LineKind } from './lines.ts'
import { parseMeta, type MetaCommand } from './meta.ts'

// The one core every front end calls: the REPL, batch files, -c and stdin. A logical line goes
// in; what the front end should show comes out. Commands go to the verbs, meta commands to the
// front end (the host: loading files, leaving, the error policy), and anything else is
// JavaScript for the session's context. Failures are thrown as AmshErrors.

export type Outcome =
  | { kind: 'none' }
  | { kind: 'text'; text: string }
  | {
      kind: 'value'
      value: unknown
      from: 'command' | 'javascript'
      /** The line put the value into a variable: batches never echo it, -q prompts neither. */
      assigned: boolean
      /** The entity the command worked on, for its listing's columns. */
      entity?: string
      /** How the command asked to see its result (--decode, --columns). */
      view?: View
    }

/** What the front end running the lines does for meta commands. */
export interface SessionHost {
  load(file: string, args: string[], from: Frame): Promise<void>
  /** Asks the person at the terminal (connect -i); absent when there is none. */
  ask?: Ask
  exit(): void
  errexit(on: boolean): void
  /** `:set output <format>`: how the results of later commands are shown. */
  output(format: OutputFormat): void
  /** `:history`: the commands typed at the prompt; absent in a batch. */
  history?(): string
  /** A failure no line surfaced: a run() whose promise nobody awaited. */
  failed(error: AmshError, from: Frame): void
}

/** The line being run: where it stands and who runs it. */
export interface Frame {
  /** How errors name the file: a path as given, `-c`, `<stdin>` or `<prompt>`. */
  file: string
  /** 1-based line of the file where the logical line starts. */
  line: number
  /** Where relative file names resolve. */
  baseDir: string
  host: SessionHost
  /** The paths of the files loading this one, outermost first (for cycles). */
  chain: string[]
  /** The lines that loaded this file (`a.amster:3 → b.amster:12`), if any. */
  via: string | undefined
}

export interface SessionOptions {
  /** Opens what `connect` names; its home is where the session starts. */
  connector: Connector
  profile: Profile
  /** -D name=value properties. */
  properties: Map<string, string>
  /** Where print(), println() and console write. */
  write(text: string): void
  writeError(text: string): void
  /** Stack traces in JavaScript errors. */
  debug?: boolean
  /** False in a dry run: writeFile() says what it would write instead. */
  writeFiles?: boolean
}

/** A promise of run() that knows whether code awaited it (then() is how await takes it). */
class CommandPromise extends Promise<unknown> {
  static override get [Symbol.species]() {
    return Promise
  }
  observed = false
  override then<A = unknown, B = never>(
    onFulfilled?: ((value: unknown) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null
  ): Promise<A | B> {
    this.observed = true
    return super.then(onFulfilled, onRejected)
  }
}

/** The file name of lines typed at the prompt. */
export const PROMPT = '<prompt>'

/** Thrown through JavaScript by run(":exit"), so that the rest of the line does not run. */
const EXIT = Symbol('amsh exit')

interface Pending {
  promise: CommandPromise
  task: Promise<unknown>
  error?: AmshError
}

interface LineState {
  frame: Frame
  /** run() calls of the line, in order: each waits for the one before. */
  queue: Promise<unknown>
  /** run() calls not yet known to have succeeded: the failures are reported if nobody awaited. */
  pending: Set<Pending>
  /** Shared by a line and the lines of files it loads: Ctrl-C stops them all. */
  stop: { interrupted: boolean; reject?: (error: AmshError) => void }
}

function optionText(value: unknown, what: string): string {
  if (typeof value === 'string') return value
  if (value == null) {
    throw new AmshError('E_SCRIPT', `${what} is ${String(value)}: there is no value to use here`)
  }
  if (typeof value === 'object') {
    // The user's object runs the user's code here: getters, toJSON, a Proxy's traps (or a revoked
    // Proxy), and JSON refuses cycles and BigInts. Whatever it throws is the value's fault.
    try {
      return JSON.stringify(value)
    } catch (err) {
      throw new AmshError(
        'E_SCRIPT',
        `${what} cannot be written as JSON for the command line: ${thrownText(err).replace(/\s*\n\s*/g, ' ')}`,
        { cause: err }
      )
    }
  }
  if (typeof value === 'function' || typeof value === 'symbol') {
    throw new AmshError('E_SCRIPT', `${what} is a ${typeof value}, not a value for a command line`)
  }
  return String(value as number | boolean | bigint)
}

export class Session {
  readonly #connector: Connector
  #connection: Connection
  readonly profile: Profile
  readonly properties: Map<string, string>
  readonly #script: ScriptContext
  readonly #scope: CommandScope
  readonly #lines = new AsyncLocalStorage<LineState>()
  readonly #writeFiles: boolean
  readonly #write: (text: string) => void
  readonly #writeError: (text: string) => void
  #args: readonly string[] = Object.freeze([])
  readonly #expressions: SessionExpressions
  /** When run() last let the event loop turn. */
  #yielded = 0

  constructor(options: SessionOptions) {
    this.#connector = options.connector
    this.#connection = options.connector.home
    this.profile = options.profile
    this.properties = options.properties
    this.#writeFiles = options.writeFiles ?? true
    this.#write = options.write
    this.#writeError = options.writeError
    // Files named in code resolve beside the file of the line running now.
    const here = (path: string) => resolve(this.#lines.getStore()?.frame.baseDir ?? '.', path)
    this.#script = new ScriptContext(
      {
        run: (line) => this.#run(line),
        isCommand: (text) => {
          const kind = lineKind(text)
          return kind === 'command' || kind === 'meta'
        },
        write: options.write,
        writeError: options.writeError,
        readFile: (path) => readUserFile(here(path), 'file'),
        writeFile: (path, text) => this.#writeFile(here(path), text),
        properties: this.properties,
        env: process.env,
        isExit: (thrown) => thrown === EXIT,
        // Reported as a run() nobody awaited is: to the host of the line that ran last.
        unhandled: (error) => {
          const frame = this.#lastFrame
          if (frame) frame.host.failed(placed(error, frame), frame)
          else this.#writeError(`${error.format()}\n`)
        },
      },
      options.debug
    )
    this.#expressions = {
      variable: (name) => {
        const value = this.#script.variable(name)?.value
        const plain = ['string', 'number', 'boolean'].includes(typeof value)
        return plain ? String(value as string | number | boolean) : undefined
      },
      properties: this.properties,
      files: new Map(),
    }
    this.#scope = {
      expand: (expression) =>
        optionText(this.#script.expression(expression), `\${${clipped(expression)}}`),
      variable: (name) => {
        const found = this.#script.variable(name)
        if (!found || typeof found.value === 'function') return undefined
        return optionText(found.value, `variable "${name}"`)
      },
    }
  }

  /** Tab on a JavaScript line: the names of the session's context that complete it. */
  completeJavaScript(line: string): [string[], string] {
    return this.#script.complete(line)
  }

  get transport(): Transport {
    return this.#connection.transport
  }

  /** The journal of the changes commands make now, when there is one. */
  get journal(): JournalPlace | undefined {
    return this.#connection.journal
  }

  /** Where commands go, for the prompt: a server's host, or undefined for the start-up store. */
  get where(): string | undefined {
    return this.#connection.label
  }

  /** Ends the session: its connection, and the bookkeeping of its lines. */
  close(): void {
    this.#leave()
    // An AsyncLocalStorage that has run stays in node's list of them, which every new promise of
    // the process walks, until it is disabled: each session that ended made all later ones slower.
    this.#lines.disable()
  }

  /**
   * Back to the start-up store, closing what `connect` opened (the start-up store belongs to
   * whoever made it).
   */
  #leave(): void {
    if (this.#connection.owned) this.#connection.transport.close()
    this.#connection = this.#connector.home
  }

  /** The words after the file name of the :load running now, as the file's code sees them. */
  withArgs<T>(args: string[], work: () => Promise<T>): Promise<T> {
    const previous = this.#args
    this.#args = Object.freeze([...args])
    this.#script.set('args', this.#args)
    return work().finally(() => {
      this.#args = previous
      this.#script.set('args', previous)
    })
  }

  /** Stops the line running now (Ctrl-C at the prompt): it fails with E_INTERRUPTED. */
  interrupt(): void {
    const stop = this.#current?.stop
    if (!stop || stop.interrupted) return
    stop.interrupted = true
    stop.reject?.(interrupted())
  }

  #current: LineState | undefined
  /** The frame of the line run last (or running now), for failures that come after it. */
  #lastFrame: Frame | undefined

  /** Runs one logical line. */
  async execute(text: string, frame: Frame): Promise<Outcome> {
    const outer = this.#lines.getStore()
    const state: LineState = {
      frame,
      queue: Promise.resolve(),
      pending: new Set(),
      stop: outer?.stop ?? { interrupted: false },
    }
    if (!outer) this.#current = state
    this.#lastFrame = frame
    // A line at the prompt is a batch of its own; a run of lines (a batch file) began one.
    const journal = outer ? undefined : this.#connector.journal
    const ownBatch = journal !== undefined && !journal.running
    if (ownBatch) journal.begin(redactText(text.trim()))
    let failed = true
    const tolerated = toleratedCommand(text)
    const typed = lineKind(tolerated ?? text)
    // A lone verb is a command missing its entity, unless it names a variable (`r`).
    const kind =
      typed === 'command' && /^\s*\S+\s*$/.test(text) && this.#script.variable(text.trim())
        ? 'javascript'
        : typed
    // Only what runs code of the user's, or other lines, needs to find its line later (run(),
    // :load). Entering the store enables async hooks for every promise the process makes from
    // then on, which costs a plain command batch a tenth of its time.
    const within = <T>(fn: () => Promise<T>): Promise<T> =>
      kind === 'command' && !outer ? fn() : this.#lines.run(state, fn)
    return within(async () => {
      try {
        const outcome = await this.#line(text, kind, tolerated, state)
        failed = false
        return outcome
      } catch (err) {
        if (err === EXIT) {
          failed = false
          return { kind: 'none' }
        }
        throw placed(toAmshError(err), frame)
      } finally {
        if (!outer) this.#current = undefined
        if (ownBatch) journal.end(failed ? 'failed' : 'done')
      }
    })
  }

  async #line(
    text: string,
    kind: LineKind,
    tolerated: string | undefined,
    state: LineState
  ): Promise<Outcome> {
    const { frame } = state
    switch (kind) {
      case 'blank':
      case 'comment':
        return { kind: 'none' }
      case 'meta':
        return this.#meta(parseMeta(text, this.#scope.expand), frame)
      case 'command':
        return this.#commandLine(tolerated ?? text, frame)
      case 'javascript':
        return this.#javascript(text, state)
    }
  }

  async #meta(meta: MetaCommand, frame: Frame): Promise<Outcome> {
    switch (meta.kind) {
      case 'help':
        return { kind: 'text', text: helpText(meta.topic) }
      case 'exit':
        frame.host.exit()
        return { kind: 'none' }
      case 'load':
        await frame.host.load(meta.file, meta.args, frame)
        return { kind: 'none' }
      case 'errexit':
        frame.host.errexit(meta.on)
        return { kind: 'none' }
      case 'output':
        frame.host.output(meta.format)
        return { kind: 'none' }
      case 'history':
        return {
          kind: 'text',
          text:
            frame.host.history?.() ??
            ':history lists what was typed at the am> prompt; a batch has none',
        }
    }
  }

  async #commandLine(text: string, frame: Frame): Promise<Extract<Outcome, { kind: 'value' }>> {
    const assignment = commandAssignment(text)
    const invocation = parseCommand(assignment?.command ?? text, this.#scope)
    const value = await this.#command(invocation, frame)
    if (assignment) {
      const { declaration, name } = assignment
      this.#script.bind(`${declaration ?? ''} ${name} = $amshValue`, value)
    }
    this.#script.set('_', value)
    return {
      kind: 'value',
      value,
      from: 'command',
      assigned: assignment !== undefined,
      entity: invocation.entity,
      view: viewOf(invocation),
    }
  }

  #command(invocation: Invocation, frame: Frame): Promise<JsonValue> {
    return this.#verbRun(invocation, frame).catch(async (err: unknown) => {
      throw await withRealmHint(err, invocation, this.transport)
    })
  }

  #verbRun(invocation: Invocation, frame: Frame): Promise<JsonValue> {
    return findVerb(invocation.verb)!.run(invocation, {
      transport: this.transport,
      profile: this.profile,
      baseDir: frame.baseDir,
      connect: (request) => this.connect(request, frame.baseDir, frame.host.ask),
      notify: (line) => this.#writeError(`${line}\n`),
      ask: frame.host.ask,
      expressions: this.#expressions,
      journal: this.#connection.journal,
    })
  }

  /** `connect`: commands go elsewhere from now on, once the new place has let us in. */
  async connect(request: ConnectRequest, baseDir: string, ask?: Ask): Promise<true> {
    const asker = () => ask ?? this.#lines.getStore()?.frame.host.ask
    const next = await this.#connector.open(request, baseDir, asker)
    if (next !== this.#connection) {
      this.#leave()
      this.#connection = next
    }
    return true
  }

  async #javascript(text: string, state: LineState): Promise<Outcome> {
    const { frame } = state
    // Groovy's `this.binding.variables << map` makes the map's entries variables.
    const binding = /^\s*(?:this\s*\.\s*)?binding\s*\.\s*variables\s*<<\s*/.exec(text)
    // Only a map: a string's (or a list's) entries are its characters (a megabyte: a million
    // globals, and a minute's work), no names at all.
    const code = binding
      ? `Object.assign(globalThis, ((m) => typeof m === 'object' && m !== null && !Array.isArray(m) ? m : (() => { throw new TypeError(\`binding.variables << takes a map of names to values, not \${Array.isArray(m) ? 'a list' : typeof m === 'object' ? 'null' : \`a \${typeof m}\`}\`) })())(${text.slice(binding[0].length)}))`
      : text
    let compiled
    try {
      compiled = compileLine(code)
    } catch (err) {
      // `qurey Scripts --realm /` is a mistyped command, not broken JavaScript.
      if (/^\s*[a-z][\w-]*\s+[A-Za-z][\w-]*\s.*--[A-Za-z]/s.test(text)) parseCommand(text)
      throw atLineOf(toAmshError(err), frame)
    }
    const evaluation = this.#script
      .evaluate(compiled, frame.file, frame.line)
      .catch((err: unknown) => {
        throw err === EXIT ? err : withGroovyHint(toAmshError(err), text)
      })
    const stopped = new Promise<never>((_, reject) => {
      state.stop.reject = reject
    })
    // A promise nothing is left to settle (no timer, no I/O: `await new Promise(() => {})`)
    // would have node end amsh there, silently, with exit status 13: the line fails instead.
    let stuck: () => void = () => undefined
    const never = new Promise<never>((_, reject) => {
      stuck = () =>
        reject(
          new AmshError(
            'E_SCRIPT',
            'the line waits for a promise that nothing is left to settle (no timer, no I/O): it would never end'
          )
        )
    })
    process.once('beforeExit', stuck)
    let value: unknown
    try {
      // A line whose value is a run() promise (`run("read ...")` alone) is settled by it, as an
      // async function's return value is: the result shows, as Amster's eval shows it.
      ;({ value } = await Promise.race([evaluation, stopped, never]))
      await Promise.race([
        Promise.allSettled([...state.pending].map((p) => p.task)),
        stopped,
        never,
      ])
    } finally {
      process.off('beforeExit', stuck)
    }
    for (const { promise, error } of state.pending) {
      if (error && !promise.observed) frame.host.failed(placed(error, frame), frame)
    }
    if (value !== undefined && !binding) this.#script.set('_', value)
    return {
      kind: 'value',
      value: binding ? undefined : value,
      from: 'javascript',
      assigned: compiled.assignment,
    }
  }

  /** run(line) of the JavaScript context: commands run one after another, in call order. */
  #run(line: string): CommandPromise {
    const state = this.#lines.getStore()
    const site: { stack?: string } = {}
    Error.captureStackTrace(site)
    const work = async (): Promise<unknown> => {
      if (!state) throw new AmshError('E_SCRIPT', 'run() was called after its line ended')
      // On the local store a command never waits for I/O, so a loop of them would keep the event
      // loop (and Ctrl-C with it) from ever running: let it in now and then.
      if (performance.now() - this.#yielded > 50) {
        await new Promise((done) => setImmediate(done))
        this.#yielded = performance.now()
      }
      if (state.stop.interrupted) throw interrupted()
      const kind = lineKind(line)
      if (kind === 'javascript') {
        throw new AmshError(
          'E_USAGE',
          `run() takes a command or a meta command (:load, :exit ...), not JavaScript: ${line}`
        )
      }
      if (kind === 'meta') {
        const meta = parseMeta(line, this.#scope.expand)
        const outcome = await this.#meta(meta, state.frame)
        if (meta.kind === 'exit') throw EXIT
        return outcome.kind === 'text' ? outcome.text : undefined
      }
      if (kind !== 'command') return undefined
      return (await this.#commandLine(line, state.frame)).value
    }
    const task = (state?.queue ?? Promise.resolve()).then(work)
    const entry: Pending = {
      task,
      promise: new CommandPromise((resolveTask, rejectTask) => {
        task.then(
          (value) => {
            state?.pending.delete(entry)
            resolveTask(value)
          },
          (err: unknown) => {
            if (err === EXIT) return rejectTask(err)
            const error = toAmshError(err)
            error.at ??= this.#script.place(site.stack ?? '')
            error.command ??= line
            entry.error = error
            rejectTask(error)
          }
        )
      }),
    }
    if (state) {
      state.queue = task.catch(() => undefined)
      state.pending.add(entry)
    }
    // Marked handled for node; whether the user's code awaited it is tracked apart.
    Promise.prototype.then.call(entry.promise, undefined, () => undefined)
    return entry.promise
  }

  #writeFile(path: string, text: string): void {
    if (!this.#writeFiles) {
      this.#write(`would write ${path} (${Buffer.byteLength(text)} bytes)\n`)
      return
    }
    try {
      writeFileSync(path, text)
    } catch (err) {
      throw new AmshError('E_IO', `cannot write ${path}: ${(err as Error).message}`, { cause: err })
    }
  }
}

/** A Groovy API (JsonSlurper, encodeBase64 ...) that explains why a ported line threw. */
function withGroovyHint(error: AmshError, text: string): AmshError {
  const hint = error.code === 'E_SCRIPT' ? groovyApiIn(text) : undefined
  if (hint) error.message = `${error.message} (${hint.message})`
  return error
}

/** A JavaScript syntax error's position (relative to the line) made a place in the file. */
function atLineOf(error: AmshError, frame: Frame): AmshError {
  const line = error.details?.line
  const column = error.details?.column
  if (error.code === 'E_PARSE' && typeof line === 'number') {
    error.at = {
      file: frame.file,
      line: frame.line + line - 1,
      column: typeof column === 'number' ? column : undefined,
    }
  }
  return error
}

/** Names the failing line's place in its error, unless a deeper place already did. */
function placed(error: AmshError, frame: Frame): AmshError {
  if (error.where !== undefined) return error
  // At the prompt a line has no place worth naming, unless it spans several lines.
  if (frame.file === PROMPT && error.at?.file !== PROMPT) return error
  const here = `${frame.file}:${frame.line}`
  let where = here
  if (error.at) {
    const column = error.at.column === undefined ? '' : `:${error.at.column}`
    where =
      error.at.file === frame.file
        ? `${frame.file}:${error.at.line}${column}`
        : `${here} (at ${error.at.file}:${error.at.line}${column})`
  }
  error.where = frame.via ? `${frame.via} → ${where}` : where
  return error
}
