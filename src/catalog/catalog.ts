import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { didYouMean } from '../did-you-mean.ts'
import { AmshError } from '../errors.ts'
import { packageRoot } from '../paths.ts'

// The catalog is data: commands/<Entity>.json describes an entity (see schemas/entity.schema.json).
// Adding an entity type means adding that file and its schemas, not code.

export type CrudOperation = 'create' | 'read' | 'update' | 'delete' | 'query'

export interface OperationDef {
  summary: string
  /** Key of the JSON Schema for the body: schemas/<schema>.json. */
  schema?: string
  /** For actions: whether the action changes anything (dry runs and read-only profiles need to know). */
  mutates?: boolean
  /** Over REST the action goes to the top-level path (`/json/scripts`), whatever the realm. */
  topLevel?: boolean
}

export type ScopeDef = Partial<Record<CrudOperation, OperationDef>> & {
  actions?: Record<string, OperationDef>
}

export interface EntityDef {
  name: string
  summary: string
  resourcePath: string
  resourceVersion: string
  idField: string
  nameField?: string
  behaviour?: 'scripts' | 'realms'
  /** Field order of the representation, as AM writes it. */
  fields?: string[]
  scopes: { realm?: ScopeDef; global?: ScopeDef }
  /** Messages AM gives for this entity, with {placeholders}. */
  messages?: Record<string, string>
}

const loaded = new Map<string, EntityDef>()
let names: string[] | undefined

function commandsDir(): string {
  return join(packageRoot(), 'commands')
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
  const cached = loaded.get(name)
  if (cached) return cached
  const all = entityNames()
  const match =
    all.find((n) => n === name) ?? all.find((n) => n.toLowerCase() === name.toLowerCase())
  if (!match) {
    throw new AmshError(
      'E_USAGE',
      `unknown entity type "${name}"${didYouMean(name, all)}; known: ${all.join(', ')}`
    )
  }
  const def = JSON.parse(readFileSync(join(commandsDir(), `${match}.json`), 'utf8')) as EntityDef
  loaded.set(name, def)
  loaded.set(match, def)
  return def
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
