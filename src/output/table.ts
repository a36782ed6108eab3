import { createRequire } from 'node:module'
import type * as TableLibrary from 'table'
import type { JsonValue } from '../json.ts'

// A query's results as a grid, as the Janssen CLI lists its custom scripts (Python tabulate's
// "grid"): numbered rows, a header ruled off with =, a rule between rows. The table library
// (with the ajv it checks its options with) loads on the first table, not with every start.

const require = createRequire(import.meta.url)
let table: typeof TableLibrary.table | undefined

const GRID: TableLibrary.TableUserConfig['border'] = {
  topBody: '-',
  topJoin: '+',
  topLeft: '+',
  topRight: '+',
  bottomBody: '-',
  bottomJoin: '+',
  bottomLeft: '+',
  bottomRight: '+',
  bodyLeft: '|',
  bodyRight: '|',
  bodyJoin: '|',
  joinBody: '-',
  joinLeft: '+',
  joinRight: '+',
  joinJoin: '+',
}

function cell(value: JsonValue | undefined): string {
  if (value == null) return ''
  if (typeof value === 'string') return value
  return JSON.stringify(value)
}

/**
 * The rows under `columns` (the keys of the first row when none are given): nested values
 * shown as JSON; control characters replaced, so that a value cannot draw on the terminal.
 */
export function renderTable(rows: readonly JsonValue[], columns?: readonly string[]): string {
  const objects = rows.map((row) =>
    row != null && typeof row === 'object' && !Array.isArray(row) ? row : { value: row }
  )
  const names = columns ?? Object.keys(objects[0] ?? {})
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  const clean = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\ufffd')
  const data = [
    ['', ...names],
    ...objects.map((row, i) => [String(i + 1), ...names.map((name) => clean(cell(row[name])))]),
  ]
  table ??= (require('table') as typeof TableLibrary).table
  const grid = table(data, {
    border: GRID,
    columns: [{ alignment: 'right' }],
  })
  // tabulate's grid rules the header off with = rather than -.
  const lines = grid.split('\n')
  if (lines.length > 2) lines[2] = lines[2]!.replace(/-/g, '=')
  return lines.join('\n').trimEnd()
}
