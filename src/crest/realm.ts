import { AmshError } from '../errors.ts'

// Realms are paths: "/" is the top-level realm, "/alpha/beta" a sub-realm of a sub-realm.

/** The canonical path of a realm as a user may type it ("alpha", "/alpha/", "/alpha"). */
export function normaliseRealm(input: string): string {
  const trimmed = input.trim()
  if (trimmed === '' || trimmed === '/') return '/'
  const segments = trimmed.replace(/^\/+/, '').replace(/\/+$/, '').split('/')
  for (const segment of segments) {
    if (segment === '') {
      throw new AmshError('E_USAGE', `realm "${input}" has an empty path segment`)
    }
    if (segment === '.' || segment === '..' || /[\s\\?#%\p{Cc}\p{Cf}]/u.test(segment)) {
      throw new AmshError(
        'E_USAGE',
        `realm "${input}" has an invalid segment "${segment}" (no spaces, control characters, \\ ? # % . or ..)`
      )
    }
  }
  return `/${segments.join('/')}`
}

/** A realm's id in the Realms entity: its path, base64url without padding ("/" → "Lw"). */
export function realmId(realm: string): string {
  return Buffer.from(realm, 'utf8').toString('base64url')
}

/** The realm a realm lies in ("/" for "/alpha"); "/" has none and is its own. */
export function parentRealm(realm: string): string {
  return realm.slice(0, realm.lastIndexOf('/')) || '/'
}

/** A realm and every realm above it, up to "/": ["/a/b", "/a", "/"]. */
export function realmLineage(realm: string): string[] {
  const lineage = [realm]
  for (let up = realm; up !== '/';) lineage.push((up = parentRealm(up)))
  return lineage
}
