import { isJsonObject, jsonPointer, type JsonObject } from '../../json.ts'
import { decodeScript, encodeScript } from '../../kinds/am-script/fields.ts'
import type { ConfigItem, FormatReader, ReadContext } from '../items.ts'
import { invalid, readReference, realmPath, scriptItem, scriptObject, slashed } from './shared.ts'

// frodo's script exports (rockcarver/frodo-cli, frodo-lib): `{ meta?, script: { <_id>: script } }`
// in a `<name>.script.json` file, one script or many (`script export -a` writes every script of a
// realm to one file, and a script's libraries go with it), and the whole-tenant export
// `{ meta?, global, realm: { <folder>: { script: {...}, ... } } }` (`config export -a`).
//
// A script's source takes one of three shapes: a `file://<name>` reference to a file beside the
// JSON (extracted, frodo-cli's default), an array of lines (`script export` without extraction),
// or a string. frodo's import takes a string that is all base64 as AM's wire form and
// encodes any other string as source text (a full export without string arrays holds decoded
// text); the same rule is used here. frodo joins lines with "\n"; its export also turned tabs into
// four spaces, which cannot be undone.
//
// Realms: `config export -A` writes `realm/<folder>/script/`, and the whole-tenant file keys
// `realm` by the same folder name. frodo-lib (getRealmsForExport / getRealmUsingExportFormat)
// makes it "root" for the top-level realm and "root-" + the path's names joined by "-", a "-"
// inside a name doubled ("/first/second" → root-first-second, "/my-realm" → root-my--realm).
// Exports from before that doubling (frodo-lib 4.0) wrote a dash in a name as is, and it reads
// back as a sub-realm, as it does in frodo.

const NAMED = /\.script\.json$/i
/** `…/realm/<folder>/script/<file>`: a file of `config export -A`. */
const REALM_FOLDER = /(?:^|\/)realm\/([^/]+)\/script\/[^/]+$/

/** The base64 alphabet in groups of four, padded: the test frodo's import uses. */
const BASE64 = /^([0-9a-zA-Z+/]{4})*(([0-9a-zA-Z+/]{2}==)|([0-9a-zA-Z+/]{3}=))?$/

const SINGLE_KEYS = new Set(['meta', 'script'])
const FULL_KEYS = new Set(['meta', 'global', 'realm'])

function keysWithin(json: JsonObject, allowed: Set<string>): boolean {
  return Object.keys(json).every((key) => allowed.has(key))
}

/** `{ meta?, script: { <_id>: {...} } }` with at least one script. */
function isScriptExport(json: JsonObject): boolean {
  const scripts = json.script
  return (
    keysWithin(json, SINGLE_KEYS) &&
    isJsonObject(scripts) &&
    Object.keys(scripts).length > 0 &&
    Object.values(scripts).every(isJsonObject)
  )
}

/** `{ meta?, global?, realm: { <folder>: { script?: ... } } }` with scripts in some realm. */
function isFullExport(json: JsonObject): boolean {
  const realms = json.realm
  if (!keysWithin(json, FULL_KEYS) || !isJsonObject(realms)) return false
  const folders = Object.values(realms)
  return folders.every(isJsonObject) && folders.some((folder) => 'script' in folder)
}

/** The realm path frodo's folder name stands for (see the rule above). */
export function frodoRealm(folder: string, file: string): string {
  const path =
    folder === 'root' ? '/' : folder.replace(/^root-|--|-/g, (m) => (m === '--' ? '-' : '/'))
  return realmPath(path.startsWith('/') ? path : `/${path}`, file, folder)
}

/** The realm a `*.script.json` file goes to: its `realm/<folder>/` if it has one. */
function realmOfFile(context: ReadContext): string {
  const folder = REALM_FOLDER.exec(slashed(context.file))?.[1]
  return folder === undefined ? context.defaultRealm : frodoRealm(folder, context.file)
}

/** AM's base64 for the source at `at`, and what was done to get it, if anything. */
function wireSource(value: unknown, context: ReadContext, at: string): [string, string[]] {
  const file = context.file
  if (Array.isArray(value)) {
    value.forEach((line, i) => {
      if (typeof line !== 'string') {
        throw invalid(file, `${at}/${i}`, 'a line of the source is not a string')
      }
    })
    return [encodeScript(value.join('\n')), [`source joined from ${value.length} lines`]]
  }
  if (typeof value !== 'string') {
    const what = value === undefined ? 'is missing' : 'is not a string or an array of lines'
    throw invalid(file, at, `script ${what}`)
  }
  if (value.startsWith('file://')) {
    const name = value.slice('file://'.length)
    if (name === '') throw invalid(file, at, 'script is a file:// reference with no file name')
    const source = readReference(context, name, at, value)
    return [encodeScript(source), [`source read from ${name}`]]
  }
  if (BASE64.test(value) && decodeScript(value) !== undefined) return [value, []]
  return [encodeScript(value), ['source text encoded as base64']]
}

function readScript(key: string, value: unknown, context: ReadContext, at: string) {
  const script = scriptObject(value, context.file, at)
  if (script._id !== key) {
    throw invalid(
      context.file,
      `${at}${jsonPointer('_id')}`,
      `_id is "${String(script._id)}" but the script is filed under "${key}"`
    )
  }
  const [source, normalised] = wireSource(script.script, context, `${at}${jsonPointer('script')}`)
  const body: JsonObject = { ...script, script: source }
  if ('exports' in body) {
    // frodo merges in what AM's libraries endpoint says a library exports; AM derives it from
    // the source and does not keep it on the script.
    delete body.exports
    normalised.push('exports dropped (frodo adds them from the libraries endpoint)')
  }
  return { body, normalised }
}

function readScripts(
  scripts: unknown,
  realm: string,
  context: ReadContext,
  at: string
): ConfigItem[] {
  if (!isJsonObject(scripts)) {
    throw invalid(context.file, at, 'script is not an object of scripts keyed by _id')
  }
  return Object.entries(scripts).map(([key, value]) => {
    const { body, normalised } = readScript(key, value, context, `${at}${jsonPointer(key)}`)
    return scriptItem(body, realm, context.file, normalised)
  })
}

export const frodoReader: FormatReader = {
  name: 'frodo',

  claims(json: unknown, file: string): boolean {
    if (NAMED.test(file)) return true
    return isJsonObject(json) && (isScriptExport(json) || isFullExport(json))
  },

  read(json: unknown, context: ReadContext): ConfigItem[] {
    if (!isJsonObject(json)) {
      throw invalid(context.file, '', 'a frodo script export is a JSON object')
    }
    if (!('script' in json) && isJsonObject(json.realm)) {
      const items: ConfigItem[] = []
      for (const [folder, config] of Object.entries(json.realm)) {
        const at = jsonPointer('realm', folder)
        if (!isJsonObject(config)) throw invalid(context.file, at, 'a realm is not an object')
        if (!('script' in config)) continue
        const realm = frodoRealm(folder, context.file)
        items.push(...readScripts(config.script, realm, context, `${at}${jsonPointer('script')}`))
      }
      return items
    }
    return readScripts(json.script, realmOfFile(context), context, jsonPointer('script'))
  },
}
