import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { didYouMean } from '../did-you-mean.ts'
import { AmshError } from '../errors.ts'
import type { JsonObject } from '../json.ts'
import { packageRoot } from '../paths.ts'
import { describeSchemaErrors } from './schemas.ts'
import { validateEntity, validateFlavour } from './validators.generated.js'

// The catalog is data: commands/<Entity>.json describes an entity (schemas/entity.schema.json),
// commands/flavours/<flavour>.json how a server's REST API carries its operations
// (schemas/flavour.schema.json). Adding an entity means adding its file and schemas, not code;
// each file is checked against its schema when it loads.

export type CrudOperation = 'create' | 'read' | 'update' | 'delete' | 'query'

export interface OperationDef {
  summary: string
  /** Key of the JSON Schema for the body: schemas/<schema>.json. */
  schema?: string
  /** For actions: whether the action changes anything (dry runs and read-only profiles need to know). */
  mutates?: boolean
  /** Over the wire the operation goes to this path below the base, whatever the realm. */
  path?: string
}

export type ScopeDef = Partial<Record<CrudOperation, OperationDef>> & {
  actions?: Record<string, OperationDef>
}

export type ScopeKind = 'realm' | 'global'

export interface EntityDef {
  name: string
  /** The kind (src/kinds/<kind>/) that owns the entity's rules. */
  kind: string
  summary: string
  idField: string
  nameField?: string
  /** The entity whose global items this one's realm queries also list (Scripts: GlobalScripts). */
  alsoLists?: string
  /** One item per scope, read and updated without an id. */
  singleton?: boolean
  /** The `_id` AM gives a singleton's one item. */
  singletonId?: string
  /** Field order of the representation, as AM writes it. */
  fields?: string[]
  /** The `_type` AM adds to reads. */
  type?: JsonObject
  wire: { flavour: string; version?: string; paths: Partial<Record<ScopeKind, string>> }
  scopes: Partial<Record<ScopeKind, ScopeDef>>
  /** How a query's results show as a table: the columns, and whether the prompt lists so. */
  table?: { columns: string[]; atPrompt?: boolean }
  /** What `edit` opens unless told: the field editor (default), or the source in $EDITOR. */
  edit?: 'fields' | 'source'
  /** Messages AM gives for this entity, with {placeholders}. */
  messages?: Record<string, string>
}

export interface WireRequest {
  method: string
  path: string
  query?: Record<string, string>
  headers?: Record<string, string>
  id?: 'path' | 'body'
}

export type WireOperation = CrudOperation | 'createWithId' | 'action' | 'patch'

export interface FlavourDef {
  name: string
  summary: string
  base: string
  /** Absent where the server has no realms (Janssen). */
  realmPath?: { root: string; child: string }
  /** Absent where the server does not version its resources. */
  versionHeader?: { name: string; value: string }
  paging: {
    /** Where the server filters, sorts and picks fields as CREST does. */
    filter?: string
    fields?: string
    sortKeys?: string
    pageSize: string
    offset: string
    /** Where the server takes the cookie of its last page (CREST's), to go on from there. */
    cookie?: string
    maxPage: number
  }
  collection: Partial<Record<WireOperation, WireRequest>>
  singleton?: Partial<Record<WireOperation, WireRequest>>
}

const loaded = new Map<string, EntityDef>()
const flavours = new Map<string, FlavourDef>()
let names: string[] | undefined

function commandsDir(): string {
  return join(packageRoot(), 'commands')
}

/** A catalog file, checked against its schema: a broken one names itself and the pointer. */
function load<T>(file: string, validate: typeof validateEntity): T {
  const shown = file.slice(packageRoot().length + 1)
  let value: unknown
  try {
    value = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new AmshError(
      'E_INTERNAL',
      `catalog file ${shown} is not JSON: ${(err as Error).message}`
    )
  }
  if (!validate(value)) {
    const problems = describeSchemaErrors(validate.errors ?? [])
    throw new AmshError(
      'E_INTERNAL',
      `catalog file ${shown} is broken: ${problems.map((p) => `${p.pointer} ${p.message}`).join('; ')}`
    )
  }
  return value as T
}

export function entityNames(): string[] {
  names ??= readdirSync(commandsDir())
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort()
  return names
}

/** The entity named on a command line; Amster's names are matched case-insensitively. */
export function getEntity(name: string): EntityDef {
  const found = findEntity(name)
  if (found) return found
  const all = entityNames()
  throw new AmshError(
    'E_USAGE',
    `unknown entity type "${name}"${didYouMean(name, all)}; known: ${all.join(', ')}`
  )
}

/** The entity `name` names (whatever its case), or undefined when the catalog has none. */
export function findEntity(name: string): EntityDef | undefined {
  const cached = loaded.get(name)
  if (cached) return cached
  const all = entityNames()
  const match =
    all.find((n) => n === name) ?? all.find((n) => n.toLowerCase() === name.toLowerCase())
  if (!match) return undefined
  const def = load<EntityDef>(join(commandsDir(), `${match}.json`), validateEntity)
  if (def.name !== match) {
    throw new AmshError(
      'E_INTERNAL',
      `catalog file commands/${match}.json is broken: /name is "${def.name}", not the file's name`
    )
  }
  loaded.set(name, def)
  loaded.set(match, def)
  return def
}

export function getFlavour(name: string): FlavourDef {
  let flavour = flavours.get(name)
  if (!flavour) {
    flavour = load<FlavourDef>(join(commandsDir(), 'flavours', `${name}.json`), validateFlavour)
    flavours.set(name, flavour)
  }
  return flavour
}

/** Fill {placeholders} of one of the entity's messages. */
export function entityMessage(
  entity: EntityDef,
  key: string,
  values: Record<string, string> = {}
): string {
  const template = entity.messages?.[key] ?? key
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole)
}
