import { SERVER_STAMPS } from '../crest/stamps.ts'
import { isJsonObject, type JsonObject, type JsonValue } from '../json.ts'
import { crypto } from '../lazy-builtins.ts'

// What the journal keeps of an item, and how an item now is compared with what it kept. The
// journal is a file anyone with the user's rights can read long after the change, so a secret
// never goes into it: a value under a key that looks secret is replaced by a marker, and undo
// leaves such a field as the target has it now.

/** Stands in for a secret's value in a stored image. */
export const REDACTED = '[secret: not journaled]'

const SECRET_KEY = /password|secret|credential|private.?key|token|(^|[._-])pwd($|[._-])/i

/** The answers for keys seen so far: the same few keys come again in every item. */
const secretKeys = new Map<string, boolean>()

/** Whether a key's value is treated as a secret (`userPassword`, `sharedSecret-encrypted`). */
export function isSecretKey(key: string): boolean {
  let secret = secretKeys.get(key)
  if (secret === undefined) {
    secret = SECRET_KEY.test(key) || key.endsWith('-encrypted')
    if (secretKeys.size >= 10_000) secretKeys.clear()
    secretKeys.set(key, secret)
  }
  return secret
}

/**
 * The image with every secret's value replaced by REDACTED. Only text is a secret: a flag
 * (`tokenEncryptionEnabled`), a number or null under such a key says nothing worth hiding, and
 * an object below one is judged key by key.
 */
export function redact(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(redact)
  if (!isJsonObject(value)) return value
  const out: JsonObject = {}
  for (const [key, item] of Object.entries(value)) {
    const hidden =
      isSecretKey(key) && (typeof item === 'string' || Array.isArray(item)) && item !== ''
    out[key] = hidden ? REDACTED : redact(item)
  }
  return out
}

/**
 * Fields a server sets on every write: an item restored to its before-image differs from it
 * only in these, and a write's answer may carry them where a later read does not.
 */
const STAMPS = new Set(SERVER_STAMPS)

/** The image as compared: stamps left out, secrets redacted (as `redact` does), keys in one order. */
function canonical(value: JsonValue): string {
  const walk = (item: JsonValue): JsonValue => {
    if (Array.isArray(item)) return item.map(walk)
    if (!isJsonObject(item)) return item
    const out: JsonObject = {}
    for (const key of Object.keys(item).sort()) {
      if (STAMPS.has(key)) continue
      const field = item[key]!
      const hidden =
        isSecretKey(key) && (typeof field === 'string' || Array.isArray(field)) && field !== ''
      out[key] = hidden ? REDACTED : walk(field)
    }
    return out
  }
  return JSON.stringify(walk(value))
}

/** Whether two images show the same item (null: no item), stamps and secrets aside. */
export function sameImage(a: JsonValue | null, b: JsonValue | null): boolean {
  if (a == null || b == null) return a === b
  return canonical(a) === canonical(b)
}

/** A short fingerprint of an image, to tell later whether an item is still as a change left it. */
export function fingerprint(value: JsonValue | null): string | null {
  if (value == null) return null
  return crypto().hash('sha256', canonical(value), 'base64url').slice(0, 22)
}

/**
 * The body that puts an item back as `before` had it: a field whose value was not journaled
 * (a secret) keeps the value the item has now, or is left out when the item has none.
 */
export function restoredBody(before: JsonObject, current: JsonValue | null): JsonObject {
  const merge = (kept: JsonValue, now: JsonValue | undefined): JsonValue | undefined => {
    if (kept === REDACTED) return now
    if (Array.isArray(kept)) {
      return kept.map((item, i) => merge(item, Array.isArray(now) ? now[i] : undefined) ?? null)
    }
    if (!isJsonObject(kept)) return kept
    const out: JsonObject = {}
    for (const [key, item] of Object.entries(kept)) {
      const value = merge(item, isJsonObject(now) ? now[key] : undefined)
      if (value !== undefined) out[key] = value
    }
    return out
  }
  const { _rev, ...rest } = before
  return merge(rest, current ?? undefined) as JsonObject
}

/**
 * A name in command text (a -D property, a variable, a JSON key) whose value is blanked: a
 * secret's, or one that names a key (`apiKey`, `sa.key`, `AM_KEY`). Blanking one that was no
 * secret costs only a less useful history line, so the net is wider than the journal's.
 */
function isSecretName(name: string): boolean {
  return isSecretKey(name) || /key$/i.test(name) || /(^|[._-])key([._-]|$)/i.test(name)
}

/** Command text with what looks like a secret's value blanked: option values, -D values, JSON. */
export function redactText(text: string): string {
  const secretName = isSecretName
  return (
    text
      // A PEM private key pasted whole (the class holds no `-`, so it stops at the END line)
      .replace(/(-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----)[A-Za-z0-9+/=\s\\]*/g, '$1***')
      // "password": "x" in an inline JSON body
      .replace(/("([^"\\]*)"\s*:\s*)"(?:[^"\\]|\\.)*"/g, (whole, head: string, key: string) =>
        secretName(key) ? `${head}"***"` : whole
      )
      // password = 'x', token: "x" in a JavaScript line
      .replace(
        /(\b([A-Za-z_$][\w$]*)\s*[:=]\s*)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`)/g,
        (whole, head: string, key: string) => (secretName(key) ? `${head}'***'` : whole)
      )
      // --password x, --password 'x y', --password=x
      .replace(
        /(--([A-Za-z][\w-]*)(?:\s+|=))('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s'"]+)/g,
        (whole, head: string, key: string) => (isSecretKey(key) ? `${head}***` : whole)
      )
      // -D adminPassword=x, -Dtoken=x
      .replace(
        /(-D\s*([\w.-]+)=)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\S+)/g,
        (whole, head: string, key: string) => (secretName(key) ? `${head}***` : whole)
      )
      // X-OpenAM-Password: x, as a header is written (names bounded: no input makes it backtrack far)
      .replace(/\b([\w-]{0,40}(?:password|secret|token)[\w-]{0,40}:[ \t]*)[^\s'"]+/gi, '$1***')
      // Authorization: Bearer eyJ..., Basic dXNlcjpwYXNz
      .replace(/\b(Bearer|Basic)([ \t]+)[\w.~+/=-]{8,}/g, '$1$2***')
  )
}
