// Both checkers sometimes parse a slightly rewritten copy of the user's source (see the notes in
// javascript.ts and groovy.ts). Problems must still point at the user's own line and column, so
// every rewrite keeps a map from offsets in the copy back to offsets in the original.

/** A change to the original source: at offset `at`, drop `remove` characters and put `insert`. */
export interface Edit {
  at: number
  remove: number
  insert: string
}

export interface Rewritten {
  text: string
  /** Offset in the original source for an offset in `text`; inside inserted text, the edit's own offset. */
  toOriginal(offset: number): number
  /** Whether [start, end) in `text` overlaps text that an edit inserted. */
  touchesInserted(start: number, end: number): boolean
  /** The edits that inserted text overlapping [start, end) in `text` (or its start, if empty). */
  editsTouching(start: number, end: number): Edit[]
}

export function applyEdits(source: string, edits: readonly Edit[]): Rewritten {
  const sorted = [...edits].sort((a, b) => a.at - b.at)
  const parts: string[] = []
  // For edit i: where its inserted text starts in the copy.
  const starts: number[] = []
  let from = 0
  let length = 0
  for (const edit of sorted) {
    const kept = source.slice(from, edit.at)
    parts.push(kept, edit.insert)
    length += kept.length
    starts.push(length)
    length += edit.insert.length
    from = edit.at + edit.remove
  }
  parts.push(source.slice(from))
  const text = parts.join('')

  const lastEditAtOrBefore = (offset: number): number => {
    let lo = 0
    let hi = starts.length - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if ((starts[mid] ?? 0) <= offset) {
        found = mid
        lo = mid + 1
      } else hi = mid - 1
    }
    return found
  }

  const editsTouching = (start: number, end: number): Edit[] => {
    const touching: Edit[] = []
    for (let i = 0; i < sorted.length; i++) {
      const edit = sorted[i]
      const s = starts[i] ?? 0
      if (edit === undefined || edit.insert === '') continue
      if (start < s + edit.insert.length && s < Math.max(end, start + 1)) touching.push(edit)
    }
    return touching
  }

  return {
    text,
    toOriginal(offset) {
      const i = lastEditAtOrBefore(offset)
      const edit = sorted[i]
      const start = starts[i]
      if (edit === undefined || start === undefined) return offset
      const insertedEnd = start + edit.insert.length
      if (offset < insertedEnd) return edit.at
      return edit.at + edit.remove + (offset - insertedEnd)
    },
    touchesInserted: (start, end) => editsTouching(start, end).length > 0,
    editsTouching,
  }
}

/** The identity rewrite, for the common case where the source is parsed as it is. */
export function unchanged(source: string): Rewritten {
  return {
    text: source,
    toOriginal: (offset) => offset,
    touchesInserted: () => false,
    editsTouching: () => [],
  }
}

/** JavaScript ends lines at \n, \r\n, \r, U+2028 and U+2029; Groovy only at the first three. */
export const JS_LINE_BREAK = /\r\n?|[\n\u2028\u2029]/g
export const GROOVY_LINE_BREAK = /\r\n?|\n/g

/** 1-based line and column (in UTF-16 code units, as editors and both engines count) of an offset. */
export function lineColumn(
  source: string,
  offset: number,
  lineBreak: RegExp
): { line: number; column: number } {
  const re = new RegExp(lineBreak.source, 'g')
  let line = 1
  let lineStart = 0
  for (let m = re.exec(source); m != null && m.index < offset; m = re.exec(source)) {
    const end = m.index + m[0].length
    // An offset between \r and \n still belongs to the line the \r ends.
    if (end > offset) break
    line++
    lineStart = end
  }
  return { line, column: offset - lineStart + 1 }
}
