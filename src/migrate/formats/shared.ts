import { normaliseRealm } from '../../crest/realm.ts'
import { AmshError } from '../../errors.ts'
import { isJsonObject, jsonPointer, type JsonObject } from '../../json.ts'
import type { ConfigItem, ReadContext } from '../items.ts'

// What the script formats have in common: errors that name the file and the place in it, the
// checks every script object must pass, reading a source file a JSON file refers to, and the item
// a script becomes.

/** A file that breaks its format, said with the place (`at`, a JSON pointer; '' the whole file). */
export function invalid(file: string, at: string, message: string): AmshError {
  return new AmshError(
    'E_INVALID',
    at === '' ? `${file}: ${message}` : `${file} ${at}: ${message}`,
    {
      details: { file, pointer: at },
    }
  )
}

function kindOf(value: unknown): string {
  if (value == null) return 'null'
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`
}

function requireString(body: JsonObject, field: string, file: string, at: string): string {
  const value = body[field]
  if (typeof value !== 'string' || value === '') {
    const what =
      value === undefined
        ? 'is missing'
        : value === ''
          ? 'is empty'
          : `is ${kindOf(value)}, not a string`
    throw invalid(file, `${at}${jsonPointer(field)}`, `${field} ${what}`)
  }
  return value
}

/**
 * The script object at `at` in `file`, checked for what every Scripts item needs: an `_id` to be
 * addressed by and a `name` AM keys it on.
 */
export function scriptObject(value: unknown, file: string, at: string): JsonObject {
  if (!isJsonObject(value)) {
    throw invalid(file, at, `a script is a JSON object, not ${kindOf(value)}`)
  }
  requireString(value, '_id', file, at)
  requireString(value, 'name', file, at)
  return value
}

/**
 * The text of the file a JSON file names for a script's source. readBeside says what went wrong
 * (a file that is missing, a name that leads out of the root); the error here adds which file
 * referred to it, where, and by what name, since a bare "no such file" would not say.
 */
export function readReference(
  context: ReadContext,
  name: string,
  at: string,
  shown: string
): string {
  try {
    return context.readBeside(name)
  } catch (err) {
    if (!(err instanceof AmshError)) throw err
    throw new AmshError(err.code, `${context.file} ${at}: ${shown}: ${err.message}`, {
      details: { file: context.file, pointer: at, reference: shown },
      cause: err,
    })
  }
}

/** A realm path a format spelt in a folder name, as amsh writes realms; E_INVALID if it is none. */
export function realmPath(path: string, file: string, folder: string): string {
  try {
    return normaliseRealm(path)
  } catch (err) {
    const reason = err instanceof AmshError ? err.message : String(err)
    throw invalid(file, '', `the folder "${folder}" does not name a realm (${reason})`)
  }
}

/** Paths as the importer gives them, with `/` between folders whatever the platform. */
export function slashed(file: string): string {
  return file.replace(/\\/g, '/')
}

export function scriptItem(
  body: JsonObject,
  realm: string,
  file: string,
  normalised: string[]
): ConfigItem {
  return {
    entity: 'Scripts',
    scope: { kind: 'realm', realm },
    id: body._id as string,
    body,
    file,
    ...(normalised.length > 0 ? { normalised } : {}),
  }
}
