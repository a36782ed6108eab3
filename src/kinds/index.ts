import type { EntityDef } from '../catalog/catalog.ts'
import { amGlobalScript } from './am-global-script/index.ts'
import { amLibrary } from './am-library/index.ts'
import { amRealm } from './am-realm/index.ts'
import { amScript } from './am-script/index.ts'
import { crest } from './crest/index.ts'
import { jansScript } from './jans-script/index.ts'
import type { QueryParams } from '../transport/types.ts'
import type { Kind } from './types.ts'

// The registry of entity kinds. A new family of entities is a folder beside this file and one
// line here; its entities name it in commands/<Entity>.json.

const KINDS: Record<string, Kind> = Object.fromEntries(
  [amScript, amGlobalScript, amRealm, amLibrary, crest, jansScript].map((kind) => [kind.name, kind])
)

export const KIND_NAMES = Object.keys(KINDS)

/** The query with the kind's own options (`--type`) folded into its CREST filter. */
export function narrowed(entity: EntityDef, params: QueryParams): QueryParams {
  const { narrow, ...rest } = params
  const extra = narrow ? kindOf(entity).narrowFilter?.(narrow) : undefined
  return extra ? { ...rest, filter: `(${params.filter}) and ${extra}` } : rest
}

export function kindOf(entity: EntityDef): Kind {
  const kind = KINDS[entity.kind]
  // The catalog's schema lists the kinds, so a loaded entity always names one of these.
  if (!kind) throw new TypeError(`entity ${entity.name} names an unknown kind ${entity.kind}`)
  return kind
}
