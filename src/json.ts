export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject
export interface JsonObject {
  [key: string]: JsonValue
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value != null && !Array.isArray(value)
}

/** A JSON pointer (RFC 6901) to a place in a document: each key escaped (~0 for ~, ~1 for /). */
export function jsonPointer(...keys: string[]): string {
  return keys.map((key) => `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('')
}
