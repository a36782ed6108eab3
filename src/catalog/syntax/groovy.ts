// Groovy syntax checking with tree-sitter (@dekobon/tree-sitter-groovy). The grammar is close to
// Groovy 3 (what AM 7 and 8 run) but not the real thing: measured on real AM scripts
// (test/corpus/groovy and the wider set described in test/corpus/SOURCES.md) it rejects three
// valid constructs, and it lacks several that Groovy 3 takes from Java. Each is handled narrowly
// (the list of repairs, and how a repair is written, is in groovy-repairs.ts), only where the
// parser reports an error on that very construct, so every other error is still reported.
//
// The repaired text is parsed again, and every position mapped back to the user's text. If the
// error left after a repair sits on text the repair wrote, the repair was wrong for that spot: it
// is dropped, so the error reported there is the one in the user's own text.
//
// tree-sitter never throws on bad input: it builds a tree with ERROR nodes (tokens it could not
// place) and zero-width MISSING nodes (tokens it assumed), so the rest is choosing which of those
// to report, and where.
//
// The checker's other modules: groovy-tokens.ts (the parsed text as tokens), groovy-repairs.ts
// (the list of repairs, and those found on a node of the tree), groovy-statement-repairs.ts
// (repairs 4 to 6, found from the statement an error is in) and groovy-declarations.ts (what those
// read: modifiers, annotations, types, names).

import { createRequire } from 'node:module'
import type TreeSitter from 'tree-sitter'
import {
  closureArgument,
  gluedBracket,
  inError,
  isUntypedCatchParameter,
  type Repair,
} from './groovy-repairs.ts'
import { outOfTime, withinBudget } from './groovy-budget.ts'
import { statementRepairs } from './groovy-statement-repairs.ts'
import { Tokens, type SyntaxNode } from './groovy-tokens.ts'
import { parseWithin } from './tree-sitter-parse.ts'
import type { SourceProblem } from './index.ts'
import {
  applyEdits,
  GROOVY_LINE_BREAK,
  lineColumn,
  unchanged,
  type Edit,
  type Rewritten,
} from './positions.ts'

const require = createRequire(import.meta.url)
const Parser = require('tree-sitter') as typeof TreeSitter
const parser = new Parser()
parser.setLanguage(require('@dekobon/tree-sitter-groovy') as TreeSitter.Language)

/**
 * Rounds of repair and re-parse: one usually does, but a repair can uncover another spot, and a
 * round is spent dropping a repair that turned out wrong.
 */
const MAX_REPARSES = 8

export function checkGroovy(source: string): SourceProblem[] {
  const start = performance.now()
  return withinBudget(source.length, () => check(source, start))
}

function check(source: string, start: number): SourceProblem[] {
  const parsed = parseWithin(parser, source)
  if ('halted' in parsed) {
    const at = lineColumn(source, parsed.halted, GROOVY_LINE_BREAK)
    const seconds = ((performance.now() - start) / 1000).toFixed(1)
    const message = `too broken to check: the parser gave up after ${seconds} s, lost in syntax errors before this point`
    return [{ line: at.line, column: at.column, message }]
  }
  const tree = parsed.tree
  if (!tree.rootNode.hasError) return []

  const first = findProblem(tree.rootNode, unchanged(source))
  let found = first
  let rewritten = unchanged(source)
  // Each repair is one or more edits that stand or fall together.
  let applied: Edit[][] = []
  const tried = new Set<string>()
  for (let round = 0; round < MAX_REPARSES && found.problem !== undefined; round++) {
    if (outOfTime()) break
    // The error sits on text a repair put there: the repair was wrong for that spot. Parse again
    // without it, so the error reported is the one in the user's own text there.
    const wrong = rewritten.editsTouching(found.problem.offset, found.problem.offset)
    if (wrong.length > 0) {
      applied = applied.filter((repair) => !repair.some((edit) => wrong.includes(edit)))
    } else {
      const edits = applied.flat()
      let added = false
      for (const repair of found.repairs) {
        const mapped = toOriginal(repair, rewritten)
        const key = JSON.stringify(mapped)
        if (mapped === undefined || tried.has(key)) continue
        if (mapped.some((edit) => edits.some((other) => overlap(edit, other)))) continue
        tried.add(key)
        applied.push(mapped)
        edits.push(...mapped)
        added = true
      }
      if (!added) break
    }
    const edits = applied.flat()
    const next = edits.length > 0 ? applyEdits(source, edits) : unchanged(source)
    const reparsed = parseWithin(parser, next.text)
    // Out of time: what was found before this round stands.
    if ('halted' in reparsed) break
    rewritten = next
    found = findProblem(reparsed.tree.rootNode, rewritten)
  }

  if (found.problem === undefined) return []
  const report = rewritten.touchesInserted(found.problem.offset, found.problem.offset)
    ? { problem: first.problem, map: unchanged(source) }
    : { problem: found.problem, map: rewritten }
  if (report.problem === undefined) return []
  const at = lineColumn(source, report.map.toOriginal(report.problem.offset), GROOVY_LINE_BREAK)
  // Out of time, some repairs may not have been tried: the error may be a construct they know.
  const message = outOfTime()
    ? `${report.problem.message} (the check ran out of time before trying every repair)`
    : report.problem.message
  return [{ line: at.line, column: at.column, message }]
}

/**
 * A repair found in the parsed text, as edits to the user's text; undefined if it would replace
 * text that another repair put there.
 */
function toOriginal(repair: Repair, rewritten: Rewritten): Edit[] | undefined {
  const edits: Edit[] = []
  for (const { at, remove, insert } of repair) {
    if (remove > 0 && rewritten.touchesInserted(at, at + remove)) return undefined
    edits.push({ at: rewritten.toOriginal(at), remove, insert })
  }
  return edits
}

/** Whether two edits replace overlapping text (insertions at one spot do not conflict). */
function overlap(a: Edit, b: Edit): boolean {
  return a.remove > 0 && b.remove > 0 && a.at < b.at + b.remove && b.at < a.at + a.remove
}

interface Problem {
  /**
   * Where to point the user, in the parsed text: the offending token, or where a missing one
   * belongs. Also what tells whether the problem is on text a repair put there (the ERROR node
   * around it can be much larger and hold good repairs).
   */
  offset: number
  message: string
}

interface Findings {
  problem: Problem | undefined
  repairs: Repair[]
}

/** ERROR and MISSING nodes looked at for repairs 4 to 6: a badly broken script has hundreds. */
const MAX_ANCHORS = 100

function findProblem(root: SyntaxNode, parsed: Rewritten): Findings {
  const text = parsed.text
  const errors: SyntaxNode[] = []
  const repairs: Repair[] = []
  const tokens = new Tokens(root, parsed)
  // In document order, without recursion: a broken tree can be tens of thousands deep. Out of
  // time, the errors found so far (the first ones) are enough.
  const pending: SyntaxNode[] = [root]
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (errors.length > 0 && outOfTime()) break
    // Each getter crosses into native code: read once, and only what is needed.
    const type = node.type
    const missing = node.isMissing
    const closure = type === 'ERROR' || missing ? closureArgument(node, text) : undefined
    if (closure !== undefined) {
      repairs.push([
        { at: closure.startIndex, remove: 0, insert: '(' },
        { at: closure.endIndex, remove: 0, insert: ')' },
      ])
    }
    if (missing) {
      if (!isUntypedCatchParameter(node)) errors.push(node)
      continue
    }
    if (type === 'ERROR') {
      errors.push(node)
      repairs.push(...inError(node, tokens))
    } else if (!node.hasError) continue
    if (type === 'subscript_expression') {
      const bracket = gluedBracket(node, text)
      if (bracket !== undefined) repairs.push([{ at: bracket, remove: 0, insert: ';' }])
    }
    const children = tokens.children(node)
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]!)
  }
  const walked = new Set<number>()
  for (const error of errors.slice(0, MAX_ANCHORS)) {
    if (outOfTime()) break
    repairs.push(...statementRepairs(error, tokens, walked))
  }
  return { problem: choose(errors, tokens), repairs }
}

const LITERAL_WORDS = new Set(['true', 'false', 'null'])
const QUOTES = new Set(['"', "'", '"""', "'''", '/', '$/', '/$'])
const CLOSER_OF: Record<string, string> = { '{': '}', '(': ')', '[': ']' }

/**
 * The error to report, among all ERROR and MISSING nodes in document order. An unterminated
 * string comes first because it swallows what follows and causes the other errors; otherwise the
 * first error in the source.
 */
function choose(errors: readonly SyntaxNode[], tokens: Tokens): Problem | undefined {
  for (const node of errors) {
    const problem = unterminatedString(node)
    if (problem !== undefined) return problem
  }
  const node = errors[0]
  if (node === undefined) return undefined
  if (node.isMissing) {
    // Where a value is missing the parser assumes whichever token is cheapest: a name, or a
    // literal keyword (`missing "true"` would puzzle).
    const value = node.type === 'identifier' || LITERAL_WORDS.has(node.type)
    const what = value ? 'name or value' : quote(node.type)
    return { offset: node.startIndex, message: `missing ${what}` }
  }
  return describeError(node, tokens)
}

function unterminatedString(node: SyntaxNode): Problem | undefined {
  // `"abc` at the end of a line: the parser assumes the closing quote.
  if (node.isMissing && QUOTES.has(node.type) && node.parent?.type === 'string_literal') {
    return { offset: node.parent.startIndex, message: 'unterminated string' }
  }
  // `'abc` at the end of a line: no token matches, so an ERROR starts at the quote.
  if (node.type === 'ERROR' && /^['"]/.test(node.text)) {
    const firstLine = node.text.split(/\r\n?|\n/, 1)[0] ?? ''
    const quoteChar = firstLine[0] ?? ''
    if (firstLine.indexOf(quoteChar, 1) === -1) {
      return { offset: node.startIndex, message: 'unterminated string' }
    }
  }
  return undefined
}

function describeError(node: SyntaxNode, tokens: Tokens): Problem {
  const text = tokens.text
  const children = tokens.children(node)
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
