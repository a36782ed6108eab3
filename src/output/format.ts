import { AmshError } from '../errors.ts'
import type { JsonValue } from '../json.ts'

export const OUTPUT_FORMATS = ['json'] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

export function parseOutputFormat(value: string): OutputFormat {
  if ((OUTPUT_FORMATS as readonly string[]).includes(value)) return value as OutputFormat
  throw new AmshError(
    'E_USAGE',
    `unknown output format "${value}" (allowed: ${OUTPUT_FORMATS.join(', ')})`
  )
}

/** A command's result as the text that goes to stdout. */
export function formatValue(value: JsonValue, _format: OutputFormat): string {
  return JSON.stringify(value, null, 2)
}
