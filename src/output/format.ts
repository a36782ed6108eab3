import { inspect } from 'node:util'
import { findEntity } from '../catalog/catalog.ts'
import { AmshError } from '../errors.ts'
import type { JsonValue } from '../json.ts'
import { renderTable } from './table.ts'

export const OUTPUT_FORMATS = ['json', 'table'] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

export function parseOutputFormat(value: string): OutputFormat {
  if ((OUTPUT_FORMATS as readonly string[]).includes(value)) return value as OutputFormat
  throw new AmshError(
    'E_USAGE',
    `unknown output format "${value}" (allowed: ${OUTPUT_FORMATS.join(', ')})`
  )
}

/** How an entity's listing shows as a table (commands/<Entity>.json `table`), if it says. */
function tableOf(entity: string | undefined) {
  return entity ? findEntity(entity)?.table : undefined
}

/** The format a result is shown in at the prompt when none was chosen: its entity's, or JSON. */
export function promptFormat(entity: string | undefined): OutputFormat {
  return tableOf(entity)?.atPrompt ? 'table' : 'json'
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
export function formatValue(
  value: unknown,
  format: OutputFormat = 'json',
  entity?: string
): string {
  if (format === 'table' && Array.isArray(value) && isPlainData(value)) {
    return renderTable(value as JsonValue[], tableOf(entity)?.columns)
  }
  try {
    if (value !== undefined && isPlainData(value)) return JSON.stringify(value, null, 2)
  } catch {
    // not plain data, then
  }
  return inspect(value, { depth: 4 })
}
