import {
  getFlavour,
  type FlavourDef,
  type WireOperation,
  type WireRequest,
} from '../catalog/catalog.ts'
import { AmshError } from '../errors.ts'
import type { Target } from '../transport/types.ts'

// The wire as data: an entity's paths per scope (commands/<Entity>.json) and its flavour's request
// shapes (commands/flavours/<flavour>.json) make the request for each operation. The REST
// transport sends what these build; `amsh serve` routes by the same paths.

export interface BuiltRequest {
  method: string
  /** Below the server's base URL, encoded. */
  path: string
  query: Record<string, string>
  headers: Record<string, string>
  /** Where the id travels. */
  id: 'path' | 'body'
}

export function flavourOf(target: Target): FlavourDef {
  return getFlavour(target.entity.wire.flavour)
}

/** A realm's path in the flavour's URLs: AM's "/a/b" is "/realms/root/realms/a/realms/b". */
export function realmUrlPath(flavour: FlavourDef, realm: string): string {
  const { realmPath } = flavour
  if (!realmPath) {
    throw new AmshError('E_UNSUPPORTED', `the ${flavour.name} wire has no realms (${realm})`)
  }
  const names = realm === '/' ? [] : realm.slice(1).split('/')
  return (
    realmPath.root +
    names.map((name) => realmPath.child.replace('{name}', encodeURIComponent(name))).join('')
  )
}

/** The entity's collection in the target's scope, or the operation's own fixed path. */
export function collectionPath(target: Target, fixedPath?: string): string {
  const flavour = flavourOf(target)
  if (fixedPath !== undefined) return `${flavour.base}${fixedPath}`
  const { scope, entity } = target
  const template = entity.wire.paths[scope.kind]
  if (template === undefined) {
    throw new AmshError(
      'E_UNSUPPORTED',
      `${entity.name} has no ${scope.kind} path on the wire (commands/${entity.name}.json)`
    )
  }
  const realm = scope.kind === 'realm' ? realmUrlPath(flavour, scope.realm) : ''
  return `${flavour.base}${template.replace('{realmPath}', realm)}`
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole)
}

/** The request that carries `operation` on `target`, as the flavour shapes it. */
export function wireRequest(
  target: Target,
  operation: WireOperation,
  values: { id?: string; rev?: string; action?: string; fixedPath?: string } = {}
): BuiltRequest {
  const flavour = flavourOf(target)
  const shapes = target.entity.singleton ? flavour.singleton : flavour.collection
  const shape: WireRequest | undefined = shapes?.[operation]
  if (!shape) {
    throw new AmshError(
      'E_UNSUPPORTED',
      `the ${flavour.name} wire has no ${operation} for ${target.entity.singleton ? 'a singleton' : 'a collection'} (${target.entity.name})`
    )
  }
  const texts: Record<string, string> = {
    collection: collectionPath(target, values.fixedPath),
    id: values.id === undefined ? '' : encodeURIComponent(values.id),
    rev: values.rev === undefined || values.rev === '*' ? '*' : `"${values.rev}"`,
    action: values.action ?? '',
  }
  const map = (record: Record<string, string> | undefined) =>
    Object.fromEntries(Object.entries(record ?? {}).map(([k, v]) => [k, fill(v, texts)]))
  return {
    method: shape.method,
    path: fill(shape.path, texts),
    query: map(shape.query),
    headers: map(shape.headers),
    id: shape.id ?? 'path',
  }
}

/** The header that names the resource version the client speaks, where the flavour has one. */
export function versionHeader(target: Target): Record<string, string> {
  const header = flavourOf(target).versionHeader
  const { version } = target.entity.wire
  if (!header || version === undefined) return {}
  return { [header.name]: header.value.replace('{version}', version) }
}
