import { getEntity } from '../../catalog/catalog.ts'
import { normaliseRealm } from '../../crest/realm.ts'
import { AmshError } from '../../errors.ts'
import { isJsonObject, type JsonObject } from '../../json.ts'
import { kindOf } from '../../kinds/index.ts'
import type { Scope } from '../../transport/types.ts'
import type { ConfigItem, FormatReader, ReadContext } from '../items.ts'
import { safeName } from '../layout.ts'

// Amster's export files: {"metadata": {realm, amsterVersion, entityType, entityId, pathParams},
// "data": <the resource>}. The entity comes from the metadata, never from where the file lies.
// amsterVersion is not read at all: real exports hold placeholders there (`&{version}`,
// `@project.version@`) as often as versions.

/** An entity type this amsh does not know: the file is skipped, with the reason, not failed. */
export class UnknownEntity extends Error {}

function metadataOf(json: unknown): JsonObject | undefined {
  return isJsonObject(json) && isJsonObject(json.metadata) ? json.metadata : undefined
}

/** Whether a text is still an unexpanded placeholder (`&{realm}`, `@realm@`, `AMSTER{realm}`). */
function isPlaceholder(text: string): boolean {
  return /&\{|AMSTER\{|^@[\w.-]+@$|^%[\w.-]+%$/.test(text)
}

/**
 * The scope of a file: `realm: null` is the global configuration. A realm that is still a
 * placeholder (expressions are resolved before this, so it is one nobody defined) falls back to
 * the realm folder the file lies in (`realms/root-alpha/...`), as Amster lays exports out.
 */
function scopeOf(metadata: JsonObject, file: string): Scope {
  const { realm } = metadata
  if (realm == null) return { kind: 'global' }
  if (typeof realm !== 'string') {
    throw new AmshError(
      'E_INVALID',
      `/metadata/realm must be a realm path or null, not ${JSON.stringify(realm)}`
    )
  }
  if (!isPlaceholder(realm)) return { kind: 'realm', realm: normaliseRealm(realm) }
  const folder = /(?:^|\/)realms\/(root(?:-[^/]+)?)\//.exec(file)?.[1]
  if (!folder) {
    throw new AmshError(
      'E_INVALID',
      `/metadata/realm is the placeholder ${realm}, and the file does not lie in a realms/root... folder that would name the realm; define it (e.g. -D) or move the file`
    )
  }
  return {
    kind: 'realm',
    realm: folder === 'root' ? '/' : folder.slice('root'.length).replaceAll('-', '/'),
  }
}

/**
 * AM's file-based configuration (FBC) has the same envelope, but its metadata carries the
 * directory entry it stands for (sunServiceID, uid, objectClass) and its entity is a service
 * (`ScriptingService`): AM reads it from its configuration folder at start-up.
 */
export function fileBasedConfiguration(json: unknown): string | undefined {
  const metadata = metadataOf(json)
  const marker = ['sunServiceID', 'uid', 'objectClass'].find((key) => metadata && key in metadata)
  return marker
    ? `AM file-based configuration (its metadata has ${marker}), which AM reads from its configuration folder at start-up; it is not an Amster export and is not imported`
    : undefined
}

export const amsterFormat: FormatReader = {
  name: 'Amster',
  claims: (json) => {
    const metadata = metadataOf(json)
    return (
      metadata !== undefined &&
      typeof metadata.entityType === 'string' &&
      'data' in (json as JsonObject)
    )
  },
  read(json, context): ConfigItem[] {
    const file = json as JsonObject
    const metadata = metadataOf(json)!
    if (!isJsonObject(file.data)) {
      throw new AmshError(
        'E_INVALID',
        `/data must be the resource, a JSON object, not ${JSON.stringify(file.data)}`
      )
    }
    let entity
    try {
      entity = getEntity(String(metadata.entityType))
    } catch {
      throw new UnknownEntity(`entity type ${String(metadata.entityType)} is not one amsh knows`)
    }
    const scope = scopeOf(metadata, context.file)
    if (!entity.scopes[scope.kind]) {
      const where =
        scope.kind === 'global'
          ? 'global (/metadata/realm is null)'
          : `in a realm (/metadata/realm is ${scope.kind === 'realm' ? scope.realm : ''})`
      throw new AmshError('E_INVALID', `${entity.name} has no ${where} configuration`)
    }
    const data = file.data
    const rawId = entity.singleton ? '' : (data[entity.idField] ?? metadata.entityId)
    if (typeof rawId !== 'string' || (!entity.singleton && rawId === '')) {
      throw new AmshError(
        'E_INVALID',
        `/data/${entity.idField} (or /metadata/entityId) must name the ${entity.name} item`
      )
    }
    const item: ConfigItem = {
      entity: entity.name,
      scope,
      id: rawId,
      body: data,
      file: context.file,
    }
    return [withExtractedSource(item, context)]
  },
}

/**
 * The rule for `export-config --extract` trees: a source file named after the item
 * (`<name>.js` / `.groovy`) beside its JSON is what the user edits, so when its text differs from
 * the JSON's, the source file wins, and the plan says so.
 */
function withExtractedSource(item: ConfigItem, context: ReadContext): ConfigItem {
  const source = kindOf(getEntity(item.entity)).source
  const name = item.body.name
  if (!source || typeof name !== 'string') return item
  // Asked of every script: the source is decoded only when there is a file to compare it with.
  const beside = `${safeName(name)}.${source.extension(item.body)}`
  if (!context.exists(beside)) return item
  const text = context.readBeside(beside)
  if (text === source.read(item.body)?.text) return item
  return {
    ...item,
    body: source.write(item.body, text),
    normalised: [
      ...(item.normalised ?? []),
      `source taken from ${beside} (it differs from the JSON's)`,
    ],
  }
}
