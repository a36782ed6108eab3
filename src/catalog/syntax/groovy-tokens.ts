// The parsed text of groovy.ts as tokens, for the repairs to read (groovy-repairs.ts and the
// modules it uses): the token model, and what a token can be (a keyword, a name, a type's name, a
// modifier).

import type TreeSitter from 'tree-sitter'
import type { Rewritten } from './positions.ts'

export type SyntaxNode = TreeSitter.SyntaxNode

/**
 * The tokens of a parsed text, found by offset: what the user wrote as the parser cut it up, with
 * comments skipped and a string's contents in pieces no repair looks for. Looked up one at a time
 * around an error, because a walk over every token costs more than the parse itself.
 */
export class Tokens {
  readonly text: string
  // Lookups by offset: walks from neighbouring errors cross the same tokens.
  private readonly found = new Map<number, Token | undefined>()
  // The parser hands out one object per node, so nodes can key a cache.
  private readonly parents = new Map<SyntaxNode, SyntaxNode | null>()
  private readonly childLists = new Map<SyntaxNode, SyntaxNode[]>()

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

  /** A node's children: the parser builds the list anew at each call, and an ERROR can hold 100,000. */
  children(node: SyntaxNode): SyntaxNode[] {
    let children = this.childLists.get(node)
    if (children === undefined) this.childLists.set(node, (children = node.children))
    return children
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
export interface Token {
  node: SyntaxNode
  type: string
  start: number
  end: number
  text: string
}

/** Where an ERROR or MISSING node is. */
export interface Span {
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
export function isWord(token: Token | undefined, word: string): boolean {
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

export function isName(token: Token): boolean {
  return isIdentifier(token) && !RESERVED.has(token.text)
}

export function isIdentifier(token: Token): boolean {
  return isIdentifierType(token.type)
}

export function isIdentifierType(type: string): boolean {
  return type === 'identifier' || type === 'type_identifier'
}

export function isTypeName(token: Token): boolean {
  return isName(token) || (isIdentifier(token) && PRIMITIVES.has(token.text))
}

/** The modifiers Groovy takes on a declaration (`def` and `var` are read separately). */
export const MODIFIERS = new Set([
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

/** Whether a token is a modifier keyword (which the parser may hand over as a name). */
export function isModifier(token: Token): boolean {
  return MODIFIERS.has(token.text) && isWord(token, token.text)
}

/** Spaces for every character but line breaks, so lines and columns stay where they were. */
export function blank(text: string): string {
  return text.replace(/[^\r\n]/g, ' ')
}
