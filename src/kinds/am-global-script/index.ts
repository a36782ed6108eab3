import { SERVER_FIELDS } from '../../crest/stamps.ts'
import { getEntity, type EntityDef } from '../../catalog/catalog.ts'
import { queryInMemory } from '../../crest/page.ts'
import type { JsonObject } from '../../json.ts'
import { amScript } from '../am-script/index.ts'
import type { Kind, KindCollection, StoreAccess } from '../types.ts'

// AM's global scripts as its scripting service holds them (/global-config/services/scripting/
// globalScript): the same scripts a realm lists as default or global ones, in the service's form,
// where dates are strings ("creationDate" : "0") and no `default` flag is given. The local store
// keeps them once, as the global scope of Scripts; this kind shows them in the service's form.
// Bodies are checked and their sources parsed as any script's.

const SCRIPTS = 'Scripts'

/** The service's form of a script as Scripts presents it. */
function asGlobalScript(entity: EntityDef, script: JsonObject): JsonObject {
  const {
    default: _default,
    _rev,
    creationDate,
    lastModifiedDate,
    createdBy,
    lastModifiedBy,
    ...rest
  } = script
  const shown: JsonObject = {}
  for (const field of entity.fields ?? []) if (field in rest) shown[field] = rest[field]!
  return {
    ...shown,
    createdBy: String(createdBy ?? 'null'),
    creationDate: String(creationDate ?? 0),
    lastModifiedBy: String(lastModifiedBy ?? 'null'),
    lastModifiedDate: String(lastModifiedDate ?? 0),
    ...(entity.type ? { _type: entity.type } : {}),
  }
}

/** A body in the service's form as a Scripts body: the server's fields are the store's to set. */
function asScript(body: JsonObject): JsonObject {
  const rest = Object.fromEntries(
    Object.entries(body).filter(([field]) => !SERVER_FIELDS.includes(field))
  )
  return amScript.normalise!(rest).body
}

function collection(store: StoreAccess): KindCollection {
  const scripts = getEntity(SCRIPTS)
  return {
    create: ({ entity }, body, id) =>
      asGlobalScript(entity, store.create(scripts, undefined, asScript(body), id)),
    read: ({ entity }, id) => asGlobalScript(entity, store.read(scripts, undefined, id)),
    update: ({ entity }, id, body) =>
      asGlobalScript(entity, store.update(scripts, undefined, id, asScript(body))),
    delete: (_, id) => store.delete(scripts, undefined, id),
    query({ entity }, params) {
      const all = store
        .query(scripts, undefined, { filter: 'true' })
        .result.map((s) => asGlobalScript(entity, s))
      return queryInMemory(all, params, entity.idField)
    },
  }
}

export const amGlobalScript: Kind = {
  ...amScript,
  name: 'am-global-script',
  store: { collection },
}
