// The time one Groovy or Java check may take. tree-sitter parses valid code in linear time (the
// real scripts of the corpus take 0.3 to 0.8 ms per KB, repairs included), but its error recovery
// takes quadratic time on some broken text: 32 KB of `\$` took 5 s, 16,000 `x=>` 16 s, and a
// checker that hangs on a bad script hangs `amsh serve` with it. One check (its repairs, and the
// parameters of lambdas it checks on their own, included) gets 600 ms and 0.3 ms per KB, but
// never more than 900 ms: no input may cost amsh a second of work (issue 13), and valid code of
// up to a few hundred KB needs a fraction of that. Past it the parser is halted and the repairs
// stop.

const BUDGET_MS = 600
const BUDGET_MS_PER_KB = 0.3
const MAX_BUDGET_MS = 900

/** When the check under way must stop; undefined between checks. */
let deadline: number | undefined

/** Runs a check within its budget; a check started inside another one shares that one's. */
export function withinBudget<T>(size: number, check: () => T): T {
  if (deadline !== undefined) return check()
  deadline =
    performance.now() + Math.min(MAX_BUDGET_MS, BUDGET_MS + (BUDGET_MS_PER_KB * size) / 1024)
  try {
    return check()
  } finally {
    deadline = undefined
  }
}

export function outOfTime(): boolean {
  return deadline !== undefined && performance.now() > deadline
}
