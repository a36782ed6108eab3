import type { Scope } from '../transport/types.ts'

// Where Amster's export puts an item: `global/<Entity>.json` for a global singleton,
// `global/<Entity>/<id>.json` for a global collection's member, and the same under
// `realms/<folder>/` for a realm's, the folder naming the realm (`root`, `root-alpha`,
// `root-a-b`). An import finds the entity in the file's metadata, never in its place, so a name
// only has to be safe and stable.

/** The folder of a realm in an export: `/` is `root`, `/alpha` is `root-alpha`. */
export function realmFolder(realm: string): string {
  return realm === '/' ? 'root' : `root${realm.replaceAll('/', '-')}`
}

// Characters no file system takes in a name (Windows' set is the widest), and `%` itself so that
// an encoded name cannot be mistaken for another.
// eslint-disable-next-line no-control-regex -- control characters are what is being refused
const UNSAFE = /[\u0000-\u001f\u007f<>:"/\\|?*%]/g
const MAX_NAME_BYTES = 200

/**
 * An id or name as one safe file-name component: what a file system refuses becomes `%XX`, a
 * name of dots alone (`.`, `..`) is encoded whole, a trailing dot or space (which Windows drops)
 * is encoded, and a name too long for a file system is cut and made unique by a hash of it.
 */
export function safeName(name: string): string {
  let safe = name.replace(
    UNSAFE,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`
  )
  if (safe === '') return '%'
  if (/^\.+$/.test(safe)) safe = safe.replaceAll('.', '%2E')
  safe = safe.replace(/[. ]$/, (c) => (c === '.' ? '%2E' : '%20'))
  if (Buffer.byteLength(safe) > MAX_NAME_BYTES) {
    let cut = safe.slice(0, 150)
    while (Buffer.byteLength(cut) > 150) cut = cut.slice(0, -1)
    safe = `${cut}~${fnv1a(name)}`
  }
  return safe
}

function fnv1a(text: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(16).padStart(8, '0')
}

/** The folder, relative to the export's root, that holds a scope's items. */
export function scopeFolder(scope: Scope): string {
  return scope.kind === 'global' ? 'global' : `realms/${realmFolder(scope.realm)}`
}

/** An item's file, relative to the export's root (`name` is the file's name without `.json`). */
export function itemFile(scope: Scope, entity: string, name: string | undefined): string {
  const folder = scopeFolder(scope)
  return name === undefined
    ? `${folder}/${entity}.json`
    : `${folder}/${entity}/${safeName(name)}.json`
}
