import { AmshError } from './errors.ts'

// JSON nested thousands deep parses (V8's JSON.parse does not recurse), then overflows the stack
// of whatever does recurse over it: jsonc-parser finding where a bad body breaks, JSON.stringify
// storing or printing it. No real body comes near, so deeper than MAX_JSON_DEPTH is refused up
// front, as a parse error that says where.

export const MAX_JSON_DEPTH = 1000

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPENERS = new Set([0x5b, 0x7b]) // [ {
const CLOSERS = new Set([0x5d, 0x7d]) // ] }

/**
 * The offset of the first `[` or `{` nested deeper than `max` in a JSON text (brackets in strings
 * do not count), or undefined. Linear and without recursion; the text need not be valid JSON.
 */
export function tooDeepAt(text: string, max = MAX_JSON_DEPTH): number | undefined {
  // Deeper than `max` takes more than `max` characters.
  if (text.length <= max) return undefined
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (ch === QUOTE) {
      for (i++; i < text.length && text.charCodeAt(i) !== QUOTE; i++) {
        if (text.charCodeAt(i) === BACKSLASH) i++
      }
    } else if (OPENERS.has(ch)) {
      if (++depth > max) return i
    } else if (CLOSERS.has(ch) && depth > 0) {
      depth--
    }
  }
  return undefined
}

/** 1-based line and column of an offset, lines ending at \n. */
export function jsonLineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++
    lineStart = i + 1
  }
  return { line, column: offset - lineStart + 1 }
}

/** The E_PARSE error for a JSON text (named `source`) nested too deeply at `offset`. */
export function tooDeepError(text: string, offset: number, source: string): AmshError {
  const { line, column } = jsonLineColumn(text, offset)
  return new AmshError(
    'E_PARSE',
    `${source} is nested deeper than ${MAX_JSON_DEPTH} levels at ${line}:${column}`,
    { details: { line, column } }
  )
}

/** Throws tooDeepError when a JSON text nests deeper than MAX_JSON_DEPTH. */
export function assertJsonDepth(text: string, source: string): void {
  const at = tooDeepAt(text)
  if (at !== undefined) throw tooDeepError(text, at, source)
}
