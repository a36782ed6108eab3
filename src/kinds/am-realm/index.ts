import { entityMessage, type EntityDef } from '../../catalog/catalog.ts'
import { queryInMemory } from '../../crest/page.ts'
import { normaliseRealm, parentRealm, realmId } from '../../crest/realm.ts'
import { AmshError } from '../../errors.ts'
import type { JsonObject } from '../../json.ts'
import type { Target } from '../../transport/types.ts'
import type { Kind, KindCollection, RealmRegistry, StoreAccess } from '../types.ts'

// AM's realms: the scopes everything else lives in. A realm's id is its path, base64url-encoded
// without padding ("/" is "Lw"); its name and parent make the path, so neither changes once it
// exists. The store keeps realms in its realm registry, which is what every realm-scoped command
// checks its --realm against.

/** The path an id stands for; undefined when the id is not one amsh could have given. */
function pathOf(id: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) return undefined
  const path = Buffer.from(id, 'base64url').toString('utf8')
  if (!path.startsWith('/') || realmId(path) !== id) return undefined
  try {
    return normaliseRealm(path) === path ? path : undefined
  } catch {
    return undefined
  }
}

function present(path: string, body: JsonObject, rev: string | undefined): JsonObject {
  const slash = path.lastIndexOf('/')
  return {
    _id: realmId(path),
    ...(rev === undefined ? {} : { _rev: rev }),
    parentPath: path === '/' ? null : path.slice(0, slash) || '/',
    active: body.active ?? true,
    name: path === '/' ? '/' : path.slice(slash + 1),
    aliases: body.aliases ?? [],
    ...extra(body),
  }
}

/** What else a client stored on a realm, kept as sent. */
function extra(body: JsonObject): JsonObject {
  const {
    _id,
    _rev,
    name: _name,
    parentPath: _parent,
    active: _active,
    aliases: _aliases,
    ...rest
  } = body
  return rest
}

function invalid(message: string): AmshError {
  return new AmshError('E_INVALID', message)
}

/** The realm a create asks for: `name` below `parentPath` (the top level when left out). */
function requestedPath(body: JsonObject): string {
  const { name, parentPath } = body
  if (typeof name !== 'string' || name.trim() === '') throw invalid('Realm name must be specified')
  if (name.includes('/')) throw invalid(`Realm name "${name}" may not contain /`)
  if (parentPath != null && typeof parentPath !== 'string') {
    throw invalid('parentPath must be a realm path, e.g. "/"')
  }
  const parent = normaliseRealm(parentPath ?? '/')
  return normaliseRealm(parent === '/' ? `/${name}` : `${parent}/${name}`)
}

function kept(body: JsonObject): JsonObject {
  const doc: JsonObject = { ...extra(body) }
  if (body.active !== undefined) {
    if (typeof body.active !== 'boolean') throw invalid('active must be true or false')
    doc.active = body.active
  }
  if (body.aliases !== undefined) {
    if (!Array.isArray(body.aliases) || body.aliases.some((a) => typeof a !== 'string')) {
      throw invalid('aliases must be a list of host names')
    }
    doc.aliases = body.aliases
  }
  return doc
}

function find(entity: EntityDef, registry: RealmRegistry, id: string) {
  const path = pathOf(id)
  const found = path === undefined ? undefined : registry.get(path)
  if (!found) throw new AmshError('E_NOT_FOUND', entityMessage(entity, 'notFound', { id }))
  return found
}

function collection(store: StoreAccess): KindCollection {
  const registry = store.realms
  return {
    create(target: Target, body: JsonObject, id: string | undefined) {
      const { entity } = target
      const path = requestedPath(body)
      if (id !== undefined && id !== realmId(path)) {
        throw invalid(entityMessage(entity, 'idMismatch', { id, path }))
      }
      const parent = parentRealm(path)
      if (!registry.get(parent)) {
        throw new AmshError('E_NOT_FOUND', entityMessage(entity, 'noParent', { parent }))
      }
      if (registry.get(path)) {
        throw new AmshError('E_CONFLICT', entityMessage(entity, 'exists', { path }))
      }
      const rev = registry.add(path, kept(body))
      return present(path, registry.get(path)!.body, rev)
    },
    read(target, id) {
      const found = find(target.entity, registry, id)
      return present(found.path, found.body, found.rev)
    },
    update(target, id, body) {
      const found = find(target.entity, registry, id)
      const now = present(found.path, found.body, undefined)
      for (const field of ['name', 'parentPath'] as const) {
        if (body[field] !== undefined && body[field] !== now[field]) {
          throw invalid(
            entityMessage(target.entity, 'immutable', { field, value: String(now[field]) })
          )
        }
      }
      const rev = registry.replace(found.path, kept(body))
      return present(found.path, registry.get(found.path)!.body, rev)
    },
    delete(target, id) {
      const found = find(target.entity, registry, id)
      if (found.path === '/') {
        throw new AmshError('E_FORBIDDEN', entityMessage(target.entity, 'deleteRoot'))
      }
      const gone = present(found.path, found.body, found.rev)
      registry.remove(found.path)
      return gone
    },
    query(target, params) {
      const all = registry.list().map((r) => present(r.path, r.body, r.rev))
      return queryInMemory(all, params, target.entity.idField)
    },
  }
}

export const amRealm: Kind = {
  name: 'am-realm',
  // The entity reference requires all four fields of a new realm; a realm is active and has no
  // aliases unless said otherwise, so `{"name": "alpha", "parentPath": "/"}` is enough to type.
  assemble(loaded, ctx) {
    if (ctx.operation !== 'create') return loaded
    const { body } = loaded
    return { ...loaded, body: { active: true, aliases: [], parentPath: '/', ...body } }
  },
  store: { collection },
  realmPath: pathOfBody,
}

/** The path a realm's representation stands for: its parent's path and its name. */
function pathOfBody(body: JsonObject): string {
  const { name, parentPath } = body
  if (typeof name !== 'string' || name === '/') return '/'
  const parent = typeof parentPath === 'string' ? parentPath : '/'
  return normaliseRealm(`${parent === '/' ? '' : parent}/${name}`)
}
