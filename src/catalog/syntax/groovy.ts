// Groovy syntax checking with tree-sitter (@dekobon/tree-sitter-groovy). The grammar is close to
// Groovy 3 (what AM 7 and 8 run) but not the real thing: measured on real AM scripts
// (test/corpus/groovy and the wider set described in test/corpus/SOURCES.md) it rejects three
// valid constructs, and it lacks several that Groovy 3 takes from Java. Each is handled narrowly
// below, only where the parser reports an error on that very construct, so every other error is
// still reported:
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
// end a string nor start one. Every position is mapped back to the user's text. If the error left
// after a repair sits on text the repair wrote, the repair was wrong for that spot: it is
// dropped, so the error reported there is the one in the user's own text.
//
// tree-sitter never throws on bad input: it builds a tree with ERROR nodes (tokens it could not
// place) and zero-width MISSING nodes (tokens it assumed), so the rest is choosing which of those
// to report, and where.

import { createRequire } from 'node:module'
import type TreeSitter from 'tree-sitter'
import type { SourceProblem } from './index.ts'
import {
  applyEdits,
  GROOVY_LINE_BREAK,
  lineColumn,
  unchanged,
  type Edit,
  type Rewritten,
} from './positions.ts'

type SyntaxNode = TreeSitter.SyntaxNode

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
  const tree = parser.parse(source)
  if (!tree.rootNode.hasError) return []

  const first = findProblem(tree.rootNode, unchanged(source))
  let found = first
  let rewritten = unchanged(source)
  // Each repair is one or more edits that stand or fall together.
  let applied: Edit[][] = []
  const tried = new Set<string>()
  for (let round = 0; round < MAX_REPARSES && found.problem !== undefined; round++) {
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
    rewritten = edits.length > 0 ? applyEdits(source, edits) : unchanged(source)
    found = findProblem(parser.parse(rewritten.text).rootNode, rewritten)
  }

  if (found.problem === undefined) return []
  const report = rewritten.touchesInserted(found.problem.offset, found.problem.offset)
    ? { problem: first.problem, map: unchanged(source) }
    : { problem: found.problem, map: rewritten }
  if (report.problem === undefined) return []
  const at = lineColumn(source, report.map.toOriginal(report.problem.offset), GROOVY_LINE_BREAK)
  return [{ line: at.line, column: at.column, message: report.problem.message }]
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

/** The edits to the parsed text (`remove` characters at `at` become `insert`) of one repair. */
type Repair = readonly Edit[]

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
  const visit = (node: SyntaxNode): void => {
    const closure = closureArgument(node, text)
    if (closure !== undefined) {
      repairs.push([
        { at: closure.startIndex, remove: 0, insert: '(' },
        { at: closure.endIndex, remove: 0, insert: ')' },
      ])
    }
    if (node.isMissing) {
      if (!isUntypedCatchParameter(node)) errors.push(node)
      return
    }
    if (node.type === 'ERROR') {
      errors.push(node)
      repairs.push(...inError(node, tokens))
    } else if (!node.hasError) return
    if (node.type === 'subscript_expression') {
      const bracket = gluedBracket(node, text)
      if (bracket !== undefined) repairs.push([{ at: bracket, remove: 0, insert: ';' }])
    }
    for (const child of node.children) visit(child)
  }
  visit(root)
  const walked = new Set<number>()
  for (const error of errors.slice(0, MAX_ANCHORS)) {
    repairs.push(...statementRepairs(error, tokens, walked))
  }
  return { problem: choose(errors, text), repairs }
}

/**
 * The tokens of a parsed text, found by offset: what the user wrote as the parser cut it up, with
 * comments skipped and a string's contents in pieces no repair looks for. Looked up one at a time
 * around an error, because a walk over every token costs more than the parse itself.
 */
class Tokens {
  readonly text: string
  // Lookups by offset: walks from neighbouring errors cross the same tokens.
  private readonly found = new Map<number, Token | undefined>()
  // The parser hands out one object per node, so nodes can key a cache.
  private readonly parents = new Map<SyntaxNode, SyntaxNode | null>()

  constructor(
    private readonly root: SyntaxNode,
    private readonly parsed: Rewritten
  ) {
    this.text = parsed.text
  }

  /** A node as a token: its getters each cross into native code, a token's fields do not. */
  of(node: SyntaxNode): Token {
    const start = node.startIndex
    const end = node.endIndex
    return { node, type: node.type, start, end, text: this.text.slice(start, end) }
  }

  /** Whether a token is (partly) text that a repair put there. */
  inserted(token: Token): boolean {
    return this.parsed.touchesInserted(token.start, token.end)
  }

  /** The bracket matching an opening `(` or `{` (looking forward) or a closing `)` (back). */
  matching(bracket: Token): Token | undefined {
    const kind = BRACKETS[bracket.type]
    if (kind === undefined) return undefined
    let token: Token | undefined = bracket
    for (let depth = 1, steps = 0; steps < 5000; steps++) {
      token = kind.forward ? this.after(token.end) : this.before(token.start)
      if (token === undefined) return undefined
      if (kind.same.includes(token.type)) depth++
      else if (token.type === kind.other && --depth === 0) return token
    }
    return undefined
  }

  /** The token starting at or after `offset`, past white space and comments. */
  after(offset: number): Token | undefined {
    const key = offset * 2
    if (this.found.has(key)) return this.found.get(key)
    let token: Token | undefined
    for (let i = offset; i < this.text.length && token === undefined;) {
      if (/\s/.test(this.text[i] ?? '')) {
        i++
        continue
      }
      const node = this.of(this.root.descendantForIndex(i, i + 1))
      if (!COMMENTS.has(node.type)) token = node
      else i = Math.max(node.end, i + 1)
    }
    this.found.set(key, token)
    return token
  }

  /** The token ending at or before `offset`, past white space and comments. */
  before(offset: number): Token | undefined {
    const key = offset * 2 + 1
    if (this.found.has(key)) return this.found.get(key)
    let token: Token | undefined
    for (let i = offset - 1; i >= 0 && token === undefined;) {
      if (/\s/.test(this.text[i] ?? '')) {
        i--
        continue
      }
      const node = this.of(this.root.descendantForIndex(i, i + 1))
      if (!COMMENTS.has(node.type)) token = node
      else i = Math.min(node.start, i) - 1
    }
    this.found.set(key, token)
    return token
  }

  /**
   * A node's nearest ancestors, at most `max`. The parser finds a parent by walking down from the
   * root, so a climb costs the tree's depth at each step, and a broken tree can be deep.
   */
  ancestors(node: SyntaxNode, max: number): SyntaxNode[] {
    const found: SyntaxNode[] = []
    for (let up = this.parent(node); up != null && found.length < max; up = this.parent(up)) {
      found.push(up)
    }
    return found
  }

  private parent(node: SyntaxNode): SyntaxNode | null {
    let parent = this.parents.get(node)
    if (parent === undefined) this.parents.set(node, (parent = node.parent))
    return parent
  }

  /** Whether a line ends between two tokens (or other offsets). */
  lineBreak(from: number, to: number): boolean {
    return /[\r\n]/.test(this.text.slice(from, to))
  }
}

/** A token as plain data. */
interface Token {
  node: SyntaxNode
  type: string
  start: number
  end: number
  text: string
}

/** Where an ERROR or MISSING node is. */
interface Span {
  start: number
  end: number
}

const COMMENTS = new Set(['line_comment', 'block_comment', 'groovydoc_comment'])
const BRACKETS: Record<string, { same: string[]; other: string; forward: boolean }> = {
  '(': { same: ['('], other: ')', forward: true },
  '{': { same: ['{', '${'], other: '}', forward: true },
  ')': { same: [')'], other: '(', forward: false },
}

/**
 * Whether a token is the keyword or name `word`. Inside an ERROR the parser may hand a keyword
 * over as a name (`final` as a type_identifier, `in` as an identifier), so the text decides; the
 * type only rules out string contents that spell the word.
 */
function isWord(token: Token | undefined, word: string): boolean {
  return token?.text === word && (token.type === word || isIdentifierType(token.type))
}

// Words that cannot name a variable or a type in Groovy.
const RESERVED = new Set(
  (
    'abstract as assert boolean break byte case catch char class const continue def default do ' +
    'double else enum extends false final finally float for goto if implements import in ' +
    'instanceof int interface long native new null package private protected public return short ' +
    'static strictfp super switch synchronized this threadsafe throw throws trait transient true ' +
    'try var void volatile while'
  ).split(' ')
)
const PRIMITIVES = new Set(['boolean', 'byte', 'char', 'double', 'float', 'int', 'long', 'short'])

function isName(token: Token): boolean {
  return isIdentifier(token) && !RESERVED.has(token.text)
}

function isIdentifier(token: Token): boolean {
  return isIdentifierType(token.type)
}

function isIdentifierType(type: string): boolean {
  return type === 'identifier' || type === 'type_identifier'
}

function isTypeName(token: Token): boolean {
  return isName(token) || (isIdentifier(token) && PRIMITIVES.has(token.text))
}

/** The modifiers Groovy takes on a declaration (`def` and `var` are read separately). */
const MODIFIERS = new Set([
  'public',
  'protected',
  'private',
  'static',
  'final',
  'abstract',
  'synchronized',
  'native',
  'transient',
  'volatile',
  'strictfp',
])

/** Spaces for every character but line breaks, so lines and columns stay where they were. */
function blank(text: string): string {
  return text.replace(/[^\r\n]/g, ' ')
}

/**
 * Repairs 4 to 6, for the statement an error is in: from the error's first token back to the
 * start of its statement (and up over annotations on the lines before), each modifier, `for` or
 * `synchronized` is tried as the start of the construct. Each repair checks that the error lies on
 * the construct itself.
 */
function statementRepairs(node: SyntaxNode, tokens: Tokens, walked: Set<number>): Repair[] {
  const repairs: Repair[] = []
  const error = { start: node.startIndex, end: node.endIndex }
  let token = node.isMissing ? tokens.before(error.start) : tokens.after(error.start)
  for (let steps = 0; token !== undefined && steps < 24; steps++) {
    // Walked back to from an earlier error: what starts there (and before) was tried with that
    // one, and whatever covers this error covers that one too.
    if (walked.has(token.start)) break
    walked.add(token.start)
    const repair = mayStartConstruct(token) ? constructRepair(token, error, tokens) : undefined
    if (repair !== undefined) repairs.push(repair)
    const previous: Token | undefined = tokens.before(token.start)
    if (previous === undefined || STATEMENT_ENDS.has(previous.type)) break
    if (tokens.lineBreak(previous.end, token.start)) {
      // A line break ends a statement, but not an annotation on the lines before a declaration.
      const annotation = annotationEndingWith(previous, tokens)
      if (annotation === undefined) break
      token = tokens.after(annotation.startIndex)
    } else token = previous
  }
  return repairs
}

const STATEMENT_ENDS = new Set([';', '{', '}'])

/** Whether `token` is a modifier, `@`, `for` or `synchronized`: where repairs 4 to 6 start. */
function mayStartConstruct(token: Token): boolean {
  return token.type === '@' || isModifier(token) || isWord(token, 'for')
}

/** Repair 4, 5 or 6 for a construct that may start at `token`. */
function constructRepair(token: Token, error: Span, tokens: Tokens): Repair | undefined {
  return (
    forInRepair(token, error, tokens) ??
    synchronizedRepair(token, error, tokens) ??
    declarationRepair(token, error, tokens)
  )
}

/** Whether the parser's error overlaps [start, end): the repair is for that very error. */
function onConstruct(error: Span, start: number, end: number): boolean {
  return error.start < end && start < Math.max(error.end, error.start + 1)
}

/** The annotation (well-formed) a token is the last token of. */
function annotationEndingWith(token: Token, tokens: Tokens): SyntaxNode | undefined {
  if (token.type !== ')' && !isIdentifier(token)) return undefined
  for (const node of [token.node, ...tokens.ancestors(token.node, 3)]) {
    if (node.endIndex !== token.end) return undefined
    if (node.type === 'annotation') return node.hasError ? undefined : node
  }
  return undefined
}

interface Modifiers {
  start: number
  end: number
  words: string[]
  annotations: string[]
  /** The first token after them. */
  next: Token | undefined
}

/** The modifiers and annotations from `token` on; undefined if there are none. */
function readModifiers(token: Token, tokens: Tokens): Modifiers | undefined {
  const found: Modifiers = {
    start: token.start,
    end: token.start,
    words: [],
    annotations: [],
    next: token,
  }
  for (let next: Token | undefined = token; next !== undefined;) {
    if (isModifier(next)) {
      found.words.push(next.text)
      found.end = next.end
    } else if (next.type === '@') {
      const annotation = readAnnotation(next, tokens)
      if (annotation === undefined) return undefined
      found.annotations.push(annotation.name)
      found.end = annotation.end
    } else break
    next = found.next = tokens.after(found.end)
  }
  return found.end > found.start ? found : undefined
}

/**
 * The annotation starting at an `@`: one the parser made a node of, or, inside an ERROR where it
 * left the tokens loose, `@Name` or `@a.b.Name` without arguments (which could not be checked).
 */
function readAnnotation(at: Token, tokens: Tokens): { name: string; end: number } | undefined {
  const node = at.node.parent
  if (node?.type === 'annotation' && node.startIndex === at.start) {
    if (node.hasError) return undefined
    return { name: node.childForFieldName('name')?.text ?? '', end: node.endIndex }
  }
  let part = tokens.after(at.end)
  let name = ''
  for (;;) {
    if (part === undefined || !isName(part)) return undefined
    name += part.text
    const dot = tokens.after(part.end)
    if (dot?.type === '(') return undefined
    if (dot?.type !== '.') return { name, end: part.end }
    name += '.'
    part = tokens.after(dot.end)
  }
}

interface Declared {
  name: Token
  /** A type, `def` or `var` stands before the name. */
  typed: boolean
}

/**
 * After modifiers: an optional `def`/`var` or type, then the name being declared. A type is what
 * Groovy takes for one there: a possibly qualified name, type arguments, array brackets, on the
 * line of the name that follows.
 */
function readDeclared(next: Token | undefined, tokens: Tokens): Declared | undefined {
  if (next === undefined) return undefined
  if (isWord(next, 'def') || isWord(next, 'var')) {
    const name = tokens.after(next.end)
    return name !== undefined && isName(name) ? { name, typed: true } : undefined
  }
  const afterType = skipType(next, tokens)
  if (
    afterType !== undefined &&
    isName(afterType) &&
    !tokens.lineBreak(next.start, afterType.start)
  ) {
    return { name: afterType, typed: true }
  }
  return isName(next) ? { name: next, typed: false } : undefined
}

/** The token after a type starting at `first`, or undefined if no type starts there. */
function skipType(first: Token, tokens: Tokens): Token | undefined {
  if (!isTypeName(first)) return undefined
  let token = tokens.after(first.end)
  while (token?.type === '.') {
    const part = tokens.after(token.end)
    if (part === undefined || !isTypeName(part)) return undefined
    token = tokens.after(part.end)
  }
  if (token?.type === '<') {
    for (let depth = 1; depth > 0;) {
      token = tokens.after(token.end)
      if (token === undefined) return undefined
      const closes = CLOSING_ANGLES[token.type]
      if (token.type === '<') depth++
      else if (closes !== undefined) depth -= closes
      else if (!isTypeName(token) && !TYPE_ARGUMENT_TOKENS.has(token.type)) return undefined
      if (depth < 0) return undefined
    }
    token = tokens.after(token.end)
  }
  while (token?.type === '[') {
    const close = tokens.after(token.end)
    if (close?.type !== ']') return undefined
    token = tokens.after(close.end)
  }
  return token
}

const CLOSING_ANGLES: Record<string, number> = { '>': 1, '>>': 2, '>>>': 3 }
const TYPE_ARGUMENT_TOKENS = new Set([',', '.', '?', '&', '[', ']', 'extends', 'super'])

/**
 * Repair 4: modifiers and annotations on a variable declaration, `final x = 1`,
 * `@Field static final String S = ...`, `catch (final IOException e)`,
 * `for (final int i = 0; ...)`, a class field without a type (`static x = 1`).
 */
function declarationRepair(token: Token, error: Span, tokens: Tokens): Repair | undefined {
  if (!isModifier(token) && token.type !== '@') return undefined
  const previous = tokens.before(token.start)
  if (
    previous !== undefined &&
    (isModifier(previous) || annotationEndingWith(previous, tokens) !== undefined)
  ) {
    return undefined // not the first modifier: the run is read from its first
  }
  const modifiers = readModifiers(token, tokens)
  if (modifiers === undefined) return undefined
  const place = declarationPlace(token, previous, tokens)
  if (place === undefined) return undefined
  if (!allowedModifiers(modifiers, place, () => inClassBody(token, tokens))) return undefined

  const next = modifiers.next
  if (next === undefined) return undefined
  let standsForDef: boolean
  let end: number
  if (next.type === '(') {
    if (place !== 'statement') return undefined
    standsForDef = true // `final (a, b) = ...`, as `def (a, b) = ...`
    end = next.end
  } else {
    const declared = readDeclared(next, tokens)
    if (declared === undefined) return undefined
    const following = tokens.after(declared.name.end)
    // A for-in loop variable: repair 5 takes the whole header.
    if (place === 'for' && (following?.type === ':' || isWord(following, 'in'))) return undefined
    // Anything else after the name (`(` of a method, `.`, `[`) is no variable declaration, and
    // written `def` it could pass: the grammar reads `def map ['k'] = v` as two statements.
    if (
      following !== undefined &&
      !DECLARATOR_ENDS.has(following.type) &&
      !tokens.lineBreak(declared.name.end, following.start)
    ) {
      return undefined
    }
    standsForDef = !declared.typed && place !== 'catch' && place !== 'parameter'
    end = following?.end ?? declared.name.end
  }
  if (!onConstruct(error, modifiers.start, end)) return undefined

  // With a type or `def` after them the modifiers change nothing to the syntax: blanked. With
  // just a name after them they stand for `def`, which is written over them.
  const text = tokens.text.slice(modifiers.start, modifiers.end)
  let insert = blank(text)
  if (standsForDef) {
    insert = /^[^\r\n]{3}/.test(text) ? `def${insert.slice(3)}` : `def ${insert}`
  }
  return [{ at: modifiers.start, remove: text.length, insert }]
}

// What can follow the name in a declaration: its value, the next one, the end of the statement,
// of a parameter list (a closure's too) or of a catch parameter.
const DECLARATOR_ENDS = new Set(['=', ',', ';', '}', ')', '->'])

/** Whether a token is a modifier keyword (which the parser may hand over as a name). */
function isModifier(token: Token): boolean {
  return MODIFIERS.has(token.text) && isWord(token, token.text)
}

/** A statement (a local variable, or a class's field), a parameter, a catch's or a for's variable. */
type Place = 'statement' | 'parameter' | 'catch' | 'for'

/** Where a declaration starting at `token` is: it must start a statement, a for or a catch. */
function declarationPlace(
  token: Token,
  previous: Token | undefined,
  tokens: Tokens
): Place | undefined {
  if (previous?.type === '(' || previous?.type === ',') {
    const keyword = previous.type === '(' ? tokens.before(previous.start) : undefined
    if (isWord(keyword, 'for')) return 'for'
    if (isWord(keyword, 'catch')) return 'catch'
    // A method's parameter: the parser got as far as the parameter list.
    if (tokens.ancestors(token.node, 3).some((node) => node.type === 'formal_parameters')) {
      return 'parameter'
    }
  }
  if ((previous?.type === '{' || previous?.type === ',') && closureParameter(token, tokens)) {
    return 'parameter'
  }
  if (previous?.type === '(' || previous?.type === ',') return undefined
  const startsStatement =
    previous === undefined ||
    STATEMENT_ENDS.has(previous.type) ||
    previous.type === '->' ||
    tokens.lineBreak(previous.end, token.start)
  return startsStatement ? 'statement' : undefined
}

/** Whether a statement-like declaration is a class's field: in the body, or an ERROR there. */
function inClassBody(token: Token, tokens: Tokens): boolean {
  for (const node of tokens.ancestors(token.node, 3)) {
    if (node.type === 'class_body' || node.type === 'enum_body') return true
    if (node.type === 'block' || node.type === 'closure' || node.type === 'source_file') break
  }
  return false
}

/**
 * Whether `token` is in the parameters of a closure, `{ final a, final String b -> ... }`: they
 * run from a `{` to a `->` and are valid as a method's (with repairs, as a lambda's are).
 */
function closureParameter(token: Token, tokens: Tokens): boolean {
  let open: Token | undefined = token
  for (let steps = 0; open?.type !== '{'; steps++) {
    open = steps < 40 ? tokens.before(open.start) : undefined
    if (open === undefined || !inParameters(open)) return false
  }
  let arrow: Token | undefined = token
  for (let steps = 0; arrow?.type !== '->'; steps++) {
    arrow = steps < 40 ? tokens.after(arrow.end) : undefined
    if (arrow === undefined || !inParameters(arrow)) return false
  }
  return validParameters(tokens.text.slice(open.end, arrow.start))
}

/** Tokens that a closure's parameter list, or the `{` and `->` around it, is made of. */
function inParameters(token: Token): boolean {
  return isIdentifier(token) || isModifier(token) || PARAMETER_TOKENS.has(token.type)
}

const PARAMETER_TOKENS = new Set([
  '{',
  '->',
  ',',
  '.',
  '<',
  '>',
  '>>',
  '[',
  ']',
  '?',
  '...',
  'def',
  'extends',
  'super',
])

/**
 * Groovy takes every modifier syntactically, then refuses all but `final` on a local variable
 * ("Modifier 'static' not allowed here") unless @Field makes the variable a field of the script.
 * A class's field takes any. A modifier twice is refused everywhere ("Cannot repeat modifier").
 * Whether a statement is in a class body is looked up last: it costs most.
 */
function allowedModifiers(modifiers: Modifiers, place: Place, field: () => boolean): boolean {
  const { words, annotations } = modifiers
  if (new Set(words).size !== words.length) return false
  const atField = annotations.some((name) => name === 'Field' || name.endsWith('.Field'))
  if (words.every((word) => word === 'final' || (place === 'statement' && atField))) return true
  return place === 'statement' && field()
}

/**
 * Repair 5: a for-in loop whose variable has a type, `def` or modifiers (`for (String s in list)`,
 * `for (final x in xs)`), or Java's `:` for `in` (`for (String s : list)`). The grammar takes only
 * `for (name in ...)`; what stands before the name changes nothing to the syntax, so it is blanked,
 * and `:` becomes `in`.
 */
function forInRepair(token: Token, error: Span, tokens: Tokens): Repair | undefined {
  if (!isWord(token, 'for')) return undefined
  const open = tokens.after(token.end)
  if (open?.type !== '(') return undefined
  let first = tokens.after(open.end)
  if (first === undefined) return undefined
  const modifiers = readModifiers(first, tokens)
  if (modifiers !== undefined) {
    if (!allowedModifiers(modifiers, 'for', () => false)) return undefined
    first = modifiers.next
  }
  const declared = readDeclared(first, tokens)
  if (declared === undefined || first === undefined) return undefined
  const { name } = declared
  const keyword = tokens.after(name.end)
  const colon = keyword?.type === ':'
  if (keyword === undefined || !(colon || isWord(keyword, 'in'))) return undefined
  if (!onConstruct(error, token.start, keyword.end)) return undefined

  const start = modifiers?.start ?? first.start
  const repair: Edit[] = []
  if (start < name.start) {
    const text = tokens.text.slice(start, name.start)
    repair.push({ at: start, remove: text.length, insert: blank(text) })
  }
  if (colon) {
    // Spaces only where needed: an error right after `in` must land on the user's text.
    const around = (at: number): string => (/\s/.test(tokens.text[at] ?? '') ? '' : ' ')
    const insert = `${around(keyword.start - 1)}in${around(keyword.end)}`
    repair.push({ at: keyword.start, remove: 1, insert })
  }
  return repair.length > 0 ? repair : undefined
}

/**
 * Repair 6: `synchronized (lock) { ... }`, a statement the grammar lacks. Checked as
 * `while (lock) { ... }`, which has the same shape and takes no `else` after it; Groovy wants a
 * block after the parentheses, so there must be one.
 */
function synchronizedRepair(token: Token, error: Span, tokens: Tokens): Repair | undefined {
  if (!isWord(token, 'synchronized')) return undefined
  const open = tokens.after(token.end)
  if (open?.type !== '(' || !onConstruct(error, token.start, open.end)) return undefined
  const previous = tokens.before(token.start)
  if (declarationPlace(token, previous, tokens) !== 'statement') return undefined
  // After modifiers it is one itself (the grammar would even take `static while (...) {}`).
  if (previous !== undefined && (isModifier(previous) || annotationEndingWith(previous, tokens))) {
    return undefined
  }
  const close = tokens.matching(open)
  const block = close && tokens.after(close.end)
  if (block?.type !== '{') return undefined
  // The grammar would take an `else` after the loop as a command (`else { ... }`).
  const end = tokens.matching(block)
  if (end === undefined || isWord(tokens.after(end.end), 'else')) return undefined
  return [{ at: token.start, remove: token.text.length, insert: 'while'.padEnd(token.text.length) }]
}

/**
 * Repairs for tokens the parser left straight in an ERROR: the `->` of a lambda (repair 7), or the
 * first token of a construct of repairs 4 to 6 in the middle of a larger ERROR, where the walk
 * back from the ERROR's first token does not reach it.
 */
function inError(error: SyntaxNode, tokens: Tokens): Repair[] {
  const repairs: Repair[] = []
  const span = { start: error.startIndex, end: error.endIndex }
  for (const child of error.children) {
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

/**
 * Whether lambda parameters are valid as those of a method, `(String a, b = 1)`, repairs
 * included (`final String a`). They are balanced in parentheses, so they cannot end the method.
 */
function validParameters(parameters: string): boolean {
  return checkGroovy(`def f(${parameters}) {}`).length === 0
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

const LITERAL_WORDS = new Set(['true', 'false', 'null'])
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
  if (node.isMissing) {
    // Where a value is missing the parser assumes whichever token is cheapest: a name, or a
    // literal keyword (`missing "true"` would puzzle).
    const value = node.type === 'identifier' || LITERAL_WORDS.has(node.type)
    const what = value ? 'name or value' : quote(node.type)
    return { offset: node.startIndex, message: `missing ${what}` }
  }
  return describeError(node, text)
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

function describeError(node: SyntaxNode, text: string): Problem {
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
