import { isVerbWord } from '../verbs/index.ts'
import { tokenize } from '../parse/tokenize.ts'
import { isCompleteJavaScript, javascriptState } from '../script/compile.ts'
import { mask } from '../script/mask.ts'
import { OpenJavaScript } from './open-javascript.ts'

// What a line is, and where it ends. A logical line is what one command or one JavaScript
// statement needs: physical lines joined where a line ends in a backslash, where a quote or a
// JSON body is still open, or where the JavaScript is not finished yet.

export type LineKind = 'blank' | 'comment' | 'meta' | 'command' | 'javascript'

/** Amster commands amsh knows by name: never JavaScript, even where amsh lacks them. */
const AMSTER_WORDS = new Set([
  'connect',
  'export-config',
  'import-config',
  'envconfig',
  'install-openam',
])

/**
 * A command starts with a verb and then an entity name (`create Scripts ...`), which JavaScript
 * never writes; `delete x` alone is JavaScript's delete, and `a in b` its operator.
 */
function isCommandText(text: string): boolean {
  const [, first = '', second, more] = /^\s*(\S+)(?:\s+(\S+))?\s*(\S)?/.exec(text) ?? []
  if (AMSTER_WORDS.has(first)) return true
  if (!isVerbWord(first)) return false
  if (second === undefined || second.startsWith('--')) return true
  if (!/^[A-Za-z][\w-]*$/.test(second) || second === 'in' || second === 'instanceof') return false
  return !(first === 'delete' && more === undefined && /^[a-z_]/.test(second))
}

/** `x = command`, `let x = command`: a command whose result goes into a variable. */
export interface CommandAssignment {
  declaration: 'let' | 'const' | 'var' | undefined
  name: string
  command: string
}

const ASSIGNMENT = /^\s*(?:(let|const|var)\s+)?([A-Za-z_$][\w$]*)\s*=(?![=>])\s*/

export function commandAssignment(text: string): CommandAssignment | undefined {
  const match = ASSIGNMENT.exec(text)
  if (!match) return undefined
  const command = text.slice(match[0].length)
  if (!isCommandText(command)) return undefined
  return {
    declaration: match[1] as CommandAssignment['declaration'],
    name: match[2]!,
    command,
  }
}

export function lineKind(text: string): LineKind {
  const trimmed = text.trimStart()
  if (trimmed === '') return 'blank'
  if (trimmed.startsWith('#') || trimmed.startsWith('//')) return 'comment'
  if (trimmed.startsWith(':') || trimmed === '?' || /^\.(\s|$)/.test(trimmed)) return 'meta'
  if (isCommandText(trimmed) || commandAssignment(trimmed)) return 'command'
  return 'javascript'
}

/** "-command", as in a Makefile: the command without its dash, when the line is one. */
export function toleratedCommand(text: string): string | undefined {
  const match = /^\s*-(?=\S)/.exec(text)
  if (!match) return undefined
  const command = text.slice(match[0].length)
  return isCommandText(command) ? command : undefined
}

/** The text with backslash-newline continuations removed, and whether it is complete. */
export function logicalLine(text: string): { complete: boolean; text: string } {
  const joined = text.replace(/\\\r?\n/g, '')
  if (/\\\s*$/.test(joined) && !/\\\\\s*$/.test(joined)) return { complete: false, text: joined }
  switch (lineKind(toleratedCommand(joined) ?? joined)) {
    case 'command':
      try {
        return { complete: tokenize(joined).complete, text: joined }
      } catch {
        // Nothing more can mend it: it fails when it runs, where its file and line are known.
        return { complete: true, text: joined }
      }
    case 'javascript':
      return { complete: isCompleteJavaScript(joined), text: joined }
    default:
      return { complete: true, text: joined }
  }
}

export interface SourceLine {
  text: string
  /** 1-based number of the physical line where the logical line starts. */
  line: number
}

/** How much of a logical line decides its kind: the first words, and an assignment before them. */
const KIND_PREFIX = 4096

/** Broken JavaScript this long is not read on for its closing bracket: it ends where it is. */
const BROKEN_LIMIT = 16_384

/**
 * Whether JavaScript that does not parse still has a bracket open, read leniently (a closer
 * closes the nearest opener of its kind, or nothing): a Groovy block ported by hand fails as one
 * statement, not as one error per line.
 */
function brokenAndOpen(text: string): boolean {
  if (text.length > BROKEN_LIMIT || javascriptState(text) !== 'broken') return false
  const open: string[] = []
  for (const ch of mask(text).text) {
    if (ch === '(' || ch === '[' || ch === '{') open.push(ch)
    else if (ch === ')' || ch === ']' || ch === '}') {
      const opener = { ')': '(', ']': '[', '}': '{' }[ch]
      const at = open.lastIndexOf(opener)
      if (at >= 0) open.length = at
    }
  }
  return open.length > 0
}

/** Splits a batch text into logical lines; an unfinished last line is returned as it is. */
export function* logicalLines(source: string): Generator<SourceLine> {
  const physical = source.split(/\r?\n/)
  let buffer: string[] = []
  let start = 0
  let open = new OpenJavaScript()
  let prefix = ''
  for (let i = 0; i < physical.length; i++) {
    if (buffer.length === 0) start = i + 1
    const line = physical[i]!
    const added = buffer.length === 0 ? line : `\n${line}`
    if (prefix.length < KIND_PREFIX) prefix = `${prefix}${added}`.slice(0, KIND_PREFIX)
    open.feed(added)
    buffer.push(line)
    // A JavaScript statement that is certainly still open needs no parse to say so: asking at
    // every line of a long one would cost the square of its length.
    const next = physical[i + 1]
    const commandNext = next !== undefined && ['command', 'meta'].includes(lineKind(next))
    const javascript = lineKind(toleratedCommand(prefix) ?? prefix) === 'javascript'
    // A command line after a statement that is broken ends it; only then is the parser asked.
    const broken = () => commandNext && javascriptState(buffer.join('\n')) === 'broken'
    if (open.certainlyOpen && javascript && !broken()) continue
    const logical = logicalLine(buffer.join('\n'))
    // A broken statement with a bracket still open reads on to the line that closes it, unless
    // the next line is plainly a command of its own.
    const readOn =
      logical.complete &&
      next !== undefined &&
      !commandNext &&
      javascript &&
      brokenAndOpen(logical.text)
    if (logical.complete && !readOn) {
      yield { text: logical.text, line: start }
      buffer = []
      open = new OpenJavaScript()
      prefix = ''
    }
  }
  if (buffer.length > 0) yield { text: buffer.join('\n'), line: start }
}
