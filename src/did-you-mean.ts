/** Levenshtein distance, for suggestions only (inputs are short names). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return row[b.length]!
}

/** ` (did you mean "x"?)` when a candidate is close enough, else ''. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const lower = input.toLowerCase()
  let best: string | undefined
  let bestDistance = Infinity
  const tolerance = Math.max(2, Math.floor(input.length / 3))
  for (const candidate of candidates) {
    // The distance is at least the difference in length: a far longer input (a megabyte typed
    // where a verb goes) is no candidate's typo, and is not compared letter by letter.
    if (Math.abs(candidate.length - input.length) > tolerance) continue
    const d = distance(lower, candidate.toLowerCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best !== undefined && bestDistance <= tolerance ? ` (did you mean "${best}"?)` : ''
}
