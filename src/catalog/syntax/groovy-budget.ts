// The time one Groovy check may take. tree-sitter parses valid code in linear time (the real
// scripts of the corpus take 0.3 to 0.8 ms per KB, repairs included), but its error recovery takes
// quadratic time on some broken text: 32 KB of `\$` took 5 s, 16,000 `x=>` 16 s, and a checker
// that hangs on a bad script hangs `amsh serve` with it. One check (its repairs, and the
// parameters of lambdas it checks on their own, included) gets a second and 2 ms per KB: linear
// in the size of the source, and well above what valid code needs. Past it the parser is halted
// and the repairs stop.

const BUDGET_MS = 1000
const BUDGET_MS_PER_KB = 2

/** When the check under way must stop; undefined between checks. */
let deadline: number | undefined

/** Runs a check within its budget; a check started inside another one shares that one's. */
export function withinBudget<T>(size: number, check: () => T): T {
  if (deadline !== undefined) return check()
  deadline = performance.now() + BUDGET_MS + (BUDGET_MS_PER_KB * size) / 1024
  try {
    return check()
  } finally {
    deadline = undefined
  }
}

export function outOfTime(): boolean {
  return deadline !== undefined && performance.now() > deadline
}
