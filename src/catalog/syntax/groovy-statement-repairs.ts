// Repairs 4 to 6 of groovy-repairs.ts, for a construct at the start of a statement: modifiers and
// annotations on a variable declaration, a for-in loop's header, `synchronized`. Found by walking
// back from an error to the start of its statement, or on a token the parser left in an ERROR.

import {
  allowedModifiers,
  annotationEndingWith,
  declarationPlace,
  inClassBody,
  readDeclared,
  readModifiers,
  STATEMENT_ENDS,
} from './groovy-declarations.ts'
import type { Repair } from './groovy-repairs.ts'
import {
  blank,
  isModifier,
  isWord,
  type Span,
  type SyntaxNode,
  type Token,
  type Tokens,
} from './groovy-tokens.ts'
import type { Edit } from './positions.ts'

/**
 * Repairs 4 to 6, for the statement an error is in: from the error's first token back to the
 * start of its statement (and up over annotations on the lines before), each modifier, `for` or
 * `synchronized` is tried as the start of the construct. Each repair checks that the error lies on
 * the construct itself.
 */
export function statementRepairs(node: SyntaxNode, tokens: Tokens, walked: Set<number>): Repair[] {
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

/** Whether `token` is a modifier, `@`, `for` or `synchronized`: where repairs 4 to 6 start. */
export function mayStartConstruct(token: Token): boolean {
  return token.type === '@' || isModifier(token) || isWord(token, 'for')
}

/** Repair 4, 5 or 6 for a construct that may start at `token`. */
export function constructRepair(token: Token, error: Span, tokens: Tokens): Repair | undefined {
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
