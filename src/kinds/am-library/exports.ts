// What a library script exports, read from its JavaScript source without running it, as AM's
// libraries endpoint lists it: each name the CommonJS module gives the scripts that require it,
// with a type and, for a function, its arity. Loaded on first use (acorn is costly to load).
//
// Only the top-level statements are read, in order, as CommonJS runs them: `exports.NAME = ...`
// and `module.exports.NAME = ...` add a name; `module.exports = { NAME: ..., ... }` replaces the
// whole set (names given to `exports` before it, or after it unless `exports = module.exports`,
// are not exported). A value's type is read from its expression: functions, classes, literals,
// and names bound by top-level declarations. What cannot be known without running the script
// (a call's result, a property of something else) is "Unknown".
//
// Sources may be hostile (--skipSourceCheck stores anything): the parse is stack-safe, the source
// and the list have size limits, and every walk is bounded. A source that does not parse exports
// nothing; nothing here throws.

import type {
  AssignmentExpression,
  ClassDeclaration,
  Expression,
  FunctionDeclaration,
  Identifier,
  Node,
  ObjectExpression,
  Options,
  Pattern,
  Program,
  Property,
  UnaryOperator,
} from 'acorn'
import { GuardedParser } from '../../acorn-stack.ts'

export interface LibraryExport {
  id: string
  type: string
  /** A function's number of declared parameters. */
  arity?: number
}

/** Sources longer than this (in UTF-16 units) are not read: they export nothing. */
export const MAX_SOURCE = 1_000_000
/** Names past this many are left out. */
export const MAX_EXPORTS = 1_000
/** How deep a value's expression, or a chain of names bound to names, is followed. */
const MAX_DEPTH = 32
/**
 * Steps (a statement, a property, an expression) one source may take in all: names bound to
 * names can make a small source ask for far more (`var a = b + b, b = c + c, ...`).
 */
const MAX_STEPS = 200_000

const OPTIONS: Options = { ecmaVersion: 'latest', sourceType: 'script' }

// Rhino drops Unicode format characters outside strings (see catalog/syntax/javascript.ts) and
// acorn refuses them: a source that fails with them is read again without them.
const FORMAT_CHARS = /(?!\uFEFF)\p{Cf}/gu
const HAS_FORMAT_CHAR = /(?!\uFEFF)\p{Cf}/u

function parse(text: string): Program | undefined {
  try {
    return GuardedParser.parse(text, OPTIONS) as Program
  } catch {
    return undefined
  }
}

export function libraryExports(source: string): LibraryExport[] {
  if (source.length > MAX_SOURCE) return []
  const program =
    parse(source) ??
    (HAS_FORMAT_CHAR.test(source) ? parse(source.replace(FORMAT_CHARS, '')) : undefined)
  return program ? new Reader(program).exports() : []
}

type Typed = { type: string; arity?: number }
type Entries = Map<string, Typed>
/** What an expression gives: an object whose names are followed, or a typed value. */
type Value = { entries: Entries } | Typed
/** What a top-level declaration binds a name to. */
type Binding = FunctionDeclaration | ClassDeclaration | Expression

class Reader {
  readonly #program: Program
  readonly #bindings = new Map<string, Binding>()
  /** The object `exports` names and the one `module.exports` names: the same one at first. */
  #exports: Entries = new Map()
  #module: Entries = this.#exports
  #steps = MAX_STEPS

  constructor(program: Program) {
    this.#program = program
    for (const statement of program.body) {
      if (statement.type === 'FunctionDeclaration' || statement.type === 'ClassDeclaration') {
        this.#bindings.set(statement.id.name, statement)
      } else if (statement.type === 'VariableDeclaration') {
        for (const { id, init } of statement.declarations) {
          if (id.type === 'Identifier' && init) this.#bindings.set(id.name, init)
        }
      }
    }
  }

  exports(): LibraryExport[] {
    for (const statement of this.#program.body) {
      if (!this.#step()) break
      if (statement.type !== 'ExpressionStatement') continue
      const { expression } = statement
      const all = expression.type === 'SequenceExpression' ? expression.expressions : [expression]
      for (const each of all) if (isAssignment(each)) this.#assign(each)
    }
    return [...this.#module].map(([id, { type, arity }]) =>
      arity === undefined ? { id, type } : { id, type, arity }
    )
  }

  /** `a = b = ... = value`: the value first, then each target from the innermost out. */
  #assign(outer: AssignmentExpression): void {
    const targets: Pattern[] = []
    let node: Expression = outer
    while (isAssignment(node)) {
      targets.push(node.left)
      node = node.right
    }
    const value = this.#value(node)
    for (const target of targets.reverse()) this.#store(target, value)
  }

  #store(target: Pattern, value: Value): void {
    const entries = 'entries' in value ? value.entries : undefined
    if (target.type === 'Identifier') {
      if (this.#isFree(target, 'exports')) this.#exports = entries ?? new Map()
    } else if (this.#isModuleExports(target)) {
      this.#module = entries ?? new Map()
    } else if (target.type === 'MemberExpression' && target.object.type !== 'Super') {
      const object = this.#followed(target.object)
      const name = memberName(target)
      if (object && name !== undefined) add(object, name, entries ? OBJECT : (value as Typed))
    }
  }

  /** The followed object an expression names: `exports` or `module.exports`. */
  #followed(node: Expression): Entries | undefined {
    if (this.#isFree(node, 'exports')) return this.#exports
    return this.#isModuleExports(node) ? this.#module : undefined
  }

  /** Whether `node` is the name `name`, not declared by the script itself. */
  #isFree(node: Node, name: string): boolean {
    return (
      node.type === 'Identifier' && (node as Identifier).name === name && !this.#bindings.has(name)
    )
  }

  #isModuleExports(node: Node): boolean {
    if (node.type !== 'MemberExpression') return false
    const member = node as Node & { object: Node; property: Node; computed: boolean }
    return this.#isFree(member.object, 'module') && memberName(member) === 'exports'
  }

  #value(node: Expression): Value {
    const followed = this.#followed(node)
    if (followed) return { entries: followed }
    const literal = this.#objectLiteral(node)
    return literal ? { entries: this.#properties(literal) } : this.#typeOf(node, 0)
  }

  /** The object literal an expression is, itself or through top-level names. */
  #objectLiteral(node: Binding): ObjectExpression | undefined {
    for (let depth = 0; depth <= MAX_DEPTH; depth++) {
      if (node.type === 'ObjectExpression') return node
      const bound = node.type === 'Identifier' ? this.#bindings.get(node.name) : undefined
      if (bound === undefined) return undefined
      node = bound
    }
    return undefined
  }

  #properties(object: ObjectExpression): Entries {
    const entries: Entries = new Map()
    for (const property of object.properties) {
      if (!this.#step()) break
      if (property.type !== 'Property') continue
      const name = propertyName(property)
      if (name === undefined) continue
      // A getter's value is what it returns when called.
      add(entries, name, property.kind === 'init' ? this.#typeOf(property.value, 0) : UNKNOWN)
    }
    return entries
  }

  /** False once the source has used up its steps. */
  #step(): boolean {
    return --this.#steps >= 0
  }

  #typeOf(node: Binding, depth: number): Typed {
    if (depth > MAX_DEPTH || !this.#step()) return UNKNOWN
    switch (node.type) {
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        return fn(node.params.length)
      case 'ClassDeclaration':
      case 'ClassExpression': {
        const constructor = node.body.body.find(
          (member) => member.type === 'MethodDefinition' && member.kind === 'constructor'
        )
        return fn(constructor?.type === 'MethodDefinition' ? constructor.value.params.length : 0)
      }
      case 'Literal':
        // acorn gives a regular expression it cannot build, or a BigInt, the value null.
        if (node.regex) return { type: 'RegExp' }
        return node.bigint === undefined ? literalType(node.value) : { type: 'BigInt' }
      case 'TemplateLiteral':
        return STRING
      case 'ObjectExpression':
      case 'NewExpression':
        return OBJECT
      case 'ArrayExpression':
        return { type: 'Array' }
      case 'UnaryExpression':
        return UNARY[node.operator]
      case 'BinaryExpression': {
        if (COMPARISONS.has(node.operator)) return BOOLEAN
        if (node.operator !== '+') return NUMBER
        if (node.left.type === 'PrivateIdentifier') return UNKNOWN
        const left = this.#typeOf(node.left, depth + 1).type
        const right = this.#typeOf(node.right, depth + 1).type
        if (left === 'String' || right === 'String') return STRING
        return left === 'Number' && right === 'Number' ? NUMBER : UNKNOWN
      }
      case 'AssignmentExpression':
        return node.operator === '=' ? this.#typeOf(node.right, depth + 1) : UNKNOWN
      case 'SequenceExpression': {
        const last = node.expressions.at(-1)
        return last ? this.#typeOf(last, depth + 1) : UNKNOWN
      }
      case 'Identifier': {
        const bound = this.#bindings.get(node.name)
        if (bound) return this.#typeOf(bound, depth + 1)
        return GLOBALS.get(node.name) ?? UNKNOWN
      }
      default:
        return UNKNOWN
    }
  }
}

const UNKNOWN: Typed = { type: 'Unknown' }
const OBJECT: Typed = { type: 'Object' }
const STRING: Typed = { type: 'String' }
const NUMBER: Typed = { type: 'Number' }
const BOOLEAN: Typed = { type: 'Boolean' }
const UNDEFINED: Typed = { type: 'Undefined' }

const fn = (arity: number): Typed => ({ type: 'Function', arity })

const UNARY: Record<UnaryOperator, Typed> = {
  '!': BOOLEAN,
  delete: BOOLEAN,
  typeof: STRING,
  '-': NUMBER,
  '+': NUMBER,
  '~': NUMBER,
  void: UNDEFINED,
}

const COMPARISONS = new Set(['==', '!=', '===', '!==', '<', '<=', '>', '>=', 'in', 'instanceof'])

/** Names every script sees, unless it declares them itself. */
const GLOBALS = new Map<string, Typed>([
  ['undefined', UNDEFINED],
  ['NaN', NUMBER],
  ['Infinity', NUMBER],
])

function literalType(value: unknown): Typed {
  switch (typeof value) {
    case 'string':
      return STRING
    case 'number':
      return NUMBER
    case 'boolean':
      return BOOLEAN
    default:
      return { type: 'Null' }
  }
}

/** Adds or replaces a name; a name past the limit is left out. */
function add(entries: Entries, id: string, value: Typed): void {
  if (entries.has(id) || entries.size < MAX_EXPORTS) entries.set(id, value)
}

function isAssignment(node: Node): node is AssignmentExpression {
  return node.type === 'AssignmentExpression' && (node as AssignmentExpression).operator === '='
}

/** `a.name`, `a["name"]`: the name; undefined for a computed one. */
function memberName(node: { computed: boolean; property: Node }): string | undefined {
  const property = node.property as Node & { name?: unknown; value?: unknown }
  if (!node.computed) return property.type === 'Identifier' ? String(property.name) : undefined
  return property.type === 'Literal' && typeof property.value === 'string'
    ? property.value
    : undefined
}

/** `{ name: ... }`, `{ "name": ... }`, `{ 1: ... }`: the name; undefined for a computed one. */
function propertyName(property: Property): string | undefined {
  const { key } = property
  if (!property.computed && key.type === 'Identifier') return key.name
  if (key.type !== 'Literal') return undefined
  return typeof key.value === 'string' || typeof key.value === 'number'
    ? String(key.value)
    : undefined
}
