// The fields a server writes itself on every write (who changed an item, when, and its
// revision): they say nothing about the configuration an item holds.

export const SERVER_STAMPS: readonly string[] = [
  '_rev',
  'createdBy',
  'creationDate',
  'lastModifiedBy',
  'lastModifiedDate',
]

/** The stamps and the `_type` description reads carry: what a body's configuration leaves out. */
export const SERVER_FIELDS: readonly string[] = [...SERVER_STAMPS, '_type']
