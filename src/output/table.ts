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

/** How a table fits its screen. */
export interface TableOptions {
  /** The terminal's width: the widest columns are cut (with …) until the table fits. */
  width?: number
  /** Draws a header cell (bold, on a colour terminal). */
  header?: (name: string) => string
}

/** Column widths that fit `width`, narrowing the widest column a character at a time. */
function fitted(widths: number[], width: number | undefined): number[] {
  if (!width) return widths
  const fit = [...widths]
  // Each column costs its width plus "| " and " ", and the line one "|" more.
  const total = () => fit.reduce((sum, w) => sum + w + 3, 1)
  while (total() > width) {
    const widest = fit.indexOf(Math.max(...fit))
    if (fit[widest]! <= 3) break
    fit[widest]!--
  }
  return fit
}

/**
 * The rows under `columns` (the keys of the first row when none are given): nested values
 * shown as JSON; control characters replaced, so that a value cannot draw on the terminal.
 */
export function renderTable(
  rows: readonly JsonValue[],
  columns?: readonly string[],
  options: TableOptions = {}
): string {
  const objects = rows.map((row) =>
    row != null && typeof row === 'object' && !Array.isArray(row) ? row : { value: row }
  )
  const names = columns ?? Object.keys(objects[0] ?? {})
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  const clean = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\ufffd')
  const body = objects.map((row, i) => [
    String(i + 1),
    ...names.map((name) => clean(cell(row[name]))),
  ])
  const header = ['', ...names]
  const natural = header.map((name, i) =>
    Math.max(1, name.length, ...body.map((row) => row[i]!.length))
  )
  const widths = fitted(natural, options.width)
  // Cut here rather than by the library, so that a header is drawn (bold) after it is cut.
  const cut = (text: string, i: number) =>
    text.length > widths[i]! ? `${text.slice(0, widths[i]! - 1)}…` : text
  const draw = options.header ?? ((name: string) => name)
  table ??= (require('table') as typeof TableLibrary).table
  const grid = table(
    [header.map((name, i) => draw(cut(name, i))), ...body.map((row) => row.map(cut))],
    {
      border: GRID,
      columns: widths.map((width, i) => ({
        width,
        alignment: i === 0 ? ('right' as const) : ('left' as const),
      })),
    }
  )
  // tabulate's grid rules the header off with = rather than -.
  const lines = grid.split('\n')
  if (lines.length > 2) lines[2] = lines[2]!.replace(/-/g, '=')
  return lines.join('\n').trimEnd()
}
