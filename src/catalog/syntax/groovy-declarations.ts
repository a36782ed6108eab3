// Reading declarations, for repairs 4 to 6 of groovy-repairs.ts (and the parameters of a lambda,
// repair 7): modifiers and annotations, an optional type, the name declared, where the declaration
// stands, which modifiers Groovy takes there, and whether parameters are valid.

// checkGroovy checks parameters as a method's (validParameters): an import cycle with groovy.ts,
// harmless as nothing here runs while the modules load.
import { checkGroovy } from './groovy.ts'
import {
  isIdentifier,
  isModifier,
  isName,
  isTypeName,
  isWord,
  type SyntaxNode,
  type Token,
  type Tokens,
} from './groovy-tokens.ts'

export const STATEMENT_ENDS = new Set([';', '{', '}'])

/** The annotation (well-formed) a token is the last token of. */
export function annotationEndingWith(token: Token, tokens: Tokens): SyntaxNode | undefined {
  if (token.type !== ')' && !isIdentifier(token)) return undefined
  for (const node of [token.node, ...tokens.ancestors(token.node, 3)]) {
    if (node.endIndex !== token.end) return undefined
    if (node.type === 'annotation') return node.hasError ? undefined : node
  }
  return undefined
}

export interface Modifiers {
  start: number
  end: number
  words: string[]
  annotations: string[]
  /** The first token after them. */
  next: Token | undefined
}

/**
 * More modifiers and annotations than any declaration has: a longer run is not read (each `@` of
 * 100,000 in a row would read all those after it).
 */
const MAX_MODIFIERS = 100

/** The modifiers and annotations from `token` on; undefined if there are none. */
export function readModifiers(token: Token, tokens: Tokens): Modifiers | undefined {
  const found: Modifiers = {
    start: token.start,
    end: token.start,
    words: [],
    annotations: [],
    next: token,
  }
  for (let next: Token | undefined = token; next !== undefined;) {
    if (found.words.length + found.annotations.length >= MAX_MODIFIERS) return undefined
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
export function readDeclared(next: Token | undefined, tokens: Tokens): Declared | undefined {
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

/** A statement (a local variable, or a class's field), a parameter, a catch's or a for's variable. */
export type Place = 'statement' | 'parameter' | 'catch' | 'for'

/** Where a declaration starting at `token` is: it must start a statement, a for or a catch. */
export function declarationPlace(
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
export function inClassBody(token: Token, tokens: Tokens): boolean {
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
export function allowedModifiers(
  modifiers: Modifiers,
  place: Place,
  field: () => boolean
): boolean {
  const { words, annotations } = modifiers
  if (new Set(words).size !== words.length) return false
  const atField = annotations.some((name) => name === 'Field' || name.endsWith('.Field'))
  if (words.every((word) => word === 'final' || (place === 'statement' && atField))) return true
  return place === 'statement' && field()
}

/**
 * Whether lambda parameters are valid as those of a method, `(String a, b = 1)`, repairs
 * included (`final String a`). They are balanced in parentheses, so they cannot end the method.
 */
export function validParameters(parameters: string): boolean {
  return checkGroovy(`def f(${parameters}) {}`).length === 0
}
