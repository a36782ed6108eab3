import { tokenize } from '../parse/tokenize.ts'

// A logical line is what one command needs: physical lines joined where a line ends in a
// backslash, or where a quote or a JSON body is still open.

export type LineKind = 'blank' | 'comment' | 'meta' | 'command'

export function lineKind(text: string): LineKind {
  const trimmed = text.trimStart()
  if (trimmed === '') return 'blank'
  if (trimmed.startsWith('#') || trimmed.startsWith('//')) return 'comment'
  if (trimmed.startsWith(':') || trimmed === '?' || /^\.(\s|$)/.test(trimmed)) return 'meta'
  return 'command'
}

/** The text with backslash-newline continuations removed, and whether it is complete. */
export function logicalLine(text: string): { complete: boolean; text: string } {
  const joined = text.replace(/\\\r?\n/g, '')
  if (/\\\s*$/.test(joined) && !/\\\\\s*$/.test(joined)) return { complete: false, text: joined }
  const kind = lineKind(joined)
  if (kind !== 'command') return { complete: true, text: joined }
  return { complete: tokenize(joined).complete, text: joined }
}

export interface SourceLine {
  text: string
  /** 1-based number of the physical line where the logical line starts. */
  line: number
}

/** Splits a batch text into logical lines; an unfinished last line is returned as it is. */
export function* logicalLines(source: string): Generator<SourceLine> {
  const physical = source.split(/\r?\n/)
  let buffer: string[] = []
  let start = 0
  for (let i = 0; i < physical.length; i++) {
    if (buffer.length === 0) start = i + 1
    buffer.push(physical[i]!)
    const { complete, text } = logicalLine(buffer.join('\n'))
    if (complete) {
      yield { text, line: start }
      buffer = []
    }
  }
  if (buffer.length > 0) yield { text: buffer.join('\n'), line: start }
}
