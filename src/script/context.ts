import { Console } from 'node:console'
import { Writable } from 'node:stream'
import { inspect } from 'node:util'
import vm from 'node:vm'
import { AmshError, type SourcePosition } from '../errors.ts'
import { formatValue } from '../output/format.ts'
import type { CompiledLine } from './compile.ts'

// The JavaScript side of a session: one node:vm context that lives as long as the session, so
// variables persist between lines and across :loaded files. What it offers besides ECMAScript
// is what Amster scripts lean on (System.getProperty, System.getenv, eval, println) and what a
// shell script needs (run, env, args, readFile, writeFile).

export interface ScriptHost {
  /** run(line): a command or meta command, as if typed on its own line. */
  run(line: string): Promise<unknown>
  /** Whether a text is for run() rather than JavaScript: eval() sends those to run(). */
  isCommand(text: string): boolean
  write(text: string): void
  writeError(text: string): void
  readFile(path: string): string
  writeFile(path: string, text: string): void
  properties: ReadonlyMap<string, string>
  env: Readonly<Record<string, string | undefined>>
  /** Whether a thrown value is the host's own way out of a line (run(":exit")), passed on as is. */
  isExit(thrown: unknown): boolean
  /** A promise of the user's code was rejected and nothing handled it (the error says what). */
  unhandled?(error: AmshError): void
}

/**
 * Who hears of a rejection nobody handled, by the realm of its promise: each context's own
 * Promise.prototype names it (and goes, with its entry, when the context does).
 */
const rejectionOwners = new WeakMap<object, (reason: unknown) => void>()
let listening = false

/**
 * One listener for the process: a rejection of the user's code (`[Promise.reject(x)]`) is the
 * user's error, reported to its session; any other is amsh's own, and ends the process as node
 * would have.
 */
function listenForRejections(): void {
  if (listening) return
  listening = true
  process.on('unhandledRejection', (reason, promise) => {
    const owner = rejectionOwners.get(Object.getPrototypeOf(promise) as object)
    if (!owner) throw reason
    owner(reason)
  })
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

/** How print() and friends show a value: strings as they are, anything else as the shell does. */
function displayText(value: unknown): string {
  return typeof value === 'string' ? value : formatValue(value)
}

function textStream(write: (text: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      write(chunk.toString())
      done()
    },
  })
}

/**
 * What code threw, as text: its message (with its name, unless a plain Error), or the value.
 * Reading it runs the thrower's code (getters, toString, a Proxy's traps), which may throw too.
 */
export function thrownText(thrown: unknown): string {
  return describeThrown(thrown).text
}

/** What `read` returns, or undefined if it throws. */
function attempt<T>(read: () => T): T | undefined {
  try {
    return read()
  } catch {
    return undefined
  }
}

function describeThrown(thrown: unknown): { text: string; stack: string } {
  const text = (read: () => unknown) => attempt(() => String(read() ?? ''))
  if (attempt(() => typeof thrown === 'object' && thrown != null && 'message' in thrown)) {
    const error = thrown as { name?: unknown; message?: unknown; stack?: unknown }
    const name = text(() => error.name) ?? ''
    const message = text(() => error.message) ?? '(a message that cannot be read)'
    return {
      text: name && name !== 'Error' ? `${name}: ${message}` : message,
      stack: text(() => error.stack) ?? '',
    }
  }
  const shown = attempt(() => displayText(thrown)) ?? attempt(() => inspect(thrown)) ?? 'a value'
  return { text: `uncaught ${shown}`, stack: '' }
}

/** Whatever a JavaScript line threw, as an AmshError with its message (and stack, to debug). */
function scriptError(thrown: unknown, debug: boolean): AmshError {
  if (isAmshError(thrown)) return thrown
  const { text, stack } = describeThrown(thrown)
  return new AmshError('E_SCRIPT', debug && stack ? `${text}\n${userFrames(stack)}` : text, {
    cause: thrown,
  })
}

/** Code quoted in a message: a ${} of 500 KB is shown by its start. */
export function clipped(code: string): string {
  return code.length > 80 ? `${code.slice(0, 79)}…` : code
}

/** The frames of a stack that are the user's code, with the places named as in the files. */
function userFrames(stack: string): string {
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line))
  const end = frames.findIndex((line) => line.includes('Script.runInContext'))
  return frames
    .slice(0, end < 0 ? undefined : end)
    .map((line) => line.replace(/amsh:(.+)@\d+:/, '$1:'))
    .join('\n')
}

/** A line's scripts are named `amsh:<file>@<first line>`, so a stack frame tells which ran. */
const FRAME = /amsh:(.+)@(\d+):(\d+):(\d+)\)?$/gm

/** A context's own globals: made the first time anything runs in it. */
interface Realm {
  context: vm.Context
  /** The context's globalThis. */
  global: Record<string, unknown>
  /** Names the context starts with: never taken for the user's variables. */
  builtins: Set<string>
}

export class ScriptContext {
  readonly #host: ScriptHost
  #made: Realm | undefined
  /** Globals set before the context was made (`_` after each command), for it to start with. */
  readonly #early = new Map<string, unknown>()
  readonly #lookups = new Map<string, vm.Script>()
  readonly #debug: boolean
  /** How the rewritten lines (top-level await) map back to what was typed, by script name. */
  readonly #rewritten = new Map<string, CompiledLine['original']>()
  readonly #isExit: (thrown: unknown) => boolean

  constructor(host: ScriptHost, debug = false) {
    this.#host = host
    this.#debug = debug
    this.#isExit = host.isExit
  }

  // A batch of commands alone never runs JavaScript: making the context (and its console) cost
  // every process ~7 ms of its start.
  get #realm(): Realm {
    return (this.#made ??= this.#make())
  }

  #make(): Realm {
    const host = this.#host
    const context = vm.createContext({})
    const global = vm.runInContext('globalThis', context) as Record<string, unknown>
    const jsEval = global.eval as (code: string) => unknown
    const stdout = textStream((text) => host.write(text))
    const stderr = textStream((text) => host.writeError(text))
    const text = (values: unknown[]) => values.map(displayText).join(' ')
    Object.assign(global, {
      run: (line: string) => host.run(String(line)),
      // Amster's eval("create ...") runs a command; any other text is JavaScript, as usual.
      eval: (code: unknown) =>
        typeof code === 'string' && host.isCommand(code) ? host.run(code) : jsEval(code as string),
      print: (...values: unknown[]) => host.write(text(values)),
      println: (...values: unknown[]) => host.write(`${text(values)}\n`),
      console: new Console({ stdout, stderr, inspectOptions: { depth: 4 } }),
      System: Object.freeze({
        getProperty: (name: string, fallback?: string) =>
          host.properties.get(String(name)) ?? fallback ?? null,
        getenv: (name?: string) =>
          name === undefined ? { ...host.env } : (host.env[String(name)] ?? null),
      }),
      env: Object.freeze({ ...host.env }),
      args: Object.freeze([]),
      readFile: (path: string) => host.readFile(String(path)),
      writeFile: (path: string, data: unknown) =>
        host.writeFile(String(path), typeof data === 'string' ? data : `${displayText(data)}\n`),
      Buffer,
      URL,
      URLSearchParams,
      TextEncoder,
      TextDecoder,
      atob,
      btoa,
      structuredClone,
      setTimeout,
      clearTimeout,
      setInterval,
      clearInterval,
    })
    const builtins = new Set(Object.getOwnPropertyNames(global))
    const unhandled = host.unhandled
    if (unhandled) {
      const prototype = vm.runInContext('Promise.prototype', context) as object
      rejectionOwners.set(prototype, (reason) => {
        const { text, stack } = describeThrown(reason)
        const error = new AmshError(
          'E_SCRIPT',
          `a promise was rejected and nothing handled it: ${text}`,
          { cause: reason }
        )
        error.at = this.place(stack)
        unhandled(error)
      })
      listenForRejections()
    }
    // -D properties are variables too, as Amster scripts expect after `binding.variables << ...`.
    for (const [name, value] of host.properties) {
      if (IDENTIFIER.test(name)) global[name] = value
    }
    for (const [name, value] of this.#early) global[name] = value
    this.#early.clear()
    return { context, global, builtins }
  }

  /**
   * Runs a compiled line; `file` and `line` place its first line for error positions. The value
   * comes boxed: a promise resolved with the value itself would read its `then` once more, outside
   * this method, where what that getter throws would be no one's error.
   */
  async evaluate(compiled: CompiledLine, file: string, line: number): Promise<{ value: unknown }> {
    const name = `${file}@${line}`
    if (compiled.async) this.#rewritten.set(name, compiled.original)
    try {
      const script = new vm.Script(compiled.code, {
        filename: `amsh:${name}`,
        lineOffset: line - 1,
      })
      const value: unknown = script.runInContext(this.#realm.context, {
        breakOnSigint: true,
        displayErrors: false,
      })
      // A line's value that is a promise (or any thenable) settles the line, as an async
      // function's return value would, but here, where what its `then` throws (a getter, a
      // Proxy's trap) is the line's error.
      return { value: await (value as Promise<unknown>) }
    } catch (thrown) {
      if (isInterruption(thrown)) throw interrupted()
      if (this.#isExit(thrown)) throw thrown
      const error = scriptError(thrown, this.#debug)
      if (thrown !== error) error.at = this.place(describeThrown(thrown).stack)
      throw error
    }
  }

  /** The innermost place of a stack that lies in a line of the shell, as the user typed it. */
  place(stack: string): SourcePosition | undefined {
    for (const match of stack.matchAll(FRAME)) {
      const [, file = '', first, line, column] = match
      const start = Number(first)
      const typed = (
        this.#rewritten.get(`${file}@${first}`) ??
        ((l: number, c: number) => ({ line: l, column: c }))
      )(Number(line) - start + 1, Number(column))
      return { file, line: start + typed.line - 1, column: typed.column }
    }
    return undefined
  }

  /**
   * The names that complete the JavaScript at the end of `line` (Tab): a variable or global,
   * or a property of a chain of names (`scripts[0]` and calls are not evaluated, so completing
   * runs none of the user's code but getters on the way). Returns the candidates and the word
   * they replace.
   */
  complete(line: string): [string[], string] {
    const tail = /[\w$.]*$/.exec(line.slice(-200))![0]
    const parts = tail.split('.')
    const word = parts.pop()!
    let target: unknown = this.#realm.global
    try {
      for (const name of parts) {
        if (!/^[A-Za-z_$][\w$]*$/.test(name) || target == null) return [[], word]
        target = (target as Record<string, unknown>)[name]
      }
    } catch {
      return [[], word]
    }
    const names = new Set<string>()
    try {
      // Primitives complete as their wrapper objects do (`"x".len` to `length`).
      let object: unknown = target == null ? undefined : Object(target)
      for (let depth = 0; object != null && depth < 20 && names.size < 2000; depth++) {
        for (const name of Object.getOwnPropertyNames(object)) names.add(name)
        object = Object.getPrototypeOf(object)
      }
    } catch {
      // A Proxy's trap threw: nothing to offer.
    }
    const found = [...names]
      .filter((name) => name.startsWith(word) && /^[A-Za-z_$][\w$]*$/.test(name))
      .sort()
    return [found, word]
  }

  /** The value of a variable the user defined, or undefined when `name` is none. */
  variable(name: string): { value: unknown } | undefined {
    if (!IDENTIFIER.test(name)) return undefined
    // Before anything ran, the only variables are what the shell set.
    if (!this.#made && this.#host.properties.size === 0) {
      return this.#early.has(name) ? { value: this.#early.get(name) } : undefined
    }
    const { builtins, context } = this.#realm
    if (builtins.has(name)) return undefined
    let script = this.#lookups.get(name)
    if (!script) {
      try {
        script = new vm.Script(name)
      } catch {
        return undefined // a reserved word
      }
      this.#lookups.set(name, script)
    }
    try {
      return { value: script.runInContext(context) }
    } catch {
      return undefined // not defined (a ReferenceError), or not yet initialised
    }
  }

  /** The value of a ${expression} of a command line. */
  expression(text: string): unknown {
    try {
      return new vm.Script(`(${text}\n)`, { filename: 'amsh:${}' }).runInContext(
        this.#realm.context,
        {
          breakOnSigint: true,
        }
      )
    } catch (thrown) {
      if (isInterruption(thrown)) throw interrupted()
      const error = scriptError(thrown, this.#debug)
      throw new AmshError('E_SCRIPT', `\${${clipped(text)}}: ${error.message}`, { cause: thrown })
    }
  }

  /** Sets a global of the context, as a plain `name = value` line would. */
  set(name: string, value: unknown): void {
    if (this.#made) this.#made.global[name] = value
    else this.#early.set(name, value)
  }

  /** Runs a small piece of trusted code of the shell's own with `value` bound to `$value`. */
  bind(code: string, value: unknown): void {
    this.set('$amshValue', value)
    try {
      vm.runInContext(code, this.#realm.context)
    } finally {
      delete this.#realm.global.$amshValue
    }
  }
}

// A Proxy thrown by the user's code runs the user's code even for `instanceof` and `in`.

function isAmshError(thrown: unknown): thrown is AmshError {
  return attempt(() => thrown instanceof AmshError) ?? false
}

function isInterruption(thrown: unknown): boolean {
  return (
    attempt(
      () =>
        typeof thrown === 'object' &&
        thrown != null &&
        'code' in thrown &&
        thrown.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED'
    ) ?? false
  )
}

export function interrupted(): AmshError {
  return new AmshError('E_INTERRUPTED', 'interrupted (Ctrl-C)')
}
