// What the tree-sitter checkers (python.ts, java.ts) share: a parse bounded by the time budget of
// groovy-budget.ts, and the first error of a tree.

import type TreeSitter from 'tree-sitter'
import { outOfTime } from './groovy-budget.ts'

type SyntaxNode = TreeSitter.SyntaxNode

/**
 * The parse of `text`; or, when the parser ran out of time (groovy-budget.ts), where it was lost
 * in errors: the point where it first saw one, else as far as it got.
 */
export function parseWithin(
  p: TreeSitter,
  text: string
): { tree: TreeSitter.Tree } | { halted: number } {
  let reached = 0
  let errorBefore: number | undefined
  const tree = p.parse(text, null, {
    progressCallback: (index, hasError) => {
      reached = index
      if (hasError) errorBefore ??= index
      return outOfTime()
    },
  }) as TreeSitter.Tree | undefined
  if (tree) return { tree }
  // A halted parser resumes its parse on the next call unless reset.
  p.reset()
  // The index counts bytes of UTF-16.
  return { halted: Math.min(text.length, Math.floor((errorBefore ?? reached) / 2)) }
}

/** The first ERROR or MISSING node in document order, without recursion (trees can be deep). */
export function firstError(root: SyntaxNode): SyntaxNode | undefined {
  const pending: SyntaxNode[] = [root]
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (node.isMissing || node.type === 'ERROR') return node
    if (!node.hasError) continue
    if (outOfTime()) return node
    const children = node.children
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]!)
  }
  return undefined
}
