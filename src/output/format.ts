import { inspect } from 'node:util'
import { AmshError } from '../errors.ts'

export const OUTPUT_FORMATS = ['json'] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

export function parseOutputFormat(value: string): OutputFormat {
  if ((OUTPUT_FORMATS as readonly string[]).includes(value)) return value as OutputFormat
  throw new AmshError(
    'E_USAGE',
    `unknown output format "${value}" (allowed: ${OUTPUT_FORMATS.join(', ')})`
  )
}

/**
 * Plain data: what JSON shows faithfully (no functions, class instances or cycles). A property
 * that is undefined is fine: JSON leaves it out, as JavaScript users expect.
 */
function isPlainData(value: unknown, seen = new Set<unknown>()): boolean {
  if (value == null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value)
  if (typeof value !== 'object' || seen.has(value)) return false
  seen.add(value)
  const proto = Object.getPrototypeOf(value) as object | null
  const items = Array.isArray(value)
    ? value
    : proto == null || Object.getPrototypeOf(proto) == null
      ? Object.values(value)
      : undefined
  const plain = items !== undefined && items.every((item) => isPlainData(item, seen))
  seen.delete(value)
  return plain
}

/**
 * A value as the text that goes to stdout: plain data as JSON, anything else inspected. Looking
 * at a value of the user's may run the user's code (getters, a Proxy's traps) and throw: it is
 * then inspected, which shows a Proxy's target without running its traps, and getters as such.
 */
export function formatValue(value: unknown, _format: OutputFormat = 'json'): string {
  try {
    if (value !== undefined && isPlainData(value)) return JSON.stringify(value, null, 2)
  } catch {
    // not plain data, then
  }
  return inspect(value, { depth: 4 })
}
