import { extname, resolve } from 'node:path'
import { entityMessage, type EntityDef } from '../../catalog/catalog.ts'
import { checkSource, syntaxError } from '../../catalog/syntax/index.ts'
import { AmshError } from '../../errors.ts'
import { readUserFile } from '../../files.ts'
import type { JsonObject } from '../../json.ts'
import { sourceOptions } from '../source-options.ts'
import type { Kind, LoadedBody, WriteContext } from '../types.ts'
import { scriptTemplate } from './template.ts'
import { validateCustomScript } from './validate.ts'

// Janssen (Gluu) custom scripts (jans-core CustomScript.java, jans-config-api
// CustomScriptResource.java): the source travels as text in `script`, the id is the inum (a
// UUID the server makes up), names are unique, `revision` goes up by one at each update, a
// script sent without source gets the server's template for its type, and `locationType ldap`
// is refused as deprecated. The local store keeps them beside AM's scripts: neither kind knows
// of the other.

const LANGUAGE_BY_EXTENSION: Record<string, string> = { '.py': 'python', '.java': 'java' }
const EXTENSION_BY_LANGUAGE: Record<string, string> = { python: 'py', java: 'java' }

function extensionOf(body: JsonObject): string {
  return EXTENSION_BY_LANGUAGE[String(body.programmingLanguage).toLowerCase()] ?? 'txt'
}

/**
 * The enums as Janssen's wire has them: its values in lower case (`person_authentication`,
 * `python`, `db`). Janssen reads them without regard to case, so the Java names work too
 * (`PERSON_AUTHENTICATION`; `CONFIG_API`, whose value is `config_api_auth`).
 */
export function canonical(body: JsonObject): JsonObject {
  const out = { ...body }
  for (const field of ['scriptType', 'programmingLanguage', 'locationType']) {
    const value = out[field]
    if (typeof value === 'string') out[field] = value.toLowerCase()
  }
  if (out.scriptType === 'config_api') out.scriptType = 'config_api_auth'
  return out
}

function invalid(message: string): AmshError {
  return new AmshError('E_INVALID', message)
}

/** What Janssen refuses of a body before it keeps it, in its words where it has them. */
function refusal(entity: EntityDef, body: JsonObject): AmshError | undefined {
  if (body.locationType === 'ldap') return invalid(entityMessage(entity, 'ldapLocation'))
  const { name } = body
  if (typeof name !== 'string' || name === '') return invalid('name must be specified')
  if (!/^[a-zA-Z0-9_:/.-]{2,60}$/.test(name)) {
    return invalid(
      `Invalid script name '${name}': 2 to 60 letters, digits and _ - : / . (Janssen's ^[a-zA-Z0-9_\\-\\:\\/\\.]+$)`
    )
  }
  for (const field of ['scriptType', 'programmingLanguage']) {
    if (typeof body[field] !== 'string') return invalid(`${field} must be specified`)
  }
  return undefined
}

/** The fields a client may set, as kept: the server's own (dn, inum, revision) are its to set. */
function kept(sent: JsonObject, ctx: WriteContext): JsonObject {
  const body = canonical(sent)
  const problem = refusal(ctx.entity, body)
  if (problem) throw problem
  const { dn: _dn, inum: _inum, _rev, baseDn: _baseDn, modified: _m, internal: _i, ...doc } = body
  return {
    ...doc,
    script: body.script ?? scriptTemplate(String(body.scriptType)),
    enabled: body.enabled ?? false,
    locationType: body.locationType ?? 'db',
  }
}

export const jansScript: Kind = {
  name: 'jans-script',
  confirmDelete: true,
  // Janssen counts revisions itself and makes the dn from the inum: an import leaves both.
  stamps: ['revision', 'dn', 'baseDn', 'modified', 'internal', 'scriptError'],
  source: {
    field: 'script',
    read(body) {
      return typeof body.script === 'string'
        ? { text: body.script, extension: extensionOf(body) }
        : undefined
    },
    display: (body) =>
      typeof body.script === 'string' ? { text: body.script, escaped: false } : undefined,
    extension: extensionOf,
    write: (body, text) => ({ ...body, script: text }),
  },
  options: [
    ...sourceOptions('a source file (.py, .java): becomes the "script" of the body'),
    {
      name: 'type',
      type: 'string',
      value: 'scriptType',
      help: 'only scripts of this type, e.g. PERSON_AUTHENTICATION',
      verbs: ['query'],
    },
    {
      name: 'pattern',
      type: 'string',
      help: 'only scripts whose name or description contains this text',
      verbs: ['query'],
    },
  ],

  normalise(body) {
    const out = canonical(body)
    const changed = ['scriptType', 'programmingLanguage', 'locationType'].filter(
      (field) => out[field] !== body[field]
    )
    return {
      body: out,
      notes: changed.map(
        (field) => `${field} ${String(body[field])} read as "${String(out[field])}"`
      ),
    }
  },

  assemble(loaded, ctx): LoadedBody {
    const { scriptFile } = ctx.options
    if (typeof scriptFile !== 'string') return { ...loaded, body: canonical(loaded.body) }
    const path = resolve(ctx.baseDir, scriptFile)
    const body: JsonObject = {
      ...canonical(loaded.body),
      script: readUserFile(path, 'script file'),
    }
    const language = LANGUAGE_BY_EXTENSION[extname(path).toLowerCase()]
    if (body.programmingLanguage === undefined && language) body.programmingLanguage = language
    return { body, origin: path }
  },

  bodyProblems(body) {
    return body.locationType === 'ldap'
      ? [
          {
            pointer: '/locationType',
            message: 'is ldap, which Janssen no longer takes: use db (or file)',
          },
        ]
      : []
  },

  async checkSource(loaded, ctx) {
    // validate reports syntax errors as its result; what stores a script refuses them.
    if (ctx.operation === 'validate' || ctx.options.skipSourceCheck) return
    const { script, programmingLanguage } = loaded.body
    if (typeof script !== 'string') return
    const language = String(programmingLanguage).toUpperCase()
    if (language !== 'PYTHON' && language !== 'JAVA') return
    const problems = await checkSource(language, script)
    if (problems.length > 0) throw syntaxError(language, loaded.origin, problems)
  },

  narrowFilter(narrow) {
    const parts: string[] = []
    if (narrow.type !== undefined) {
      const { scriptType } = canonical({ scriptType: narrow.type })
      parts.push(`scriptType eq ${JSON.stringify(scriptType)}`)
    }
    if (narrow.pattern !== undefined) {
      const text = JSON.stringify(narrow.pattern)
      parts.push(`(name co ${text} or description co ${text})`)
    }
    return parts.join(' and ')
  },

  store: {
    forCreate: (body, ctx) => ({ ...kept(body, ctx), revision: 1 }),
    forUpdate(body, stored, ctx) {
      const revision = typeof stored.revision === 'number' ? stored.revision : 0
      return { ...kept(body, ctx), revision: revision + 1 }
    },
    present: (doc, id) => ({ dn: `inum=${id},ou=scripts,o=jans`, ...doc }),
    revisionShown: 'never',
    uniqueNames: true,
    actions: {
      validate: ({ target, body }) => validateCustomScript(target.entity, canonical(body)),
    },
  },
}
