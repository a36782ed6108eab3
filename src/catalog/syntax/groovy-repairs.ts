// The repairs of groovy.ts: what Groovy takes and the grammar rejects or lacks, checked as text
// the grammar takes. 1 to 3 and 7 are handled here, on nodes of the parsed tree; 4 to 6 in
// groovy-statement-repairs.ts.
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
// 4. Modifiers and annotations on a variable: `final x = 1`, `final String s = "a"`,
//    `@Field def counter = 0`, `@Field static final List L = [...]`, and on a method's or a
//    closure's parameter (`final String s`), a catch parameter, a classic for's variable, a class
//    field without a type (`static x = 1`). The grammar takes them only on methods, classes and typed fields. Repaired
//    by blanking them to spaces where a type, `def` or `var` follows (`final String s = "a"` is
//    checked as `String s = "a"`), and by writing `def` over them where just the name follows
//    (`final x = 1` as `def   x = 1`), which is what they mean to Groovy. Only where Groovy takes
//    them: on a local variable `final` alone, other modifiers only with @Field, which makes the
//    variable a field of the script (else Groovy reports "Modifier 'static' not allowed here"),
//    and no modifier twice.
// 5. A for-in loop variable with a type, `def` or `final`, `for (String s in list)`, and Java's
//    `for (String s : list)`. The grammar takes only `for (s in list)`. Repaired by blanking what
//    stands before the name, and writing `in` for `:`.
// 6. `synchronized (lock) { ... }`. Repaired by writing `while` over `synchronized`: the same
//    shape, once it is checked that a block follows (Groovy requires one) and no `else`.
// 7. Java-style lambdas, `(a, b) -> a + b`, `x -> x * 2`, `(String s) -> { ... }`, which Groovy 3
//    takes where it takes a value. The grammar knows `->` only in closures. A lambda's body (an
//    expression or a block) reaches as far as an assignment's value does, so the head is checked
//    as one: `(a, b) ->` becomes `(x)    =`, and the parameters are checked on their own, as a
//    method's. Without parentheses (`x -> ...`) only where Groovy takes it: as a value assigned or
//    an argument in parentheses.
//
// Repairs insert characters, or write over the user's tokens (with spaces mostly, so positions do
// not even move). They are placed from the parser's tokens, never from a search of the text, so
// strings and comments are left alone; and where error recovery loses track of a string and cuts
// its contents into tokens, what a repair writes (spaces, letters, `(`, `)`, `=`, `;`) can neither
// end a string nor start one.

import { outOfTime } from './groovy-budget.ts'
import { validParameters } from './groovy-declarations.ts'
import { constructRepair, mayStartConstruct } from './groovy-statement-repairs.ts'
import {
  blank,
  isIdentifierType,
  isName,
  MODIFIERS,
  type Span,
  type SyntaxNode,
  type Token,
  type Tokens,
} from './groovy-tokens.ts'
import type { Edit } from './positions.ts'

/** The edits to the parsed text (`remove` characters at `at` become `insert`) of one repair. */
export type Repair = readonly Edit[]

/**
 * Repairs for tokens the parser left straight in an ERROR: the `->` of a lambda (repair 7), or the
 * first token of a construct of repairs 4 to 6 in the middle of a larger ERROR, where the walk
 * back from the ERROR's first token does not reach it.
 */
export function inError(error: SyntaxNode, tokens: Tokens): Repair[] {
  const repairs: Repair[] = []
  const span = { start: error.startIndex, end: error.endIndex }
  for (const child of tokens.children(error)) {
    // An ERROR can hold a hundred thousand tokens.
    if (outOfTime()) break
    const type = child.type
    let repair: Repair | undefined
    if (type === '->' || type === '>') {
      const arrow = arrowAt(tokens.of(child), tokens)
      if (arrow !== undefined) repair = lambdaRepair(arrow, error, tokens)
    } else if (type === 'annotation' || type === '@') {
      const at = type === '@' ? child : child.firstChild
      if (at != null) repair = constructRepair(tokens.of(at), span, tokens)
    } else if (MODIFIERS.has(type) || type === 'for' || isIdentifierType(type)) {
      const token = tokens.of(child)
      if (mayStartConstruct(token)) repair = constructRepair(token, span, tokens)
    }
    if (repair !== undefined) repairs.push(repair)
  }
  return repairs
}

/** The `->` a token is, or ends: the parser reads it as `-` and `>` where it expects neither. */
function arrowAt(token: Token, tokens: Tokens): Span | undefined {
  if (token.type === '->') return { start: token.start, end: token.end }
  if (token.type !== '>') return undefined
  const minus = tokens.before(token.start)
  if (minus?.type !== '-' || minus.end !== token.start) return undefined
  return { start: minus.start, end: token.end }
}

/**
 * Repair 7: a Java-style lambda, `(a, b) -> a + b`, `x -> x * 2`, `() -> { ... }`. The grammar
 * knows `->` only in closures. Groovy's lambda body is an expression or a block reaching as far
 * right as an assignment's value does, so the head is checked as an assignment: `(a, b) ->`
 * becomes `(x)    =` and `a ->` becomes `x =` (same lengths), and the parameters are checked on
 * their own, as those of a method. `(x) =` rather than `x =` because a method's parameter list
 * would take `x = ...` as a parameter's default value.
 */
function lambdaRepair(arrow: Span, error: SyntaxNode, tokens: Tokens): Repair | undefined {
  const head = lambdaHead(arrow.start, error, tokens)
  if (head === undefined) return undefined
  const text = tokens.text.slice(head, arrow.end)
  const name = text.startsWith('(') ? '(x)' : 'x'
  return [
    { at: head, remove: text.length, insert: `${name}${blank(text.slice(name.length, -1))}=` },
  ]
}

/** Where the parameters of a lambda whose `->` is at `arrow` start, if it is a lambda. */
function lambdaHead(arrow: number, error: SyntaxNode, tokens: Tokens): number | undefined {
  const last = tokens.before(arrow)
  if (last === undefined) return undefined
  if (isName(last)) {
    // `x -> ...` without parentheses: Groovy takes it only as a value assigned or as an argument
    // in parentheses, not in a list, a map or after `return`.
    const previous = tokens.before(last.start)
    if (previous === undefined || tokens.inserted(previous)) return undefined
    if (ASSIGNMENTS.has(previous.type)) return last.start
    if (previous.type !== '(' && previous.type !== ',') return undefined
    const container = tokens.ancestors(error, 3).find((node) => node.type !== 'ERROR')
    return container?.type === 'argument_list' ? last.start : undefined
  }
  if (last.type !== ')') return undefined
  const open = tokens.matching(last)
  const previous = open && tokens.before(open.start)
  if (open === undefined || previous === undefined) return undefined
  // After text a repair wrote, the lambda follows another one's `->`, now written `=`.
  if (!tokens.inserted(previous) && !LAMBDA_PRECEDERS.has(previous.type)) return undefined
  const parameters = tokens.text.slice(open.end, last.start)
  return validParameters(parameters) ? open.start : undefined
}

const ASSIGNMENTS = new Set([
  '=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '**=',
  '&=',
  '|=',
  '^=',
  '<<=',
  '>>=',
  '>>>=',
  '?=',
])
// What a parenthesised lambda can follow: it is a value like any other (but not a call's callee).
const LAMBDA_PRECEDERS = new Set([...ASSIGNMENTS, '(', ',', '[', ':', '?', '?:', 'return', '->'])

/** Workaround 3: the MISSING name in `catch (e)`, where `e` was read as a type. */
export function isUntypedCatchParameter(node: SyntaxNode): boolean {
  const parent = node.parent
  if (node.type !== 'identifier' || parent?.type !== 'catch_formal_parameter') return false
  const named = parent.namedChildren
  return named.length === 2 && named[0]?.type === 'type_identifier' && named[1]?.id === node.id
}

/** Repair 1: the `[` of a subscript whose `[` is the first thing on its line. */
export function gluedBracket(subscript: SyntaxNode, text: string): number | undefined {
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
export function closureArgument(node: SyntaxNode, text: string): SyntaxNode | undefined {
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
