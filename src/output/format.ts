import { createRequire } from 'node:module'
import { inspect } from 'node:util'
import type * as YamlLibrary from 'yaml'
import { findEntity } from '../catalog/catalog.ts'
import { AmshError } from '../errors.ts'
import { isJsonObject, type JsonValue } from '../json.ts'
import { paint, paintJson } from './colour.ts'
import { renderTable } from './table.ts'
import { decodedSources, sourceFieldOf, type View } from './view.ts'

// A result as the text that goes to stdout, in the format asked for: JSON (pretty for a person
// at a terminal, one line for a program reading a pipe), YAML, NDJSON (a line per result, for
// jq), or a table. Data goes to stdout; what is said about it (a note on a source shown
// escaped) goes to stderr, so a pipe gets the data alone.

export const OUTPUT_FORMATS = ['json', 'yaml', 'ndjson', 'table'] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

export function parseOutputFormat(value: string): OutputFormat {
  if ((OUTPUT_FORMATS as readonly string[]).includes(value)) return value as OutputFormat
  throw new AmshError(
    'E_USAGE',
    `unknown output format "${value}" (allowed: ${OUTPUT_FORMATS.join(', ')})`
  )
}

/** How the text is drawn for the stream it goes to. */
export interface Style {
  /** JSON indented (a person reads it) or on one line (a program does). */
  pretty: boolean
  color: boolean
  /** The terminal's width: a table wider than this has its widest columns cut. */
  width?: number
}

/** The style of text for a file or a program: indented JSON, no colour. */
export const PLAIN: Style = { pretty: true, color: false }

/**
 * The style for a stream: indented, coloured and cut to its width on a terminal; one-line JSON
 * without colour when piped. `NO_COLOR`, `NODE_DISABLE_COLORS` and `--no-color` turn colour off.
 */
export function styleFor(stream: NodeJS.WriteStream, color = true): Style {
  const tty = stream.isTTY === true
  return {
    pretty: tty,
    color: color && tty && stream.hasColors?.() === true,
    width: tty ? stream.columns : undefined,
  }
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

/** Whether the value is plain data; looking may run the user's code, which may throw. */
function plain(value: unknown): boolean {
  try {
    return value !== undefined && isPlainData(value)
  } catch {
    return false
  }
}

const require = createRequire(import.meta.url)
let yaml: typeof YamlLibrary | undefined

function json(value: unknown, style: Style): string {
  const text = JSON.stringify(value, null, style.pretty ? 2 : undefined)
  return style.color ? paintJson(text) : text
}

/**
 * The columns of a table: those asked for; else the entity's own that the rows have (a query
 * with --fields has fewer); else the first row's keys. A decoded source is never one of them.
 */
function columnsOf(rows: JsonValue[], entity: string | undefined, view: View): string[] {
  const objects = rows.filter(isJsonObject)
  const held = (column: string) => objects.some((row) => Object.hasOwn(row, column))
  const own = tableOf(entity)?.columns.filter(held)
  const columns = [...(view.columns ?? (own?.length ? own : Object.keys(objects[0] ?? {})))]
  const source = sourceFieldOf(entity)
  return view.decode && source ? columns.filter((column) => column !== source) : columns
}

/**
 * A value as node's inspect shows it. A Proxy shows its target, but an object's own code still
 * runs (a custom inspect, a Symbol.toStringTag getter), and may throw.
 */
function inspected(value: unknown, style: Style): string {
  try {
    return inspect(value, { depth: 4, colors: style.color })
  } catch {
    try {
      return inspect(value, { depth: 0, customInspect: false, getters: false })
    } catch {
      return `(a ${typeof value} that throws when it is looked at)`
    }
  }
}

/**
 * A value as its format shows it, with notes about it for stderr. What the user's JavaScript
 * made may change between looks (a getter, a Proxy's trap that throws the second time): what
 * cannot be written as data is inspected instead.
 */
export function render(
  value: unknown,
  format: OutputFormat = 'json',
  entity?: string,
  view: View = {},
  style: Style = PLAIN
): { text: string; notes: string[] } {
  if (!plain(value)) return { text: inspected(value, style), notes: [] }
  try {
    return renderData(value, format, entity, view, style)
  } catch {
    return { text: inspected(value, style), notes: [] }
  }
}

function renderData(
  value: unknown,
  format: OutputFormat,
  entity: string | undefined,
  view: View,
  style: Style
): { text: string; notes: string[] } {
  const { value: shown, notes } = view.decode
    ? decodedSources(value, entity)
    : { value, notes: [] as string[] }
  switch (format) {
    case 'json':
      return { text: json(shown, style), notes }
    case 'ndjson': {
      const lines = Array.isArray(shown) ? shown : [shown]
      return { text: lines.map((line) => JSON.stringify(line)).join('\n'), notes }
    }
    case 'yaml':
      yaml ??= require('yaml') as typeof YamlLibrary
      return { text: yaml.stringify(shown, { blockQuote: 'literal' }).trimEnd(), notes }
    case 'table': {
      if (shown == null || typeof shown !== 'object') return { text: json(shown, style), notes }
      const rows = (Array.isArray(shown) ? shown : [shown]) as JsonValue[]
      const columns = columnsOf(rows, entity, view)
      const header = style.color ? (name: string) => paint('bold', name) : undefined
      return { text: renderTable(rows, columns, { width: style.width, header }), notes }
    }
  }
}

/** A value as JSON text when it is plain data, inspected otherwise (print() and console). */
export function formatValue(value: unknown): string {
  return render(value).text
}
