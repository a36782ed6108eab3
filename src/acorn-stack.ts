// acorn parses recursively, so deeply nested code (`((((…`, `[[[[…`, `` `${`${… ``) runs out of
// stack. acorn catches the RangeError at every level of nesting and tests its message with a
// regular expression there, at the bottom of an exhausted stack; V8 compiles that expression on
// first use and, with no stack left, aborts the whole process ("RegExpCompiler Allocation failed -
// process out of memory"): 3 KB of `${ took amsh, and `amsh serve`, down. This plugin lets the
// RangeError unwind to the top of the parse untouched and turns it there, with the stack back,
// into acorn's own kind of syntax error at the token where the parser stood.

import { Parser } from 'acorn'

/** The message of the syntax error that stands for running out of stack. */
export const TOO_DEEP = 'nested too deeply to parse'

/** What the plugin needs of acorn's parser internals (not in acorn's type declarations). */
interface ParserInternals {
  start: number
  raise(pos: number, message: string): never
  parse(): unknown
  catchStackOverflow<T>(parse: () => T): T
}

/** Whether an error thrown while parsing is the engine running out of stack. */
export function isStackOverflow(error: unknown): boolean {
  if (error instanceof RangeError) return /call stack/i.test(error.message)
  // A regular expression literal compiled too deep down says so in a SyntaxError of its own.
  return (
    error instanceof SyntaxError &&
    typeof (error as { pos?: unknown }).pos !== 'number' &&
    /stack overflow/i.test(error.message)
  )
}

/** The acorn plugin: `Parser.extend(stackGuard, ...)`. */
export function stackGuard(Base: typeof Parser): typeof Parser {
  const Internal = Base as unknown as new (...args: unknown[]) => ParserInternals
  class StackGuard extends Internal {
    // Runs at every level of nesting: nothing here may allocate or run a regular expression.
    override catchStackOverflow<T>(parse: () => T): T {
      return parse()
    }

    override parse(): unknown {
      try {
        return super.parse()
      } catch (error) {
        if (isStackOverflow(error)) this.raise(this.start, TOO_DEEP)
        throw error
      }
    }
  }
  return StackGuard as unknown as typeof Parser
}

/** acorn's Parser with the guard. */
export const GuardedParser = Parser.extend(stackGuard)
