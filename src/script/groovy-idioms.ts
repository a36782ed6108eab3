import { tokTypes, type Options, type Token } from 'acorn'
import { GuardedParser as Parser } from '../acorn-stack.ts'
import { isBreak, mask, type Masked } from './mask.ts'

// Amster scripts are Groovy; amsh lines are JavaScript. Users port scripts by hand and bring
// Groovy habits along. Most of them do not parse as JavaScript, and the bare syntax error acorn
// gives ("Unexpected token") does not say why: these say which Groovy construct it is and what
// JavaScript writes instead. A few parse but mean something else (a GString in a double-quoted
// string), or fail only at run time (Groovy's JSON and Base64 APIs); those are found too.
//
// The code here did not parse, so it cannot be tokenized reliably: it is scanned as text, with
// strings and comments blanked out first so that nothing inside them is taken for code.

export interface GroovyIdiom {
  /** 1-based, relative to the code. */
  line: number
  column: number
  message: string
}

/** An idiom found at [start, end) of the code. */
interface Found {
  start: number
  end: number
  message: string
}

const LINE_BREAK = /\r\n?|[\n\u2028\u2029]/g
const IDENTIFIER = '[A-Za-z_$][\\w$]*'

/** A Groovy construct that explains a JavaScript syntax error at (line, column), with its JavaScript equivalent; undefined when none is recognised. */
export function groovyIdiomAt(
  code: string,
  error: { line: number; column: number }
): GroovyIdiom | undefined {
  const masked = mask(code)
  const found = DETECTORS.flatMap((detect) => detect(code, masked))
  const lines = lineStarts(code)
  const at = (lines[error.line - 1] ?? code.length) + error.column - 1
  const spans = (f: Found, line: number): boolean =>
    lineOf(lines, f.start) <= line && line <= lineOf(lines, Math.max(f.start, f.end - 1))
  // The construct is on the line acorn stopped at, or ended the line before it.
  let near = found.filter((f) => spans(f, error.line))
  if (near.length === 0) near = found.filter((f) => spans(f, error.line - 1))
  const best =
    near.find((f) => f.start <= at && at < f.end) ??
    near.filter((f) => f.start <= at).sort((a, b) => b.start - a.start)[0] ??
    near.sort((a, b) => a.start - b.start)[0]
  return best && idiom(lines, best)
}

/** Double-quoted string literals (in code that parses) holding GString interpolation: `"myStore$i"` or `"a ${b}"` (a `$` not escaped by a backslash, followed by an identifier start or `{`). */
export function gstringIn(code: string): GroovyIdiom | undefined {
  for (const token of tokensOf(code)) {
    if (token.type !== tokTypes.string || code[token.start] !== '"') continue
    const raw = code.slice(token.start, token.end)
    const template = gstringAsTemplate(raw.slice(1, -1))
    if (template === undefined) continue
    const message = `${raw} is a Groovy GString; JavaScript interpolates only in template literals: ${template}`
    return idiom(lineStarts(code), { start: token.start, end: token.end, message })
  }
  return undefined
}

/** Groovy APIs that parse as JavaScript but fail when run: JSON, Base64, the script binding. */
export function groovyApiIn(code: string): GroovyIdiom | undefined {
  const masked = mask(code)
  const found = API_DETECTORS.flatMap((detect) => detect(code, masked))
  // Stable sort: at one place, the specific finding (listed first) beats the general one.
  const first = found.sort((a, b) => a.start - b.start)[0]
  return first && idiom(lineStarts(code), first)
}

// ---------------------------------------------------------------------------------------------
// Positions

function lineStarts(code: string): number[] {
  const starts = [0]
  for (const m of code.matchAll(LINE_BREAK)) starts.push(m.index + m[0].length)
  return starts
}

function lineOf(starts: number[], offset: number): number {
  let line = 1
  while (line < starts.length && (starts[line] ?? Infinity) <= offset) line++
  return line
}

function idiom(starts: number[], found: Found): GroovyIdiom {
  const line = lineOf(starts, found.start)
  return { line, column: found.start - (starts[line - 1] ?? 0) + 1, message: found.message }
}

// ---------------------------------------------------------------------------------------------
// Scanning the masked text

const OPENERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' }
const CLOSERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' }

/** The closer that matches the opener at `open`, or -1. */
function matching(m: string, open: number): number {
  const stack: string[] = []
  for (let k = open; k < m.length; k++) {
    const c = m[k] as string
    if (CLOSERS[c]) stack.push(CLOSERS[c])
    else if (c === ')' || c === ']' || c === '}') {
      if (stack.pop() !== c) return -1
      if (stack.length === 0) return k
    }
  }
  return -1
}

/** Start of the member chain that ends just before `end`: `a.b(c)[0]` in `a.b(c)[0].each`. */
function chainBefore(m: string, end: number): number {
  let k = end - 1
  while (k >= 0) {
    const c = m[k] as string
    if (/[\w$.?]/.test(c)) k--
    else if (OPENERS[c]) {
      let level = 0
      for (; k >= 0; k--) {
        if (m[k] === c) level++
        else if (m[k] === OPENERS[c] && --level === 0) break
      }
      k--
    } else if (c === '"' || c === "'") {
      k = m.lastIndexOf(c, k - 1) - 1
    } else break
  }
  let start = Math.max(k + 1, 0)
  while (start < end && /[.?]/.test(m[start] as string)) start++
  return start
}

/** End of the operand that starts at `from` (after blanks): a literal, a chain or a bracket. */
function operandAfter(m: string, from: number): number {
  let k = from
  while (k < m.length && /[ \t]/.test(m[k] as string)) k++
  const c = m[k]
  if (c === '"' || c === "'") return m.indexOf(c, k + 1) + 1 || m.length
  if (c && CLOSERS[c]) return matching(m, k) + 1 || m.length
  for (;;) {
    while (k < m.length && /[\w$.?]/.test(m[k] as string)) k++
    if (m[k] === '(' || m[k] === '[') k = matching(m, k) + 1 || m.length
    else return k
  }
}

/** End of the statement that starts at `from`: a `;`, the line's end, or an unopened closer. */
function statementEnd(m: string, from: number): number {
  let level = 0
  for (let k = from; k < m.length; k++) {
    const c = m[k] as string
    if (isBreak(c) || (c === ';' && level === 0)) return k
    if (CLOSERS[c]) level++
    else if (OPENERS[c] && --level < 0) return k
  }
  return m.length
}

/** The code of [start, end), without the blanks (masked comments included) at either side. */
function snippet(code: string, m: string, start: number, end: number): string {
  let s = start
  let e = end
  while (s < e && /\s/.test(m[s] as string)) s++
  while (e > s && /\s/.test(m[e - 1] as string)) e--
  return code.slice(s, e)
}

function lineEnd(m: string, from: number): number {
  let k = from
  while (k < m.length && !isBreak(m[k])) k++
  return k
}

/** `[:]` in a suggestion would need a second round trip to fix. */
/** `: <the JavaScript>` for a hint, clipped; nothing when the code does not make JavaScript. */
function suggested(groovy: string, as: 'expression' | 'statement'): string {
  const js = javascriptOf(groovy, as)
  return js === undefined ? '' : `: ${clip(js)}`
}

/**
 * Groovy code as the JavaScript a hint may suggest: maps `[k: v]` as objects, `[:]` as `{}`,
 * Elvis `?:` as `??`, none of it inside strings. Undefined when the result still does not parse
 * (a closure, a GString): a hint then suggests nothing rather than more code that fails.
 */
function javascriptOf(groovy: string, as: 'expression' | 'statement'): string | undefined {
  const { text: masked } = mask(groovy)
  // Changed a character at a time (or to none), so the masked text's positions stay the code's.
  const chars = groovy.split('')
  for (const match of matches(masked, /\[[ \t]*:[ \t]*\]/)) {
    chars.fill('', match.index, match.index + match[0].length)
    chars[match.index] = '{}'
  }
  for (const match of matches(masked, MAP_LITERAL)) {
    const close = matching(masked, match.index)
    if (close < 0) return undefined
    chars[match.index] = '{'
    chars[close] = '}'
  }
  for (const match of matches(masked, /\?:/)) chars[match.index + 1] = '?'
  const js = chars.join('')
  try {
    Parser.parse(as === 'expression' ? `(${js}\n)` : js, PARSE_OPTIONS)
    return js
  } catch {
    return undefined
  }
}

const PARSE_OPTIONS: Options = {
  ecmaVersion: 'latest',
  sourceType: 'script',
  allowAwaitOutsideFunction: true,
  allowReturnOutsideFunction: true,
}

function clip(text: string, max = 70): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text
}

function* matches(m: string, pattern: RegExp): Generator<RegExpExecArray> {
  const re = new RegExp(
    pattern.source,
    pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`
  )
  for (let match = re.exec(m); match; match = re.exec(m)) yield match
}

// ---------------------------------------------------------------------------------------------
// Groovy syntax that is not JavaScript

type Detector = (code: string, masked: Masked) => Found[]

const DEF = new RegExp(`(?<![\\w$.])def[ \\t]+(${IDENTIFIER})`)

function defs(code: string, { text: m }: Masked): Found[] {
  return [...matches(m, DEF)].map((match) => {
    const start = match.index
    const afterName = start + match[0].length
    const paren = /^[ \t]*\(/.exec(m.slice(afterName))
    if (paren) {
      const open = afterName + paren[0].length - 1
      const close = matching(m, open)
      const params = close < 0 ? '(...)' : code.slice(open, close + 1)
      const message = `"def" is Groovy; in JavaScript define a function: function ${match[1]}${params} { ... }`
      return { start, end: afterName, message }
    }
    const declaration = snippet(code, m, start + 3, statementEnd(m, start))
    const message = `"def" is Groovy; in JavaScript declare with let (or const)${suggested(`let ${declaration}`, 'statement')}`
    return { start, end: afterName, message }
  })
}

const TYPE =
  '(?:int|long|short|byte|char|float|double|boolean|(?:[a-z_][\\w$]*\\.)*[A-Z][\\w$]*(?:[ \\t]*<[^;=(){}\\n]*>)?)(?:\\[\\])*'
const TYPED = new RegExp(
  `(?<![\\w$.])(?:final[ \\t]+)?(${TYPE})[ \\t]+(${IDENTIFIER})(?=[ \\t]*(?:=(?!=)|;|$))`,
  'm'
)
const TYPED_METHOD = new RegExp(
  `(?<![\\w$.])(?:(?:public|private|protected|static|final)[ \\t]+)*(?:${TYPE}|void)[ \\t]+(${IDENTIFIER})[ \\t]*\\(`
)

function typedDeclarations(code: string, { text: m }: Masked): Found[] {
  const found: Found[] = []
  for (const match of matches(m, TYPED)) {
    const start = match.index
    const nameAt = start + match[0].length - (match[2] as string).length
    const declaration = snippet(code, m, nameAt, statementEnd(m, nameAt))
    const typed = code.slice(start, start + match[0].length)
    const message = `"${typed}" is a Groovy typed declaration; in JavaScript declare with let (or const)${suggested(`let ${declaration}`, 'statement')}`
    found.push({ start, end: start + match[0].length, message })
  }
  for (const match of matches(m, TYPED_METHOD)) {
    const open = match.index + match[0].length - 1
    const close = matching(m, open)
    if (close < 0 || !/^[ \t]*\{/.test(m.slice(close + 1))) continue
    const params = code
      .slice(open + 1, close)
      .split(',')
      .map((param) => param.trim().split(/\s+/).at(-1))
      .filter(Boolean)
      .join(', ')
    const message = `"${clip(code.slice(match.index, close + 1))}" is a Groovy method; in JavaScript define a function: function ${match[1]}(${params}) { ... }`
    found.push({ start: match.index, end: close + 1, message })
  }
  return found
}

const CLOSURE =
  /\.[ \t]*(eachWithIndex|each|collect|findAll|find|any|every|forEach|map|filter|some)[ \t]*\{/
const CLOSURE_PARAMS =
  /^[ \t]*((?:[\w$.<>[\]]+[ \t]+)?[A-Za-z_$][\w$]*(?:[ \t]*,[ \t]*(?:[\w$.<>[\]]+[ \t]+)?[A-Za-z_$][\w$]*)*)[ \t]*->/
const JS_METHOD: Record<string, string> = {
  collect: 'map',
  findAll: 'filter',
  find: 'find',
  any: 'some',
  every: 'every',
  map: 'map',
  filter: 'filter',
  some: 'some',
}

function closures(code: string, { text: m }: Masked): Found[] {
  return [...matches(m, CLOSURE)].map((match) => {
    const method = match[1] as string
    const brace = match.index + match[0].length - 1
    const start = chainBefore(m, match.index)
    const items = start < match.index ? code.slice(start, match.index) : 'items'
    const declared = CLOSURE_PARAMS.exec(m.slice(brace + 1))
    const params = declared
      ? (declared[1] as string).split(',').map((p) => p.trim().split(/\s+/).at(-1) as string)
      : []
    const bodyStart = brace + 1 + (declared?.[0].length ?? 0)
    const close = matching(m, brace)
    const oneLine = close > 0 && lineEnd(m, brace) > close
    const body = oneLine ? snippet(code, m, bodyStart, close) : ''
    const [it = 'it', second] = params
    let javascript: string
    if (method === 'eachWithIndex') {
      javascript = `for (const [${second ?? 'i'}, ${it}] of ${items}.entries()) { ... }`
    } else if (method === 'each' || method === 'forEach') {
      javascript = second
        ? `for (const [${it}, ${second}] of Object.entries(${items})) { ... }`
        : `for (const ${it} of ${items}) { ... }`
    } else {
      const arrow = `${second ? `([${it}, ${second}])` : it} => ${body && !body.includes(';') ? clip(body, 40) : '...'}`
      const receiver = second ? `Object.entries(${items})` : items
      javascript = `${receiver}.${JS_METHOD[method]}(${arrow})`
    }
    const groovy = `${clip(items, 30)}.${method} {${declared ? ` ${(declared[1] as string).trim()} ->` : ''} ... }`
    const message = `"${groovy}" is a Groovy closure call; in JavaScript: ${javascript}`
    return { start, end: brace + 1, message }
  })
}

const PRINTLN = /(?<![\w$.])(println|print)[ \t]+(?=["'\w$])(?!(?:in|instanceof)\b)/

function printlns(code: string, { text: m }: Masked): Found[] {
  return [...matches(m, PRINTLN)].map((match) => {
    const argument = match.index + match[0].length
    const text = snippet(code, m, argument, statementEnd(m, argument))
    const message = `${match[1]} without parentheses is Groovy; in JavaScript call it: ${match[1]}(${clip(text)})`
    return { start: match.index, end: argument + text.length, message }
  })
}

function elvis(code: string, { text: m }: Masked): Found[] {
  return [...matches(m, /\?:/)].map((match) => {
    let leftEnd = match.index
    while (leftEnd > 0 && /[ \t]/.test(m[leftEnd - 1] as string)) leftEnd--
    const left = code.slice(chainBefore(m, leftEnd), leftEnd) || 'a'
    const right = snippet(code, m, match.index + 2, operandAfter(m, match.index + 2)) || 'b'
    const js = javascriptOf(`${left} ?: ${right}`, 'expression')
    const message = `"?:" (Elvis) is Groovy; in JavaScript${js === undefined ? ' write ??' : `: ${clip(js)}`} (or || to also replace '' and 0)`
    return { start: match.index, end: match.index + 2, message }
  })
}

const MAP_LITERAL = /\[(?=\s*(?:[A-Za-z_$][\w$]*|"[^"\n]*"|'[^'\n]*')[ \t]*:)/
const EMPTY_MAP = /\[[ \t]*:[ \t]*\]/

function maps(code: string, { text: m }: Masked): Found[] {
  const found = [...matches(m, EMPTY_MAP)].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
    message: '"[:]" is an empty Groovy map; in JavaScript: {}',
  }))
  for (const match of matches(m, MAP_LITERAL)) {
    const start = match.index
    const key = /^\[\s*[^:]*:/.exec(m.slice(start)) as RegExpExecArray
    const close = matching(m, start)
    const oneLine = close > 0 && close < lineEnd(m, start)
    // A map written over several lines shows its first entry.
    const first = start + 1 + (/^\s*/.exec(m.slice(start + 1)) as RegExpExecArray)[0].length
    const entries = oneLine
      ? snippet(code, m, start + 1, close)
      : snippet(code, m, first, lineEnd(m, first)).replace(/,$/, '')
    const groovy = oneLine ? clip(code.slice(start, close + 1), 40) : '[key: value]'
    const object = javascriptOf(`{ ${entries} }`, 'expression')
    const javascript =
      object === undefined
        ? ''
        : `: ${oneLine ? clip(object) : `${clip(object.slice(0, -2))}, ... }`}`
    const message = `"${groovy}" is a Groovy map literal; in JavaScript write an object${javascript}`
    found.push({ start, end: start + key[0].length, message })
  }
  return found
}

function tripleQuoted(code: string, { triples }: Masked): Found[] {
  return triples.map(({ start, end, quote }) => {
    const inside = code.slice(start + 3, Math.max(start + 3, end - 3))
    const short = inside.length <= 50 && !/[\r\n\u2028\u2029]/.test(inside)
    // An empty (or unclosed) one shows the shape, not an empty template that looks like a slip.
    const template = short && inside !== '' ? `\`${inside.replace(/`/g, '\\`')}\`` : '`...`'
    const message = `${quote}...${quote} is a Groovy multi-line string; in JavaScript write a template literal: ${template}`
    return { start, end, message }
  })
}

const TYPED_CATCH = new RegExp(
  `catch[ \\t]*\\([ \\t]*[\\w$.]+(?:[ \\t]*\\|[ \\t]*[\\w$.]+)*[ \\t]+(${IDENTIFIER})[ \\t]*\\)`
)

function typedCatches(code: string, { text: m }: Masked): Found[] {
  return [...matches(m, TYPED_CATCH)].map((match) => {
    const groovy = code.slice(match.index, match.index + match[0].length)
    const message = `"${groovy}" names a Java exception type; JavaScript catches every error: catch (${match[1]})`
    return { start: match.index, end: match.index + match[0].length, message }
  })
}

const FOR_COLON = new RegExp(
  `(?<![\\w$.])for[ \\t]*\\([ \\t]*(?:(?:final[ \\t]+)?(?:def|var|let|const|${TYPE})[ \\t]+)?(${IDENTIFIER})[ \\t]*:(?!:)`
)

function forColons(code: string, { text: m }: Masked): Found[] {
  const found: Found[] = []
  for (const match of matches(m, FOR_COLON)) {
    const open = m.indexOf('(', match.index)
    const close = matching(m, open)
    if (close < 0) continue
    const items = snippet(code, m, match.index + match[0].length, close)
    const groovy = clip(code.slice(match.index, close + 1), 40)
    const message = `"${groovy}" is a Groovy loop; in JavaScript: for (const ${match[1]} of ${clip(items, 40)})`
    found.push({ start: match.index, end: match.index + match[0].length, message })
  }
  return found
}

const COMMAND =
  /^[ \t]*((?:create|read|update|delete|query|action|[crudqa])[ \t]+[A-Z][\w-]*(?![\w$.(]).*)$/m

function commands(code: string, { text: m }: Masked): Found[] {
  return [...matches(m, COMMAND)].map((match) => {
    const start = match.index + match[0].length - (match[1] as string).length
    const line = code
      .slice(start, lineEnd(code, start))
      .trim()
      .replace(/;$/, '')
      .replace(/[\\`]/g, '\\$&')
    const message = `inside JavaScript, run commands with run(): await run(\`${line}\`)`
    return { start, end: lineEnd(m, start), message }
  })
}

const DETECTORS: Detector[] = [
  defs,
  typedDeclarations,
  closures,
  printlns,
  elvis,
  maps,
  tripleQuoted,
  typedCatches,
  forColons,
  commands,
]

// ---------------------------------------------------------------------------------------------
// GStrings

const TOKEN_OPTIONS: Options = {
  ecmaVersion: 'latest',
  sourceType: 'script',
  allowAwaitOutsideFunction: true,
}

/** The tokens of code that parses (with or without top-level await). */
function tokensOf(code: string): Token[] {
  const collect = (options: Options): Token[] => {
    const tokens: Token[] = []
    try {
      Parser.parse(code, { ...options, onToken: tokens })
    } catch {
      // keep the tokens read so far
    }
    return tokens
  }
  const withAwait = collect(TOKEN_OPTIONS)
  if (withAwait.at(-1)?.type === tokTypes.eof) return withAwait
  const plain = collect({ ...TOKEN_OPTIONS, allowAwaitOutsideFunction: false })
  return plain.length > withAwait.length ? plain : withAwait
}

const ID_START = /[\p{ID_Start}_]/u
const GROOVY_PATH = /^[\p{ID_Start}_][\p{ID_Continue}]*(?:\.[\p{ID_Start}_][\p{ID_Continue}]*)*/u

/** The template literal a double-quoted string's body means in Groovy; undefined if no `$`. */
function gstringAsTemplate(body: string): string | undefined {
  let out = ''
  let interpolates = false
  for (let k = 0; k < body.length;) {
    const c = body[k] as string
    const next = body[k + 1] ?? ''
    if (c === '\\') {
      out += body.slice(k, k + 2)
      k += 2
    } else if (c === '$' && next === '{') {
      const close = matching(body, k + 1)
      const end = close < 0 ? body.length : close + 1
      out += body.slice(k, end)
      interpolates = true
      k = end
    } else if (c === '$' && ID_START.test(next)) {
      // Groovy reads a dotted path after `$`: "$user.name" is user.name.
      const path = (GROOVY_PATH.exec(body.slice(k + 1)) as RegExpExecArray)[0]
      out += `\${${path}}`
      interpolates = true
      k += 1 + path.length
    } else {
      out += c === '`' ? '\\`' : c
      k++
    }
  }
  return interpolates ? `\`${out}\`` : undefined
}

// ---------------------------------------------------------------------------------------------
// Groovy APIs (valid JavaScript syntax, failing at run time)

function argumentOf(code: string, m: string, open: number): string | undefined {
  const close = matching(m, open)
  return close < 0 ? undefined : code.slice(open + 1, close).trim()
}

function apiFinding(
  code: string,
  m: string,
  start: number,
  end: number,
  javascript: string
): Found {
  const groovy = clip(snippet(code, m, start, end), 50)
  return { start, end, message: `"${groovy}" is Groovy; in JavaScript: ${javascript}` }
}

function jsonApis(code: string, { text: m }: Masked): Found[] {
  const found: Found[] = []
  /** `then`, when it follows the call, makes the JavaScript `thenJavaScript`. */
  const call = (
    re: RegExp,
    javascript: (argument: string) => string,
    then?: { re: RegExp; javascript: (argument: string) => string }
  ): void => {
    for (const match of matches(m, re)) {
      const open = match.index + match[0].length - 1
      const argument = argumentOf(code, m, open)
      if (argument === undefined) continue
      let end = matching(m, open) + 1
      let write = javascript
      const after = then?.re.exec(m.slice(end))
      if (then && after) {
        end += after[0].length
        write = then.javascript
      }
      found.push(apiFinding(code, m, match.index, end, write(clip(argument, 40))))
    }
  }
  call(
    /new[ \t]+(?:groovy\.json\.)?JsonSlurper[ \t]*\([ \t]*\)[ \t]*\.[ \t]*parse(?:Text)?[ \t]*\(/,
    (text) => `JSON.parse(${text})`
  )
  call(/(?:groovy\.json\.)?JsonOutput[ \t]*\.[ \t]*prettyPrint[ \t]*\(/, (text) => {
    const inner = /^(?:groovy\.json\.)?JsonOutput\s*\.\s*toJson\s*\(([\s\S]*)\)$/.exec(text)
    return `JSON.stringify(${inner ? inner[1] : `JSON.parse(${text})`}, null, 2)`
  })
  call(/(?:groovy\.json\.)?JsonOutput[ \t]*\.[ \t]*toJson[ \t]*\(/, (x) => `JSON.stringify(${x})`)
  call(/new[ \t]+(?:groovy\.json\.)?JsonBuilder[ \t]*\(/, (x) => `JSON.stringify(${x})`, {
    re: /^[ \t]*\.[ \t]*toPrettyString[ \t]*\([ \t]*\)/,
    javascript: (x) => `JSON.stringify(${x}, null, 2)`,
  })
  const general: [RegExp, string][] = [
    [/(?<![\w$])JsonSlurper(?![\w$])/, 'JSON.parse(text)'],
    [/(?<![\w$])JsonOutput(?![\w$])/, 'JSON.stringify(value)'],
    [/(?<![\w$])JsonBuilder(?![\w$])/, 'JSON.stringify(value)'],
  ]
  for (const [re, javascript] of general) {
    for (const match of matches(m, re)) {
      found.push(apiFinding(code, m, match.index, match.index + match[0].length, javascript))
    }
  }
  return found
}

const BYTES = /\.[ \t]*(?:bytes|getBytes[ \t]*\([^)]*\))$/

function base64(code: string, { text: m }: Masked): Found[] {
  const found: Found[] = []
  for (const match of matches(m, /\.[ \t]*(encodeBase64|decodeBase64)[ \t]*\([ \t]*\)/)) {
    const start = chainBefore(m, match.index)
    const value = code.slice(start, match.index).replace(BYTES, '') || 's'
    const javascript =
      match[1] === 'encodeBase64'
        ? `Buffer.from(${value}).toString('base64')`
        : `Buffer.from(${value}, 'base64').toString()`
    found.push(apiFinding(code, m, start, match.index + match[0].length, javascript))
  }
  return found
}

function bindings(_code: string, { text: m }: Masked): Found[] {
  return [...matches(m, /(?<![\w$.])binding[ \t]*\.[ \t]*variables(?![\w$])/)].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
    message:
      '"binding.variables" is Groovy\'s script binding; in JavaScript the variables of the shell are properties of globalThis: Object.entries(globalThis)',
  }))
}

const API_DETECTORS: Detector[] = [jsonApis, base64, bindings]
