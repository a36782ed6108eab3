import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs'
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { AmshError, type ErrorCode, type JsonSafe } from '../errors.ts'
import { readUserBytes, readUserFile } from '../files.ts'
import { isJsonObject, jsonPointer, type JsonObject, type JsonValue } from '../json.ts'
import { tooDeepAt } from '../json-depth.ts'
import { parseProperties } from './properties.ts'

// Amster's configuration expressions, resolved in a file's JSON before it is imported.
//
// What Amster's documentation says (PingAM 8.1 Amster guide, "Configuration expressions in
// exported configuration files", https://docs.pingidentity.com/pingam/8.1/amster/config-expressions.html):
// - An expression is `&{token}`; dots separate the parts of a token. `&{token|value}` gives a
//   default. Static text and expressions mix in one value (`&{hostname}.example.com`).
// - Nesting: a token's value may itself hold expressions and is evaluated again (`listen.port`
//   set to `&{port.prefix}636`, `port.prefix` to `2`: `&{listen.port}` is `2636`). An undefined
//   token fails the file's import with "unresolved variables ([name]) or cycles detected ([])",
//   so Amster follows values and looks for cycles.
// - In a JSON key the marker is `AMSTER{...}` instead (`"fqdnMap[AMSTER{realm.dns.alias}]"`).
// - Built in: `&{amster.import.dir}`, the folder imported (or the parent of the file imported),
//   and `&{amster.import.url}`, the same as a file: URL.
// - Sources, strongest first: environment variables (a name of upper-case letters and
//   underscores; lower-cased, `_` read as `.`: SMTP_PORT is smtp.port), Amster shell variables
//   (the token in Groovy camel case, dots removed: smtpPort), Java system properties
//   (-Dsmtp.port=3306), expression files, then the built-in ("default") expressions.
// - Expression files (`envconfig <folder|file>`): every .json and .properties file of a folder.
//   .properties keys are tokens as written; a .json file nests objects, a dot joining the names
//   of the path. Amster reads a folder in no fixed order and says a token given twice has no
//   predictable winner.
// - A resolved token is a string. Coercions make other types: `{"$int": "&{smtp.port}"}`, and
//   `$number` (integers, longs, floats, doubles), `$bool`, `$array` (`["a","b","c"]`), `$list`
//   (`1,2,3`), `$object`, `$base64-encode` / `$base64-decode` (the examples spell them
//   `$base64:encode`), and `$inline`, a file's content, whose path may hold expressions
//   (`{"$base64:encode": {"$inline": ".../scripted-decision.groovy"}}`, `{"$int": {"$inline": ...}}`).
// - The guide documents no escape for a literal `&{`.
// PingGateway shares the implementation and says more of the coercions ("Transformations",
// https://docs.pingidentity.com/pinggateway/2024.11/reference/Transformations.html): a coercion is
// an object whose one attribute starts with `$`; its value is a string or another coercion that
// gives one; `$array` reads the JSON text of an array; `$bool` is true when the text is "true"
// in any case, false otherwise.
//
// What amsh decides where the guide is silent:
// - A looked-up value is scanned again, as Amster does, up to MAX_DEPTH expressions deep; a
//   cycle is an error naming it. A default, a built-in and an inlined file are not scanned again
//   (the default was already read as part of its expression; a path or a script is not config).
//   What one string, and all strings together, may expand to is bounded, so a value that repeats
//   another cannot grow without end.
// - `$bool` takes only true or false (any case): "yes" becoming false hides a mistake. `$int`
//   is Java's int (32 bits); `$number` a JSON number; `$list` splits at commas and trims each
//   item. A coercion's result is not scanned for expressions.
// - An unclosed `&{` is an error rather than text: in a file Amster resolves, it is a typo.
// - `&{` in a key and `AMSTER{` in a value are plain text.
// - Expression files are read in the order of their names, and a token two of them give
//   different values is an error naming both (the same value twice is fine).
// - `$inline` reads below the import folder only: a relative path from there, or an absolute
//   one inside it (as `&{amster.import.dir}/x.groovy` gives).

export interface ExpressionSources {
  /** Environment variables, the strongest source: SMTP_PORT for smtp.port. */
  env: NodeJS.ProcessEnv
  /** The shell's (session) variables, by camel-case name: smtpPort for smtp.port. */
  variable(camelName: string): string | undefined
  /** `-D` properties, by token as given. */
  properties: ReadonlyMap<string, string>
  /** What `envconfig` loaded (loadExpressionFiles), flattened to tokens. */
  files: ReadonlyMap<string, string>
  /** The folder imported: `&{amster.import.dir}`, `&{amster.import.url}`, and where `$inline` reads. */
  importDir: string
  /** The text of a file named by `$inline`, the path as written (see inlineReader). */
  readInline(path: string): string
}

/** Expressions inside expressions, and values leading to values, nest at most this deep. */
export const MAX_DEPTH = 32
/** The most characters one string may expand to. */
export const MAX_EXPANDED = 1 << 20
/** The most characters substituted in one call of resolveExpressions. */
export const MAX_EXPANDED_TOTAL = 16 << 20

const VALUE_MARKER = '&{'
const KEY_MARKER = 'AMSTER{'

type Coercion = (input: JsonValue, at: Place) => JsonValue

const COERCIONS: Record<string, Coercion> = {
  $int: toInt,
  $number: toNumber,
  $bool: toBool,
  $array: (input, at) => fromJsonText(input, at, '$array', 'array'),
  $object: (input, at) => fromJsonText(input, at, '$object', 'object'),
  $list: toList,
  '$base64:encode': base64Encode('$base64:encode'),
  '$base64-encode': base64Encode('$base64-encode'),
  '$base64:decode': base64Decode('$base64:decode'),
  '$base64-decode': base64Decode('$base64-decode'),
  $inline: (input, at) => at.state.sources.readInlineAt(needText(input, at, '$inline'), at),
}

/**
 * Resolves every expression and coercion in a parsed JSON value, returning a new value. An
 * unresolved token, a bad coercion, a cycle or a bound passed is E_INVALID naming the token and
 * the JSON pointer where it stands; `$inline` adds E_FORBIDDEN and E_IO.
 */
export function resolveExpressions(value: JsonValue, sources: ExpressionSources): JsonValue {
  const state: State = {
    sources: new Lookup(sources),
    memo: new Map(),
    expanded: 0,
  }
  return walk(value, { pointer: '', state })
}

/** Whether a value holds any expression or coercion (cheap, to skip plain files). */
export function hasExpressions(value: JsonValue): boolean {
  if (typeof value === 'string') return value.includes(VALUE_MARKER)
  if (Array.isArray(value)) return value.some(hasExpressions)
  if (!isJsonObject(value)) return false
  if (coercionOf(value) !== undefined) return true
  for (const [key, member] of Object.entries(value)) {
    if (key.includes(KEY_MARKER) || hasExpressions(member)) return true
  }
  return false
}

// ---------------------------------------------------------------------------------------------
// Walking the JSON value

interface State {
  sources: Lookup
  /** Tokens already resolved (and scanned again) in this call. */
  memo: Map<string, string>
  expanded: number
}

interface Place {
  /** The JSON pointer (RFC 6901) of the value in the file as written. */
  pointer: string
  state: State
}

function walk(value: JsonValue, at: Place): JsonValue {
  if (typeof value === 'string') {
    return value.includes(VALUE_MARKER) ? resolveText(value, VALUE_MARKER, at) : value
  }
  if (Array.isArray(value)) {
    return value.map((item, index) => walk(item, child(at, String(index))))
  }
  if (!isJsonObject(value)) return value
  const coercion = coercionOf(value)
  if (coercion !== undefined) {
    const input = walk(value[coercion] as JsonValue, child(at, coercion))
    return (COERCIONS[coercion] as Coercion)(input, at)
  }
  const out: JsonObject = {}
  const written = new Map<string, string>()
  for (const [key, member] of Object.entries(value)) {
    const memberAt = child(at, key)
    const name = key.includes(KEY_MARKER) ? resolveText(key, KEY_MARKER, memberAt) : key
    const earlier = written.get(name)
    if (earlier !== undefined) {
      throw invalid(`the keys "${earlier}" and "${key}" both become "${name}"`, memberAt)
    }
    written.set(name, key)
    // defineProperty: a key "__proto__" stays a plain member, as JSON.parse makes it.
    Object.defineProperty(out, name, {
      value: walk(member, memberAt),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return out
}

function coercionOf(value: JsonObject): string | undefined {
  const keys = Object.keys(value)
  const key = keys[0]
  return keys.length === 1 && key !== undefined && Object.hasOwn(COERCIONS, key) ? key : undefined
}

function child(at: Place, key: string): Place {
  return {
    pointer: `${at.pointer}${jsonPointer(key)}`,
    state: at.state,
  }
}

function where(at: Place): string {
  return at.pointer === '' ? '/' : at.pointer
}

function invalid(message: string, at: Place, details: Record<string, JsonSafe> = {}): AmshError {
  return failure('E_INVALID', message, at, details)
}

function failure(
  code: ErrorCode,
  message: string,
  at: Place,
  details: Record<string, JsonSafe> = {}
): AmshError {
  return new AmshError(code, `${message} (at ${where(at)})`, {
    details: { ...details, pointer: where(at) },
  })
}

// ---------------------------------------------------------------------------------------------
// Expressions in a string

/** A parsed text: plain runs and expressions, in order. */
type Parts = (string | Expression)[]

interface Expression {
  name: Parts
  fallback: Parts | undefined
  /** As written, for messages. */
  source: string
}

interface Frame {
  expression: Expression
  start: number
  /** Where plain text goes: the name until `|`, then the fallback. */
  into: Parts
}

/**
 * Splits a text into plain runs and expressions opened by `marker` and closed by `}`. One pass
 * with a stack of open expressions: no regular expression, no recursion per character. `owner`
 * is the token whose value the text is: errors then name it and do not show the value, which
 * may be a secret.
 */
function parse(text: string, marker: string, at: Place, owner?: string): Parts {
  const what = owner === undefined ? clip(text) : `the value of &{${owner}}`
  const top: Parts = []
  const open: Frame[] = []
  let into = top
  let runStart = 0
  const flush = (end: number): void => {
    if (end > runStart) into.push(text.slice(runStart, end))
  }
  let i = 0
  while (i < text.length) {
    if (text.startsWith(marker, i)) {
      flush(i)
      if (open.length >= MAX_DEPTH) {
        throw invalid(`expressions nest deeper than ${MAX_DEPTH} levels in ${what}`, at)
      }
      const expression: Expression = { name: [], fallback: undefined, source: '' }
      into.push(expression)
      open.push({ expression, start: i, into: expression.name })
      into = expression.name
      i += marker.length
      runStart = i
    } else if (
      open.length > 0 &&
      text[i] === '|' &&
      into === open[open.length - 1]?.expression.name
    ) {
      flush(i)
      const frame = open[open.length - 1] as Frame
      frame.expression.fallback = []
      frame.into = frame.expression.fallback
      into = frame.into
      runStart = ++i
    } else if (open.length > 0 && text[i] === '}') {
      flush(i)
      const frame = open.pop() as Frame
      frame.expression.source = text.slice(frame.start, i + 1)
      into = open.length > 0 ? (open[open.length - 1] as Frame).into : top
      runStart = ++i
    } else {
      i++
    }
  }
  const unclosed = open[0]
  if (unclosed !== undefined) {
    const opened =
      owner === undefined
        ? `${clip(text.slice(unclosed.start))} is not closed`
        : `the value of &{${owner}} opens ${marker} and does not close it`
    throw invalid(`${opened} with "}"`, at)
  }
  flush(text.length)
  return top
}

/** Why a token is being resolved: the tokens whose values led here, outermost first. */
type Chain = readonly string[]

function resolveText(text: string, marker: string, at: Place): string {
  return evaluate(parse(text, marker, at), [], 0, at)
}

function evaluate(parts: Parts, chain: Chain, depth: number, at: Place): string {
  let out = ''
  for (const part of parts) {
    out += typeof part === 'string' ? part : expand(part, chain, depth + 1, at)
    if (out.length > MAX_EXPANDED) {
      throw invalid(`expressions expand to more than ${MAX_EXPANDED} characters`, at)
    }
  }
  return out
}

function expand(expression: Expression, chain: Chain, depth: number, at: Place): string {
  if (depth > MAX_DEPTH) {
    const through = chain.length > 0 ? `: ${path(chain)}` : ''
    throw invalid(`expressions nest deeper than ${MAX_DEPTH} levels${through}`, at)
  }
  const token = evaluate(expression.name, chain, depth, at)
  if (token === '') throw invalid(`${expression.source} names no token`, at)
  if (chain.includes(token)) {
    throw invalid(`&{${token}} refers to itself: ${path([...chain, token])}`, at, { token })
  }
  const state = at.state
  let value = state.memo.get(token)
  if (value === undefined) {
    const found = state.sources.find(token)
    if (found === undefined) {
      if (expression.fallback === undefined) throw unset(token, chain, at)
      return evaluate(expression.fallback, chain, depth, at)
    }
    value = found.rescan
      ? evaluate(parse(found.value, VALUE_MARKER, at, token), [...chain, token], depth, at)
      : found.value
    state.memo.set(token, value)
  }
  state.expanded += value.length
  if (state.expanded > MAX_EXPANDED_TOTAL) {
    throw invalid(`expressions expand to more than ${MAX_EXPANDED_TOTAL} characters in all`, at)
  }
  return value
}

/** The chain as a reader follows it; a long one keeps its ends. */
function path(chain: Chain): string {
  const shown = chain.map((token) => `&{${token}}`)
  if (shown.length > 6) shown.splice(3, shown.length - 5, '…')
  return shown.join(' → ')
}

function unset(token: string, chain: Chain, at: Place): AmshError {
  const needed = chain.length > 0 ? `, which ${path(chain)} needs` : ''
  return invalid(
    `&{${token}} is not set${needed}: give it as env ${envName(token)}, a variable ` +
      `${camelName(token)}, -D ${token}=..., or in an envconfig file`,
    at,
    { token }
  )
}

// ---------------------------------------------------------------------------------------------
// Sources

/** SMTP_PORT for smtp.port. */
export function envName(token: string): string {
  return token.toUpperCase().replaceAll('.', '_')
}

/** smtpPort for smtp.port: the parts after the first capitalised, the dots dropped. */
export function camelName(token: string): string {
  const [first = '', ...rest] = token.split('.').filter((part) => part !== '')
  return first + rest.map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('')
}

interface Found {
  value: string
  /** Whether the value may hold expressions of its own. */
  rescan: boolean
}

class Lookup {
  readonly #sources: ExpressionSources
  readonly #builtIns: Map<string, string>

  constructor(sources: ExpressionSources) {
    this.#sources = sources
    const dir = resolve(sources.importDir)
    this.#builtIns = new Map([
      ['amster.import.dir', dir],
      ['amster.import.url', pathToFileURL(dir).href],
    ])
  }

  find(token: string): Found | undefined {
    const sources = this.#sources
    const value =
      sources.env[envName(token)] ??
      sources.variable(camelName(token)) ??
      sources.properties.get(token) ??
      sources.files.get(token)
    if (value !== undefined) return { value, rescan: true }
    const builtIn = this.#builtIns.get(token)
    return builtIn === undefined ? undefined : { value: builtIn, rescan: false }
  }

  readInlineAt(path: string, at: Place): string {
    try {
      return this.#sources.readInline(path)
    } catch (err) {
      if (!(err instanceof AmshError)) throw err
      throw failure(err.code, err.message, at, err.details)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Coercions

const WHOLE = /^[+-]?\d+$/
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/
const INT_MIN = -(2 ** 31)
const INT_MAX = 2 ** 31 - 1

function toInt(input: JsonValue, at: Place): JsonValue {
  if (typeof input === 'number' && Number.isInteger(input)) return inIntRange(input, input, at)
  const text = typeof input === 'string' ? input.trim() : undefined
  if (text === undefined || !WHOLE.test(text)) {
    throw invalid(`"$int" needs a whole number, not ${show(input)}`, at)
  }
  return inIntRange(Number(text), input, at)
}

function inIntRange(n: number, input: JsonValue, at: Place): number {
  if (n < INT_MIN || n > INT_MAX) {
    throw invalid(
      `"$int" needs a whole number from ${INT_MIN} to ${INT_MAX}, not ${show(input)}`,
      at
    )
  }
  return n
}

function toNumber(input: JsonValue, at: Place): JsonValue {
  if (typeof input === 'number') return input
  const text = typeof input === 'string' ? input.trim() : undefined
  if (text === undefined || !JSON_NUMBER.test(text)) {
    throw invalid(`"$number" needs a number, not ${show(input)}`, at)
  }
  const n = Number(text)
  if (!Number.isFinite(n)) throw invalid(`"$number": ${show(input)} is out of range`, at)
  if (WHOLE.test(text) && !Number.isSafeInteger(n)) {
    throw invalid(`"$number": ${show(input)} is too large to keep exactly`, at)
  }
  return n
}

function toBool(input: JsonValue, at: Place): JsonValue {
  if (typeof input === 'boolean') return input
  const text = typeof input === 'string' ? input.trim().toLowerCase() : undefined
  if (text === 'true') return true
  if (text === 'false') return false
  throw invalid(`"$bool" needs true or false, not ${show(input)}`, at)
}

function toList(input: JsonValue, at: Place): JsonValue {
  if (Array.isArray(input)) return input
  const text = needText(input, at, '$list')
  return text.trim() === '' ? [] : text.split(',').map((item) => item.trim())
}

function fromJsonText(
  input: JsonValue,
  at: Place,
  name: string,
  kind: 'array' | 'object'
): JsonValue {
  const isKind = (value: JsonValue): boolean =>
    kind === 'array' ? Array.isArray(value) : isJsonObject(value)
  if (isKind(input)) return input
  const text = needText(input, at, name)
  let value: JsonValue
  try {
    if (tooDeepAt(text) !== undefined) throw new Error('nested too deeply')
    value = JSON.parse(text) as JsonValue
  } catch {
    throw invalid(`"${name}" needs the JSON text of an ${kind}, not ${show(input)}`, at)
  }
  if (!isKind(value)) {
    throw invalid(`"${name}" needs the JSON text of an ${kind}, not ${show(input)}`, at)
  }
  return value
}

function base64Encode(name: string): Coercion {
  return (input, at) => Buffer.from(needText(input, at, name), 'utf8').toString('base64')
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
// ignoreBOM keeps a decoded byte order mark: it is part of the text.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

function base64Decode(name: string): Coercion {
  return (input, at) => {
    // Line breaks and blanks are allowed: base64 is often wrapped.
    const text = needText(input, at, name).replace(/\s+/g, '')
    if (!BASE64.test(text) || text.length % 4 === 1) {
      throw invalid(`"${name}" needs base64 text, not ${show(input)}`, at)
    }
    try {
      return UTF8.decode(Buffer.from(text, 'base64'))
    } catch {
      throw invalid(`"${name}": ${show(input)} does not decode to UTF-8 text`, at)
    }
  }
}

function needText(input: JsonValue, at: Place, name: string): string {
  if (typeof input === 'string') return input
  throw invalid(`"${name}" needs a string, not ${show(input)}`, at)
}

function show(value: JsonValue): string {
  return clip(JSON.stringify(value))
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 59)}…` : text
}

// ---------------------------------------------------------------------------------------------
// $inline

/**
 * The readInline of ExpressionSources for an import folder: a path relative to the folder, or
 * absolute inside it. A path leading out of the folder, by `..`, by being absolute elsewhere or
 * through a symbolic link, is E_FORBIDDEN; a file that cannot be read is E_IO naming it.
 */
export function inlineReader(importDir: string): (path: string) => string {
  const root = resolve(importDir)
  return (path) => {
    const target = isAbsolute(path) ? resolve(path) : resolve(root, path)
    if (!inside(root, target)) {
      throw new AmshError(
        'E_FORBIDDEN',
        `"$inline" file ${path} is outside the import folder ${root}`
      )
    }
    let realRoot: string
    let realTarget: string
    try {
      realRoot = realpathSync(root)
      realTarget = realpathSync(target)
    } catch {
      // The missing one is named by the reading below.
      return readUserFile(target, '"$inline" file')
    }
    if (!inside(realRoot, realTarget)) {
      throw new AmshError(
        'E_FORBIDDEN',
        `"$inline" file ${path} leads outside the import folder ${root} (through a symbolic link, to ${realTarget})`
      )
    }
    return readUserFile(realTarget, '"$inline" file')
  }
}

function inside(root: string, target: string): boolean {
  const rel = relative(root, target)
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`))
}

// ---------------------------------------------------------------------------------------------
// envconfig

const EXPRESSION_FILES = new Set(['.json', '.properties'])

/**
 * Loads what `envconfig <folder|file>` names: every .json and .properties file of a folder (not
 * its subfolders), in the order of their names, or the one file named. A .json file holds an
 * object, flattened to dot paths (`{"smtp": {"port": 1342}}` gives smtp.port = "1342"; an array
 * gives its JSON text, for `$array`; null gives nothing). A token that two places give different
 * values is E_INVALID naming both.
 */
export function loadExpressionFiles(path: string): Map<string, string> {
  const tokens = new Map<string, string>()
  const givenBy = new Map<string, string>()
  for (const file of expressionFiles(path)) {
    for (const [token, value] of readExpressionFile(file)) {
      const earlier = givenBy.get(token)
      if (earlier !== undefined && tokens.get(token) !== value) {
        throw new AmshError(
          'E_INVALID',
          `${token} is given two values, in ${earlier} and in ${file}: keep one`,
          { details: { token, files: [earlier, file] } }
        )
      }
      tokens.set(token, value)
      givenBy.set(token, file)
    }
  }
  return tokens
}

function expressionFiles(path: string): string[] {
  const isExpressionFile = (name: string): boolean =>
    EXPRESSION_FILES.has(extname(name).toLowerCase())
  if (!statOf(path).isDirectory()) {
    if (isExpressionFile(path)) return [path]
    throw new AmshError('E_USAGE', `envconfig reads .json and .properties files, not ${path}`)
  }
  let names: string[]
  try {
    names = readdirSync(path)
  } catch (err) {
    throw new AmshError('E_IO', `cannot read the folder ${path}: ${(err as Error).message}`)
  }
  return names
    .filter(isExpressionFile)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => join(path, name))
    .filter((file) => statOf(file).isFile())
}

function statOf(path: string): Stats {
  try {
    return statSync(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const reason = code === 'ENOENT' ? 'no such file or folder' : (err as Error).message
    throw new AmshError('E_IO', `cannot read expression files at ${path}: ${reason}`)
  }
}

function readExpressionFile(file: string): [string, string][] {
  if (extname(file).toLowerCase() === '.properties') {
    return [...parseProperties(decodeProperties(readUserBytes(file, 'expression file')), file)]
  }
  const text = readUserFile(file, 'expression file').replace(/^\uFEFF/, '')
  const deep = tooDeepAt(text)
  if (deep !== undefined) {
    throw new AmshError('E_PARSE', `expression file ${file} is nested too deeply`)
  }
  let json: JsonValue
  try {
    json = JSON.parse(text) as JsonValue
  } catch (err) {
    throw new AmshError('E_PARSE', `expression file ${file} is not JSON: ${(err as Error).message}`)
  }
  if (!isJsonObject(json)) {
    throw new AmshError('E_INVALID', `expression file ${file} must hold a JSON object`)
  }
  const out: [string, string][] = []
  flatten(json, '', out)
  // Two paths of one file may name one token ({"a.b": 1, "a": {"b": 2}}).
  const seen = new Map<string, string>()
  for (const [token, value] of out) {
    const earlier = seen.get(token)
    if (earlier !== undefined && earlier !== value) {
      throw new AmshError('E_INVALID', `${token} is given two values in ${file}: keep one`, {
        details: { token, files: [file] },
      })
    }
    seen.set(token, value)
  }
  return out
}

function flatten(object: JsonObject, prefix: string, out: [string, string][]): void {
  for (const [key, value] of Object.entries(object)) {
    const token = prefix + key
    if (isJsonObject(value)) flatten(value, `${token}.`, out)
    else if (Array.isArray(value)) out.push([token, JSON.stringify(value)])
    else if (value != null) out.push([token, String(value)])
  }
}

/** UTF-8, or ISO-8859-1 (what Java's Properties.load(InputStream) reads) when it is not. */
function decodeProperties(bytes: Buffer): string {
  try {
    return UTF8.decode(bytes).replace(/^\uFEFF/, '')
  } catch {
    return bytes.toString('latin1')
  }
}
