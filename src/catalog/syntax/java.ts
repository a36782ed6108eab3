// Java syntax checking of Janssen custom scripts written in Java, with tree-sitter-java. Measured
// on the Java sources of the Gluu and Janssen custom-script APIs and their implementations
// (test/corpus/java and the wider set described in test/corpus/SOURCES.md): it rejects none.
//
// tree-sitter never throws on bad input: it builds a tree with ERROR nodes (tokens it could not
// place) and zero-width MISSING nodes (tokens it assumed); the first of either is reported.

import { createRequire } from 'node:module'
import type TreeSitter from 'tree-sitter'
import { withinBudget } from './groovy-budget.ts'
import type { SourceProblem } from './index.ts'
import { GROOVY_LINE_BREAK, lineColumn } from './positions.ts'
import { firstError, parseWithin } from './tree-sitter-parse.ts'

type SyntaxNode = TreeSitter.SyntaxNode

const require = createRequire(import.meta.url)
const Parser = require('tree-sitter') as typeof TreeSitter
const parser = new Parser()
parser.setLanguage(require('tree-sitter-java') as TreeSitter.Language)

/** Java ends lines at \r\n, \r and \n, as Groovy does. */
const JAVA_LINE_BREAK = GROOVY_LINE_BREAK

const CLOSER_OF: Record<string, string> = { '{': '}', '(': ')', '[': ']' }
const OPENER_OF: Record<string, string> = { '}': '{', ')': '(', ']': '[' }

export function checkJava(source: string): SourceProblem[] {
  const start = performance.now()
  return withinBudget(source.length, () => check(source, start))
}

function check(source: string, start: number): SourceProblem[] {
  const parsed = parseWithin(parser, source)
  const report = (offset: number, message: string): SourceProblem[] => {
    const at = lineColumn(source, offset, JAVA_LINE_BREAK)
    return [{ line: at.line, column: at.column, message }]
  }
  if ('halted' in parsed) {
    const seconds = ((performance.now() - start) / 1000).toFixed(1)
    return report(
      parsed.halted,
      `too broken to check: the parser gave up after ${seconds} s, lost in syntax errors before this point`
    )
  }
  const root = parsed.tree.rootNode
  if (!root.hasError) return []
  const node = firstError(root)
  if (node === undefined) return []
  if (node.isMissing) {
    const type = node.type
    // A closing bracket assumed at the end of the source: point at the bracket it closes.
    const opener = OPENER_OF[type]
    if (opener !== undefined && /^\s*$/.test(source.slice(node.startIndex))) {
      const open = node.parent?.children.find((c) => c.type === opener)
      if (open !== undefined) {
        return report(open.startIndex, `missing ${quote(type)} to close ${quote(opener)}`)
      }
    }
    const what = type === 'identifier' ? 'name or value' : quote(type)
    return report(node.startIndex, `missing ${what}`)
  }
  return describeError(node, source, report)
}

function describeError(
  node: SyntaxNode,
  source: string,
  report: (offset: number, message: string) => SourceProblem[]
): SourceProblem[] {
  const children = node.children
  const stack: SyntaxNode[] = []
  for (const child of children) {
    if (child.type in CLOSER_OF) stack.push(child)
    else if (child.type in OPENER_OF) stack.pop()
  }
  const unclosed = stack.at(-1)
  if (unclosed !== undefined && /^\s*$/.test(source.slice(node.endIndex))) {
    const closer = CLOSER_OF[unclosed.type] ?? '}'
    return report(unclosed.startIndex, `missing ${quote(closer)} to close ${quote(unclosed.type)}`)
  }
  const lead = children[0]
  if (lead === undefined) return report(node.startIndex, 'syntax error')
  let leaf = lead
  while (leaf.childCount > 0 && leaf.firstChild != null) leaf = leaf.firstChild
  const token = source.slice(leaf.startIndex, leaf.endIndex).split(/\s/, 1)[0] || leaf.type
  return report(leaf.startIndex, `unexpected ${quote(token)}`)
}

function quote(token: string): string {
  return JSON.stringify(token.length > 30 ? `${token.slice(0, 30)}…` : token)
}
