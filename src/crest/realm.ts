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

/** "/a/b" → ["/", "/a", "/a/b"]: a realm and all its parents, top first. */
export function realmLineage(realm: string): string[] {
  if (realm === '/') return ['/']
  const segments = realm.slice(1).split('/')
  return ['/', ...segments.map((_, i) => `/${segments.slice(0, i + 1).join('/')}`)]
}

/** AM's URL form: "/" → "/realms/root", "/a/b" → "/realms/root/realms/a/realms/b". */
export function realmUrlPath(realm: string): string {
  if (realm === '/') return '/realms/root'
  return `/realms/root${realm
    .slice(1)
    .split('/')
    .map((segment) => `/realms/${encodeURIComponent(segment)}`)
    .join('')}`
}

/** A realm's id in the Realms entity: its path, base64url without padding ("/" → "Lw"). */
export function realmId(realm: string): string {
  return Buffer.from(realm, 'utf8').toString('base64url')
}
