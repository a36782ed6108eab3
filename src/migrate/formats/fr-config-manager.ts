import { isJsonObject, jsonPointer, type JsonObject } from '../../json.ts'
import { encodeScript } from '../../kinds/am-script/fields.ts'
import type { ConfigItem, FormatReader, ReadContext } from '../items.ts'
import { invalid, readReference, realmPath, scriptItem, scriptObject, slashed } from './shared.ts'

// fr-config-manager's script tree (ForgeRock/fr-config-manager, fr-config-pull scripts.js and
// fr-config-push update-scripts.js), which frodo's `config-manager` commands also write:
//
//   realms/<realm>/scripts/scripts-config/<_id>.json         the script, "script": {"file": ...}
//   realms/<realm>/scripts/scripts-content/<CONTEXT>/<name>  its source as UTF-8 text
//
// `file` is relative to realms/<realm>/scripts, the folder above scripts-config; push reads
// only the .json files directly in scripts-config. Push drops the four audit fields before its
// PUT and sends a null description as "", and so does this reader, so that what is compared and
// written is what fr-config-push would send. Push substitutes no ${...} placeholders in scripts.
//
// <realm> is a realm's name under the top-level realm (alpha, bravo: push sends to
// /realms/root/realms/<realm>); frodo writes the top-level realm as "root", and reads it back so.

const CONFIG_FILE = /(?:^|\/)scripts-config\/[^/]+\.json$/i
const REALM_FOLDER = /(?:^|\/)realms\/([^/]+)\/scripts\/scripts-config\/[^/]+$/

const AUDIT_FIELDS = ['createdBy', 'creationDate', 'lastModifiedBy', 'lastModifiedDate']

function realmOf(context: ReadContext): string {
  const folder = REALM_FOLDER.exec(slashed(context.file))?.[1]
  if (folder === undefined) return context.defaultRealm
  return realmPath(folder === 'root' ? '/' : `/${folder}`, context.file, folder)
}

export const frConfigManagerReader: FormatReader = {
  name: 'fr-config-manager',

  claims(json: unknown, file: string): boolean {
    return (
      CONFIG_FILE.test(slashed(file)) &&
      isJsonObject(json) &&
      isJsonObject(json.script) &&
      'file' in json.script
    )
  },

  read(json: unknown, context: ReadContext): ConfigItem[] {
    const file = context.file
    const script = scriptObject(json, file, '')
    const reference = isJsonObject(script.script) ? script.script.file : undefined
    const at = jsonPointer('script', 'file')
    if (typeof reference !== 'string' || reference === '') {
      throw invalid(file, at, 'the source file is not named by a non-empty string')
    }
    // The reference is relative to the folder above scripts-config, where this file lies.
    const source = readReference(context, `../${reference}`, at, reference)
    const body: JsonObject = { ...script, script: encodeScript(source) }
    const normalised = [`source read from ${reference}`]

    const dropped = AUDIT_FIELDS.filter((field) => field in body)
    for (const field of dropped) delete body[field]
    if (dropped.length > 0) {
      normalised.push(`${dropped.join(', ')} dropped (fr-config-push does not send them)`)
    }
    if ('description' in body && body.description == null) {
      body.description = ''
      normalised.push('a null description sent as "" (as fr-config-push does)')
    }
    return [scriptItem(body, realmOf(context), file, normalised)]
  },
}
