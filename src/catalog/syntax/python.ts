// Python syntax checking of Janssen / Gluu custom scripts, which run on Jython 2.7: Python 2
// syntax (print and exec statements, `except E, e:`, backticks, `<>`, `0777`, `ur''`) plus a few
// Jython-isms. tree-sitter-python keeps the Python 2 statements in its grammar; measured against
// Jython 2.7.3 itself on every version of every Gluu and Janssen script found (test/corpus and
// the wider set described in test/corpus/SOURCES.md), it rejects valid scripts only for the
// Jython-isms that python-lines.ts rewrites away before parsing, keeping every position.
//
// The rule: a valid script must never be rejected. tree-sitter is more lenient than Jython (it
// takes Python 3 syntax too, and is loose about indentation), which is the safe side. An error is
// reported only when tree-sitter finds one in the rewritten text; what is reported is then, first,
// what the line reading knows for sure (an unterminated string, an unbalanced bracket, an
// indentation error), else the first ERROR or MISSING node of the tree.

import { createRequire } from 'node:module'
import type TreeSitter from 'tree-sitter'
import { withinBudget } from './groovy-budget.ts'
import type { SourceProblem } from './index.ts'
import { GROOVY_LINE_BREAK, lineColumn } from './positions.ts'
import { readPython, type LineProblem, type Reading } from './python-lines.ts'
import { firstError, parseWithin } from './tree-sitter-parse.ts'

type SyntaxNode = TreeSitter.SyntaxNode

const require = createRequire(import.meta.url)
const Parser = require('tree-sitter') as typeof TreeSitter
const parser = new Parser()
parser.setLanguage(require('tree-sitter-python') as TreeSitter.Language)

/** Python ends lines where Groovy does: \r\n, \r and \n. */
const PYTHON_LINE_BREAK = GROOVY_LINE_BREAK

export function checkPython(source: string): SourceProblem[] {
  const start = performance.now()
  return withinBudget(source.length, () => check(source, start))
}

function check(source: string, start: number): SourceProblem[] {
  const reading = readPython(source)
  const parsed = parseWithin(parser, reading.text)
  const report = (problem: LineProblem): SourceProblem[] => {
    const at = lineColumn(source, problem.offset, PYTHON_LINE_BREAK)
    return [{ line: at.line, column: at.column, message: problem.message }]
  }
  if ('halted' in parsed) {
    const seconds = ((performance.now() - start) / 1000).toFixed(1)
    return report({
      offset: parsed.halted,
      message: `too broken to check: the parser gave up after ${seconds} s, lost in syntax errors before this point`,
    })
  }
  const root = parsed.tree.rootNode
  if (!root.hasError) {
    // tree-sitter is loose about indentation; Python 2's own rules are not in doubt.
    return reading.indentation === undefined ? [] : report(reading.indentation)
  }
  const sure = [reading.unterminated, reading.bracket, reading.indentation].filter(
    (p): p is LineProblem => p !== undefined
  )
  sure.sort((a, b) => a.offset - b.offset)
  const first = sure[0]
  const problem = treeProblem(root, reading, source)
  if (first === undefined) return problem === undefined ? [] : report(problem)
  // The first error in the source, but what is sure wins on its own logical line: the parser
  // often stumbles a few tokens before an unclosed bracket.
  if (problem === undefined || first.offset <= problem.offset) return report(first)
  const line = reading.lines.find((l) => l.start <= first.offset && first.offset < l.end)
  return report(line !== undefined && problem.offset >= line.start ? first : problem)
}

const COMPOUND = new Set([
  'def',
  'class',
  'if',
  'elif',
  'else',
  'for',
  'while',
  'with',
  'try',
  'except',
  'finally',
])

const OPERATORS = new Set([
  '+',
  '-',
  '*',
  '/',
  '//',
  '%',
  '**',
  '<<',
  '>>',
  '&',
  '|',
  '^',
  '~',
  '<',
  '>',
  '<=',
  '>=',
  '==',
  '!=',
  '<>',
  '=',
  '+=',
  '-=',
  '*=',
  '/=',
  '//=',
  '%=',
  '**=',
  '>>=',
  '<<=',
  '&=',
  '|=',
  '^=',
  '.',
  'and',
  'or',
  'not',
  'in',
  'is',
])

function treeProblem(root: SyntaxNode, reading: Reading, source: string): LineProblem | undefined {
  const node = firstError(root)
  if (node === undefined) return undefined
  if (node.isMissing) {
    const what = node.type === 'identifier' ? 'name or value' : quote(node.type)
    return { offset: node.startIndex, message: `missing ${what}` }
  }
  const children = node.children
  const lead = children[0]
  // `def f()` and a block: the header of a compound statement without its colon.
  if (lead !== undefined && COMPOUND.has(lead.type)) {
    const line = reading.lines.find((l) => l.start <= lead.startIndex && lead.startIndex < l.end)
    if (line !== undefined && !line.colon) return { offset: line.end, message: 'missing ":"' }
  }
  // `x = 1 +` at the end of a line: the operand never came.
  const tail = children.at(-1)
  if (tail !== undefined && OPERATORS.has(tail.type)) {
    const line = reading.lines.find((l) => l.start <= tail.startIndex && tail.startIndex < l.end)
    if (line !== undefined && line.end === tail.endIndex) {
      return { offset: tail.endIndex, message: `missing name or value after ${quote(tail.type)}` }
    }
  }
  if (lead === undefined) return { offset: node.startIndex, message: 'syntax error' }
  return { offset: lead.startIndex, message: `unexpected ${quote(firstToken(lead, source))}` }
}

/** The user's text of the first leaf of a node (not the rewritten one). */
function firstToken(node: SyntaxNode, source: string): string {
  let leaf = node
  while (leaf.childCount > 0 && leaf.firstChild != null) leaf = leaf.firstChild
  return source.slice(leaf.startIndex, leaf.endIndex).split(/\s/, 1)[0] || leaf.type
}

function quote(token: string): string {
  return JSON.stringify(token.length > 30 ? `${token.slice(0, 30)}…` : token)
}
