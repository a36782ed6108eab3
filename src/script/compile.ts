import {
  type Node,
  type Options,
  type Pattern,
  type Program,
  type Statement,
  type VariableDeclaration,
} from 'acorn'
import { GuardedParser as Parser } from '../acorn-stack.ts'
import { AmshError } from '../errors.ts'
import { groovyIdiomAt, gstringIn } from './groovy-idioms.ts'

// A JavaScript line of the shell runs as a vm.Script in the session's context. A script may not
// use `await` at the top level, so a line that does is wrapped in an async arrow function, as
// node's REPL does (lib/internal/repl/await.js). Wrapping would trap the line's declarations
// inside the function; they are turned into assignments to names declared outside it, so the
// next line still sees them. The rewrite never adds or removes a line break: runtime errors
// point at the user's own lines.

const PLAIN: Options = { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: false }
const WITH_AWAIT: Options = { ...PLAIN, allowAwaitOutsideFunction: true }

export interface CompiledLine {
  /** Source for `new vm.Script(code).runInContext(ctx)`. Its completion value is the line's value — or, when `async` is true, a Promise of it. */
  code: string
  /** True when the line used top-level `await` and was wrapped in an async function. */
  async: boolean
  /** True when the line's last statement is an assignment expression or a declaration (var/let/const/function/class): the shell does not echo those values under -q. */
  assignment: boolean
  /** Where a 1-based line and column of `code` stand in the line as typed. */
  original(line: number, column: number): { line: number; column: number }
}

const unchanged = (line: number, column: number) => ({ line, column })

interface AcornError extends SyntaxError {
  pos: number
  loc: { line: number; column: number }
}

function isAcornError(error: unknown): error is AcornError {
  return error instanceof SyntaxError && typeof (error as { pos?: unknown }).pos === 'number'
}

type Parsed = { program: Program } | { error: AcornError }

function parse(code: string, options: Options): Parsed {
  try {
    return { program: Parser.parse(code, options) }
  } catch (error) {
    if (isAcornError(error)) return { error }
    throw error
  }
}

/** False only when more input could still complete the code: the parse error is at the end of the input, or an unterminated template literal / block comment. A line with a syntax error in the middle is "complete" (compileLine reports it). Blank code is complete. */
export function isCompleteJavaScript(code: string): boolean {
  return javascriptState(code) !== 'open'
}

/**
 * Whether JavaScript text is a whole statement (`complete`), wants more (`open`: it ends where
 * the parser would go on), or has a syntax error before its end that more text cannot mend.
 */
export function javascriptState(code: string): 'complete' | 'open' | 'broken' {
  if (code.trim() === '') return 'complete'
  if (!('error' in parse(code, PLAIN))) return 'complete'
  // Top-level await is allowed in a line, so the grammar that decides is the one with it.
  const parsed = parse(code, WITH_AWAIT)
  if (!('error' in parsed)) return 'complete'
  const { message, pos } = parsed.error
  if (/^Unterminated (template|comment)/.test(message)) return 'open'
  return pos < code.length ? 'broken' : 'open'
}

/** Throws AmshError('E_PARSE', message, { details: { line, column } }) — line and column 1-based, relative to `code`. */
export function compileLine(code: string): CompiledLine {
  const withAwait = parse(code, WITH_AWAIT)
  // `await (x)` also parses as a call of a function named await; like node's REPL, prefer the
  // reading a shell user means.
  if ('program' in withAwait && awaitsAtTopLevel(withAwait.program)) {
    rejectGString(code)
    const wrapped = wrapInAsyncFunction(code, withAwait.program)
    return {
      code: wrapped.code,
      original: wrapped.original,
      async: true,
      assignment: endsInAssignment(withAwait.program),
    }
  }
  const plain = parse(code, PLAIN)
  if ('program' in plain) {
    rejectGString(code)
    return {
      code,
      async: false,
      assignment: endsInAssignment(plain.program),
      original: unchanged,
    }
  }
  // Of the two readings, the one that got further explains more: `await 1; function f() {
  // await 2 }` fails at the first await without top-level await, at the second with it.
  const error =
    'error' in withAwait && withAwait.error.pos > plain.error.pos ? withAwait.error : plain.error
  const at = { line: error.loc.line, column: error.loc.column + 1 }
  const idiom = groovyIdiomAt(code, at)
  if (idiom) throw parseError(idiom.message, idiom)
  throw parseError(explained(error.message.replace(/ \(\d+:\d+\)$/, ''), code, error.pos), at)
}

/** acorn's bare "Unexpected token", with the text it stopped at and what came before it. */
function explained(message: string, code: string, pos: number): string {
  if (message !== 'Unexpected token') return message
  const token = /^\s*(\S{1,20})/.exec(code.slice(pos))?.[1]
  const before = code
    .slice(Math.max(0, pos - 30), pos)
    .replace(/\s+/g, ' ')
    .trim()
  if (token === undefined) return `${message}: the line ends too soon after "${before}"`
  return `${message} "${token}"${before ? ` after "${before}"` : ' at the start'}`
}

function parseError(message: string, at: { line: number; column: number }): AmshError {
  return new AmshError('E_PARSE', message, { details: { line: at.line, column: at.column } })
}

function rejectGString(code: string): void {
  const gstring = gstringIn(code)
  if (gstring) throw parseError(gstring.message, gstring)
}

function lastStatement(program: Program): Node | undefined {
  // Empty statements do not change a script's completion value: `x = 1;;` is still 1.
  for (let i = program.body.length - 1; i >= 0; i--) {
    const statement = program.body[i]
    if (statement?.type !== 'EmptyStatement') return statement
  }
  return undefined
}

function endsInAssignment(program: Program): boolean {
  const last = lastStatement(program) as Statement | undefined
  if (last === undefined) return false
  if (
    last.type === 'VariableDeclaration' ||
    last.type === 'FunctionDeclaration' ||
    last.type === 'ClassDeclaration'
  ) {
    return true
  }
  if (last.type !== 'ExpressionStatement') return false
  const { expression } = last
  if (expression.type === 'AssignmentExpression') return true
  return (
    expression.type === 'SequenceExpression' &&
    expression.expressions.every((e) => e.type === 'AssignmentExpression')
  )
}

const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression'])

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value != null && typeof (value as Node).type === 'string'
}

/** Whether an `await` (or `for await`) runs outside every function. */
function awaitsAtTopLevel(node: Node): boolean {
  if (node.type === 'AwaitExpression') return true
  if (node.type === 'ForOfStatement' && (node as Node & { await: boolean }).await) return true
  if (FUNCTIONS.has(node.type)) return false
  for (const value of Object.values(node) as unknown[]) {
    const children = Array.isArray(value) ? (value as unknown[]) : [value]
    for (const child of children) if (isNode(child) && awaitsAtTopLevel(child)) return true
  }
  return false
}

interface Edit {
  start: number
  end: number
  text: string
}

interface Edited {
  code: string
  original: CompiledLine['original']
}

function offsetOf(text: string, line: number, column: number): number {
  let offset = 0
  for (let l = 1; l < line; l++) offset = text.indexOf('\n', offset) + 1
  return offset + column - 1
}

function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset)
  const lineStart = before.lastIndexOf('\n') + 1
  return { line: before.split('\n').length, column: offset - lineStart + 1 }
}

/** Edits at the same place apply in the order they were made. */
function applyEdits(code: string, edits: Edit[]): Edited {
  const sorted = edits.map((edit, order) => ({ ...edit, order }))
  sorted.sort((a, b) => a.start - b.start || a.order - b.order)
  let out = ''
  let from = 0
  /** Where each inserted text lies in the output, and the original offset it stands at. */
  const spans: { outStart: number; outEnd: number; at: number; resume: number }[] = []
  for (const edit of sorted) {
    out += code.slice(from, edit.start)
    from = Math.max(from, edit.end)
    spans.push({
      outStart: out.length,
      outEnd: out.length + edit.text.length,
      at: edit.start,
      resume: from,
    })
    out += edit.text
  }
  out += code.slice(from)
  const result = out
  return {
    code: result,
    original(line, column) {
      const offset = offsetOf(result, line, column)
      // Text the rewrite inserted stands where it was inserted; the user's text maps back.
      let original = offset
      for (const span of spans) {
        if (offset < span.outStart) break
        if (offset < span.outEnd) return lineColumnOf(code, span.at)
        original = span.resume + (offset - span.outEnd)
      }
      return lineColumnOf(code, original)
    },
  }
}

class Rewrite {
  readonly edits: Edit[] = []
  readonly lets = new Set<string>()
  readonly vars = new Set<string>()
  /** Statements run first in the wrapper, before the line's own. */
  readonly prologue: string[] = []

  constructor(readonly code: string) {}

  insert(at: number, text: string): void {
    this.edits.push({ start: at, end: at, text })
  }

  replace(start: number, end: number, text: string): void {
    this.edits.push({ start, end, text })
  }
}

function wrapInAsyncFunction(code: string, program: Program): Edited {
  const rewrite = new Rewrite(code)
  for (const statement of program.body) topLevel(rewrite, statement as Statement)

  const last = lastStatement(program) as Statement | undefined
  if (last?.type === 'ExpressionStatement') {
    // The statement's span, not the expression's: that of `({ a: 1 })` is inside the parentheses.
    rewrite.insert(last.start, 'return (')
    rewrite.insert(code[last.end - 1] === ';' ? last.end - 1 : last.end, ')')
  }
  const declared = [
    rewrite.lets.size > 0 ? `let ${[...rewrite.lets].join(', ')}; ` : '',
    rewrite.vars.size > 0 ? `var ${[...rewrite.vars].join(', ')}; ` : '',
  ].join('')
  rewrite.edits.unshift({
    start: 0,
    end: 0,
    text: `${declared}(async () => {${rewrite.prologue.join('')}`,
  })
  // Closing right after the last statement, not at the end of the input, keeps a trailing
  // `// comment` from swallowing it, and adds no line.
  const end = program.body.at(-1)?.end ?? code.length
  rewrite.insert(end, '})()')
  return applyEdits(code, rewrite.edits)
}

function topLevel(rewrite: Rewrite, statement: Statement): void {
  switch (statement.type) {
    case 'VariableDeclaration':
      if (statement.kind === 'var' || statement.kind === 'let' || statement.kind === 'const') {
        declarationToAssignment(rewrite, statement)
        terminate(rewrite, statement)
      }
      return
    case 'FunctionDeclaration': {
      // Left in place, so it is still hoisted within the line; the global gets it on entry.
      const name = statement.id.name
      rewrite.vars.add(name)
      rewrite.prologue.push(`this.${name} = ${name}; `)
      return
    }
    case 'ClassDeclaration':
      rewrite.lets.add(statement.id.name)
      rewrite.insert(statement.start, `${statement.id.name} = `)
      terminate(rewrite, statement)
      return
    default:
      nestedVars(rewrite, statement)
  }
}

/** A declaration became an expression statement, which needs a semicolon where it had none. */
function terminate(rewrite: Rewrite, statement: Node): void {
  if (rewrite.code[statement.end - 1] !== ';') rewrite.insert(statement.end, ';')
}

/** `const {a, b: [c]} = x, d = y` → `void ( {a, b: [c]} = x, d = y)`, declaring a, c and d. */
function declarationToAssignment(rewrite: Rewrite, declaration: VariableDeclaration): void {
  const names = declaration.kind === 'var' ? rewrite.vars : rewrite.lets
  for (const declarator of declaration.declarations) boundNames(declarator.id, names)
  rewrite.replace(declaration.start, declaration.start + declaration.kind.length, 'void (')
  const last = declaration.declarations.at(-1)
  rewrite.insert(last?.end ?? declaration.end, ')')
}

function boundNames(pattern: Pattern, names: Set<string>): void {
  switch (pattern.type) {
    case 'Identifier':
      names.add(pattern.name)
      return
    case 'ObjectPattern':
      for (const property of pattern.properties) {
        boundNames(property.type === 'RestElement' ? property.argument : property.value, names)
      }
      return
    case 'ArrayPattern':
      for (const element of pattern.elements) if (element) boundNames(element, names)
      return
    case 'RestElement':
      boundNames(pattern.argument, names)
      return
    case 'AssignmentPattern':
      boundNames(pattern.left, names)
      return
    default:
      return // a member expression binds nothing
  }
}

/**
 * `var` belongs to the enclosing function, which is now the wrapper: a `var` in a block or loop
 * of the line is hoisted like a top-level one (let, const and functions in blocks stay there).
 */
function nestedVars(rewrite: Rewrite, statement: Statement | null | undefined): void {
  if (!statement) return
  switch (statement.type) {
    case 'VariableDeclaration':
      if (statement.kind !== 'var') return
      declarationToAssignment(rewrite, statement)
      terminate(rewrite, statement)
      return
    case 'BlockStatement':
      for (const inner of statement.body) nestedVars(rewrite, inner)
      return
    case 'IfStatement':
      nestedVars(rewrite, statement.consequent)
      nestedVars(rewrite, statement.alternate)
      return
    case 'ForStatement':
      if (statement.init?.type === 'VariableDeclaration' && statement.init.kind === 'var') {
        declarationToAssignment(rewrite, statement.init)
      }
      nestedVars(rewrite, statement.body)
      return
    case 'ForInStatement':
    case 'ForOfStatement': {
      const { left } = statement
      const [only] = left.type === 'VariableDeclaration' ? left.declarations : []
      // `for (var x of xs)` → `for (x of xs)`; Annex B's `for (var x = 1 in o)` stays local.
      if (left.type === 'VariableDeclaration' && left.kind === 'var' && only && !only.init) {
        boundNames(only.id, rewrite.vars)
        rewrite.replace(left.start, only.start, '')
      }
      nestedVars(rewrite, statement.body)
      return
    }
    case 'WhileStatement':
    case 'DoWhileStatement':
    case 'LabeledStatement':
    case 'WithStatement':
      nestedVars(rewrite, statement.body)
      return
    case 'TryStatement':
      nestedVars(rewrite, statement.block)
      nestedVars(rewrite, statement.handler?.body)
      nestedVars(rewrite, statement.finalizer)
      return
    case 'SwitchStatement':
      for (const branch of statement.cases) {
        for (const inner of branch.consequent) nestedVars(rewrite, inner)
      }
      return
    default:
      return
  }
}
