// Groovy syntax checking with tree-sitter (@dekobon/tree-sitter-groovy). The grammar is close to
// Groovy 3 but not the real thing: measured on real AM scripts (test/corpus/groovy and the wider
// set described in test/corpus/SOURCES.md) it rejects three valid constructs. Each is handled
// narrowly below, only where the parser reports an error on that very construct, so every other
// error is still reported:
//
// 1. A statement that starts with `[` on a new line. Groovy ends a statement at a newline (the
//    index operator `a[i]` needs its `[` on the same line as `a`), but the grammar treats newlines
//    as white space and glues the literal onto the line before as a subscript. A list literal then
//    still parses (`a[1, 2]` is a valid index), a map literal does not. AM's own OIDC Claims
//    Script ends a closure with one:
//        split = entry.split("\\|")
//        [(split[0]): value = split[1]]
//    Repaired by parsing again with a `;` before such a `[`, which is what the newline means to
//    Groovy.
// 2. A closure passed as the trailing argument of a method call, `list.any { it > 1 }` or
//    `m(a) { ... }`, anywhere but at the start of a statement: inside parentheses, brackets, a
//    map entry, a ternary. The grammar has no such call (at the start of a statement it quietly
//    reads the call and the closure as two statements, which is wrong but not an error). A
//    customised OIDC claims script does this:
//        "authorities": { c, identity -> ["authorities": groups.collect { it.split(",")[0] }] },
//    Repaired by parsing again with the closure in parentheses, `list.any({ it > 1 })`, which is
//    what Groovy makes of it, when the parser could not place the callee (an ERROR holding just
//    a name, property or call) and a closure follows on the same line.
// 3. An untyped catch parameter, `catch (e) { ... }`, which Groovy takes as `catch (Exception e)`
//    (also in the OIDC Claims Script). The grammar wants a type and a name, so it reads `e` as the
//    type and reports a missing name. Accepted as it is: a missing name after a single plain type
//    name in a catch clause.
//
// Repairs only insert characters, and every position is mapped back to the user's text. If the
// error left after a repair sits on an inserted character, the repair was wrong for that spot and
// the error from the user's own text is reported instead.
//
// tree-sitter never throws on bad input: it builds a tree with ERROR nodes (tokens it could not
// place) and zero-width MISSING nodes (tokens it assumed), so the rest is choosing which of those
// to report, and where.

import { createRequire } from 'node:module'
import type TreeSitter from 'tree-sitter'
import type { SourceProblem } from './index.ts'
import { applyEdits, GROOVY_LINE_BREAK, lineColumn, unchanged, type Edit } from './positions.ts'

type SyntaxNode = TreeSitter.SyntaxNode

const require = createRequire(import.meta.url)
const Parser = require('tree-sitter') as typeof TreeSitter
const parser = new Parser()
parser.setLanguage(require('@dekobon/tree-sitter-groovy') as TreeSitter.Language)

/** Rounds of repair and re-parse: one usually does, a repair can uncover another spot. */
const MAX_REPARSES = 4

export function checkGroovy(source: string): SourceProblem[] {
  let tree = parser.parse(source)
  if (!tree.rootNode.hasError) return []

  const first = findProblem(tree.rootNode, source)
  let found = first
  let rewritten = unchanged(source)
  const edits: Edit[] = []
  const done = new Set<string>()
  for (let round = 0; round < MAX_REPARSES && found.problem !== undefined; round++) {
    const fresh = found.repairs
      .map(({ at, insert }) => ({ at: rewritten.toOriginal(at), remove: 0, insert }))
      .filter(({ at, insert }) => !done.has(`${at}${insert}`))
    if (fresh.length === 0) break
    for (const edit of fresh) done.add(`${edit.at}${edit.insert}`)
    edits.push(...fresh)
    rewritten = applyEdits(source, edits)
    tree = parser.parse(rewritten.text)
    found = findProblem(tree.rootNode, rewritten.text)
  }

  if (found.problem === undefined) return []
  const report = rewritten.touchesInserted(found.problem.start, found.problem.end)
    ? { problem: first.problem, map: unchanged(source) }
    : { problem: found.problem, map: rewritten }
  if (report.problem === undefined) return []
  const at = lineColumn(source, report.map.toOriginal(report.problem.offset), GROOVY_LINE_BREAK)
  return [{ line: at.line, column: at.column, message: report.problem.message }]
}

interface Problem {
  /** Where to point the user, in the parsed text. */
  offset: number
  message: string
  /** The node the problem was derived from, to tell whether it is one of our insertions. */
  start: number
  end: number
}

interface Findings {
  problem: Problem | undefined
  /** Insertions (at offsets in the parsed text) for repairs 1 and 2. */
  repairs: { at: number; insert: string }[]
}

function findProblem(root: SyntaxNode, text: string): Findings {
  const errors: SyntaxNode[] = []
  const repairs: Findings['repairs'] = []
  const visit = (node: SyntaxNode): void => {
    const closure = closureArgument(node, text)
    if (closure !== undefined) {
      repairs.push({ at: closure.startIndex, insert: '(' }, { at: closure.endIndex, insert: ')' })
    }
    if (node.isMissing) {
      if (!isUntypedCatchParameter(node)) errors.push(node)
      return
    }
    if (node.type === 'ERROR') errors.push(node)
    else if (!node.hasError) return
    if (node.type === 'subscript_expression') {
      const bracket = gluedBracket(node, text)
      if (bracket !== undefined) repairs.push({ at: bracket, insert: ';' })
    }
    for (const child of node.children) visit(child)
  }
  visit(root)
  return { problem: choose(errors, text), repairs }
}

/** Workaround 3: the MISSING name in `catch (e)`, where `e` was read as a type. */
function isUntypedCatchParameter(node: SyntaxNode): boolean {
  const parent = node.parent
  if (node.type !== 'identifier' || parent?.type !== 'catch_formal_parameter') return false
  const named = parent.namedChildren
  return named.length === 2 && named[0]?.type === 'type_identifier' && named[1]?.id === node.id
}

/** Repair 1: the `[` of a subscript whose `[` is the first thing on its line. */
function gluedBracket(subscript: SyntaxNode, text: string): number | undefined {
  const object = subscript.child(0)
  const bracket = subscript.child(1)
  if (object == null || bracket?.type !== '[') return undefined
  const between = text.slice(object.endIndex, bracket.startIndex)
  return /[\r\n]/.test(between) ? bracket.startIndex : undefined
}

// What the parser could not place before the closure: a name, a property, a call, or a name it
// took for a type (after `(`, `(list.any { ... })` looks like the start of a cast).
const CALLEES = new Set([
  'identifier',
  'field_access',
  'method_invocation',
  'type_identifier',
  'qualified_type',
])

/**
 * Repair 2: a closure on the same line right after an error that is really its callee. Two shapes
 * come out of the parser for it:
 * - an ERROR holding nothing but something callable, followed by the closure, which may begin a
 *   larger expression (`list.collect { ... }.join(",")`);
 * - a closing `]` or `)` the parser assumed right after a name or call, followed by the closure
 *   (it closed the enclosing literal or call early to make sense of the `{`).
 */
function closureArgument(node: SyntaxNode, text: string): SyntaxNode | undefined {
  if (node.type === 'ERROR') {
    const callee = node.firstChild
    if (node.childCount !== 1 || callee == null || !CALLEES.has(callee.type)) return undefined
  } else if (node.isMissing && (node.type === ']' || node.type === ')')) {
    if (!/[\p{ID_Continue}$)]$/u.test(text.slice(0, node.startIndex))) return undefined
  } else return undefined
  const gap = /^[ \t]*/.exec(text.slice(node.endIndex))?.[0].length ?? 0
  const start = node.endIndex + gap
  if (text[start] !== '{') return undefined
  let closure: SyntaxNode | null = node.tree.rootNode.descendantForIndex(start, start + 1)
  while (closure != null && closure.type !== 'closure') {
    closure = closure.parent?.startIndex === start ? closure.parent : null
  }
  return closure ?? undefined
}

const QUOTES = new Set(['"', "'", '"""', "'''", '/', '$/', '/$'])
const CLOSER_OF: Record<string, string> = { '{': '}', '(': ')', '[': ']' }

/**
 * The error to report, among all ERROR and MISSING nodes in document order. An unterminated
 * string comes first because it swallows what follows and causes the other errors; otherwise the
 * first error in the source.
 */
function choose(errors: readonly SyntaxNode[], text: string): Problem | undefined {
  for (const node of errors) {
    const problem = unterminatedString(node)
    if (problem !== undefined) return problem
  }
  const node = errors[0]
  if (node === undefined) return undefined
  const span = { start: node.startIndex, end: node.endIndex }
  if (node.isMissing) {
    const what = node.type === 'identifier' ? 'name or value' : quote(node.type)
    return { offset: node.startIndex, message: `missing ${what}`, ...span }
  }
  return { ...describeError(node, text), ...span }
}

function unterminatedString(node: SyntaxNode): Problem | undefined {
  const span = { start: node.startIndex, end: node.endIndex }
  // `"abc` at the end of a line: the parser assumes the closing quote.
  if (node.isMissing && QUOTES.has(node.type) && node.parent?.type === 'string_literal') {
    return { offset: node.parent.startIndex, message: 'unterminated string', ...span }
  }
  // `'abc` at the end of a line: no token matches, so an ERROR starts at the quote.
  if (node.type === 'ERROR' && /^['"]/.test(node.text)) {
    const firstLine = node.text.split(/\r\n?|\n/, 1)[0] ?? ''
    const quoteChar = firstLine[0] ?? ''
    if (firstLine.indexOf(quoteChar, 1) === -1) {
      return { offset: node.startIndex, message: 'unterminated string', ...span }
    }
  }
  return undefined
}

function describeError(node: SyntaxNode, text: string): { offset: number; message: string } {
  const children = node.children
  const stack: SyntaxNode[] = []
  for (const child of children) {
    if (child.type in CLOSER_OF) stack.push(child)
    else if (Object.values(CLOSER_OF).includes(child.type)) stack.pop()
  }
  const unclosed = stack.at(-1)
  if (unclosed !== undefined) {
    const rest = text.slice(node.endIndex)
    const next = /\S/.exec(rest)
    // The ERROR runs from an opening bracket to the end of the script: its closer never came.
    // Point at the opener, which is where the user has something to fix; the end of the script
    // says nothing.
    if (next == null) {
      const closer = CLOSER_OF[unclosed.type] ?? '}'
      return {
        offset: unclosed.startIndex,
        message: `missing ${quote(closer)} to close ${quote(unclosed.type)}`,
      }
    }
    // The parser gave up inside the brackets, on the token right after what it could use, as in
    // `if (a &lt; b)` (HTML-escaped code): that token is the unexpected one.
    const offset = node.endIndex + next.index
    TOKEN_AT.lastIndex = offset
    return {
      offset,
      message: `unexpected ${quote(TOKEN_AT.exec(text)?.[0] ?? rest.trim()[0] ?? '')}`,
    }
  }
  // `def = 5`: a declaration keyword the parser kept, followed by what it could not use. The
  // second token is the unexpected one.
  const second = children[1]
  const lead = children[0]
  const token =
    lead !== undefined && second !== undefined && DECLARATION_WORDS.has(lead.type) ? second : lead
  if (token === undefined) return { offset: node.startIndex, message: 'syntax error' }
  return { offset: token.startIndex, message: `unexpected ${quote(firstToken(token))}` }
}

const TOKEN_AT =
  /[\p{L}$_][\p{L}\p{N}$_]*|\d[\w.]*|[=!<>]=?|&&|\|\||->|\?\.|\?:|[-+*/%&|^]=?|[^\s]/uy

const DECLARATION_WORDS = new Set(['def', 'var', 'final', 'static', 'private', 'public'])

/** The text of the first leaf of a node: what the user sees as the offending token. */
function firstToken(node: SyntaxNode): string {
  let leaf = node
  while (leaf.childCount > 0 && leaf.firstChild != null) leaf = leaf.firstChild
  return leaf.text.split(/\s/, 1)[0] || leaf.type
}

function quote(token: string): string {
  return JSON.stringify(token.length > 30 ? `${token.slice(0, 30)}…` : token)
}
