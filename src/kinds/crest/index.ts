import type { Kind } from '../types.ts'

// Plain AM CREST configuration: an entity that needs nothing beyond its JSON Schema. The local
// store keeps the body as sent (less the server's _id and _rev) and answers it back.

export const crest: Kind = { name: 'crest' }
