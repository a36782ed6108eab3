import { AmshError } from '../../errors.ts'
import { afterParse } from './native-memory.ts'

// Syntax checking of AM script sources before they are stored or sent anywhere, standing in for
// AM's own `validate` action. The one rule that matters: a valid real script must never be
// rejected. Every checker is measured against the corpus of real scripts in test/corpus: AM's
// JavaScript and Groovy, and the Python (Jython 2.7) and Java custom scripts of Janssen / Gluu.
//
// The parsers are costly to load (acorn, native tree-sitter grammars) and most amsh runs never
// check a script, so each is imported on first use and kept for the life of the process.

export type ScriptLanguage = 'JAVASCRIPT' | 'GROOVY' | 'PYTHON' | 'JAVA'

/** 1-based line and column, like an editor. */
export interface SourceProblem {
  line: number
  column: number
  message: string
}

type Checker = (source: string) => SourceProblem[]

let javascript: Checker | undefined
let groovy: Checker | undefined
let python: Checker | undefined
let java: Checker | undefined

/** A tree-sitter checker's answer, its tree's native memory freed after a large source. */
function treeSitterChecked(check: Checker, source: string): SourceProblem[] {
  const problems = check(source)
  afterParse(source.length)
  return problems
}

/** [] when the source parses. Loads parsers lazily on first use: importing this module must cost ~nothing. */
export async function checkSource(
  language: ScriptLanguage,
  source: string
): Promise<SourceProblem[]> {
  switch (language) {
    case 'JAVASCRIPT':
      javascript ??= (await import('./javascript.ts')).checkJavaScript
      return javascript(source)
    case 'GROOVY':
      groovy ??= (await import('./groovy.ts')).checkGroovy
      return treeSitterChecked(groovy, source)
    case 'PYTHON':
      python ??= (await import('./python.ts')).checkPython
      return treeSitterChecked(python, source)
    case 'JAVA':
      java ??= (await import('./java.ts')).checkJava
      return treeSitterChecked(java, source)
    default: {
      const unknown: never = language
      throw new TypeError(`no syntax checker for script language ${String(unknown)}`)
    }
  }
}

/** The refusal of a source that does not parse: where (file:line:column), what, how to go on. */
export function syntaxError(
  language: string,
  origin: string,
  problems: readonly SourceProblem[]
): AmshError {
  const [first] = problems
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''
  return new AmshError(
    'E_SYNTAX',
    `${language} source does not parse at ${origin}:${first?.line}:${first?.column}: ${first?.message}${more} (to store it anyway, add --skipSourceCheck)`,
    {
      details: {
        problems: problems.map(({ line, column, message }) => ({ line, column, message })),
      },
    }
  )
}
