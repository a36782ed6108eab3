import { extname, resolve } from 'node:path'
import { entityMessage, type EntityDef } from '../../catalog/catalog.ts'
import { scriptLanguages, type DefaultScript, type Profile } from '../../catalog/profiles.ts'
import { checkSource, syntaxError, type ScriptLanguage } from '../../catalog/syntax/index.ts'
import { AmshError } from '../../errors.ts'
import { readUserFile } from '../../files.ts'
import type { JsonObject, JsonValue } from '../../json.ts'
import { sourceOptions } from '../source-options.ts'
import type { Kind, LoadedBody, SeedItem } from '../types.ts'
import { decodeScript, decodeScriptEscaped, encodeScript, scriptFieldProblems } from './fields.ts'
import { presentScript, scriptForCreate, scriptForUpdate } from './store-rules.ts'

// AM scripts: the source travels base64-encoded in `script`, its language and context follow the
// product's rules (schemas/profiles/), it must parse before it is sent, names are unique within
// a realm and the global scripts, and a new store holds the product's default scripts.

const LANGUAGE_BY_EXTENSION: Record<string, string> = {
  '.js': 'JAVASCRIPT',
  '.mjs': 'JAVASCRIPT',
  '.cjs': 'JAVASCRIPT',
  '.groovy': 'GROOVY',
}

/** The principal AM stamps on the scripts it ships. */
const SHIPPED_BY = 'id=dsameuser,ou=user,ou=am-config'

/** Whether the operation stores a script (create, update, createGlobal) rather than checks one. */
function stores(operation: string): boolean {
  return operation !== 'validate'
}

/** The problems of a decoded source in a language amsh has a checker for; none for any other. */
function problemsOf(language: string, source: string) {
  const checked = language === 'JAVASCRIPT' || language === 'GROOVY'
  return checked ? checkSource(language as ScriptLanguage, source) : Promise.resolve([])
}

/** The problems of a body's source, when it has one amsh can read. */
async function sourceProblems(body: JsonObject) {
  const language = typeof body.language === 'string' ? body.language.toUpperCase() : ''
  const source = typeof body.script === 'string' ? decodeScript(body.script) : undefined
  return { language, problems: source === undefined ? [] : await problemsOf(language, source) }
}

async function validate(entity: EntityDef, body: JsonObject, profile: Profile): Promise<JsonValue> {
  if (typeof body.script !== 'string') {
    throw new AmshError('E_INVALID', entityMessage(entity, 'missing:script'))
  }
  const language = typeof body.language === 'string' ? body.language.toUpperCase() : undefined
  if (language === undefined || !scriptLanguages(profile).includes(language)) {
    throw new AmshError(
      'E_INVALID',
      entityMessage(entity, 'unknownLanguage', { value: String(body.language ?? null) })
    )
  }
  const source = decodeScript(body.script)
  if (source === undefined) throw new AmshError('E_INVALID', entityMessage(entity, 'badEncoding'))
  const problems = await problemsOf(language, source)
  return problems.length === 0
    ? { success: true }
    : {
        success: false,
        errors: problems.map((e) => ({ line: e.line, column: e.column, message: e.message })),
      }
}

/**
 * AM's default scripts carry ForgeRock / Ping Identity licence terms, so amsh does not bundle
 * their text; a comment (valid in JavaScript and Groovy alike) says so where the source would be.
 */
function defaultScriptSource(script: DefaultScript): string {
  return [
    '/*',
    ` * AM's default script "${script.name}" (${script.language}, ${script.context}).`,
    ' * amsh does not bundle its source, which carries ForgeRock / Ping Identity licence terms.',
    ' * This local store keeps its id, name and type, so queries, names and deletes behave as in AM.',
    ' */',
    '',
  ].join('\n')
}

const EXTENSION_BY_LANGUAGE: Record<string, string> = { JAVASCRIPT: 'js', GROOVY: 'groovy' }

function extensionOf(body: JsonObject): string {
  const language = typeof body.language === 'string' ? body.language.toUpperCase() : ''
  return EXTENSION_BY_LANGUAGE[language] ?? 'txt'
}

export const amScript: Kind = {
  name: 'am-script',
  source: {
    field: 'script',
    read(body) {
      const text = typeof body.script === 'string' ? decodeScript(body.script) : undefined
      return text === undefined ? undefined : { text, extension: extensionOf(body) }
    },
    display: (body) =>
      typeof body.script === 'string' ? decodeScriptEscaped(body.script) : undefined,
    extension: extensionOf,
    write: (body, text) => ({ ...body, script: encodeScript(text) }),
  },

  normalise(body) {
    const notes: string[] = []
    let out = body
    const version = /^V(\d+)_(\d+)$/.exec(String(body.evaluatorVersion))
    if (version) {
      // AM 8.0.2 exports name evaluator versions as its Java enum does.
      const plain = `${version[1]}.${version[2]}`
      notes.push(`evaluatorVersion ${String(body.evaluatorVersion)} read as "${plain}"`)
      out = { ...out, evaluatorVersion: plain }
    }
    if ('description' in body && body.description == null) {
      // A real AM exports a script without a description as null, and reads it back as null.
      notes.push('description null read as ""')
      out = { ...out, description: '' }
    }
    return { body: out, notes }
  },

  neverCreated: (body) =>
    body.default === true
      ? 'it is a default script: those come with the product, so an import updates them and never creates one'
      : undefined,

  dependsOn(body) {
    const text = typeof body.script === 'string' ? decodeScript(body.script) : undefined
    if (!text || !text.includes('require')) return []
    return [...text.matchAll(/\brequire\s*\(\s*(['"])([^'"\n]{1,200})\1\s*\)/g)].map((m) => m[2]!)
  },
  options: [
    ...sourceOptions('a script source file: becomes the base64 "script" of the body'),
    {
      name: 'id',
      type: 'string',
      help: 'createGlobal: the id of the new global script (the server makes one up when left out)',
      verbs: ['action'],
    },
  ],

  assemble(loaded, ctx): LoadedBody {
    let { body, origin } = loaded
    const { scriptFile, id } = ctx.options
    if (typeof id === 'string') body = { ...body, _id: id }
    if (typeof scriptFile === 'string') {
      const path = resolve(ctx.baseDir, scriptFile)
      body = { ...body, script: encodeScript(readUserFile(path, 'script file')) }
      const language = LANGUAGE_BY_EXTENSION[extname(path).toLowerCase()]
      if (body.language === undefined && language) body.language = language
      origin = path
    }
    return { body, origin }
  },

  bodyProblems(body, ctx) {
    return scriptFieldProblems(body, ctx.profile)
  },

  async checkSource(loaded, ctx) {
    // validate reports syntax errors as its result; what stores a script refuses them.
    if (!stores(ctx.operation) || ctx.options.skipSourceCheck) return
    const { language, problems } = await sourceProblems(loaded.body)
    if (problems.length > 0) throw syntaxError(language, loaded.origin, problems)
  },

  store: {
    forCreate: (body, ctx) => scriptForCreate(body, ctx),
    forUpdate: (body, stored, ctx) => scriptForUpdate(body, stored, ctx),
    present: presentScript,
    revisionShown: 'writes',
    uniqueNames: true,
    refuseDelete(stored, entity) {
      if (stored.default !== true) return undefined
      return new AmshError(
        'E_FORBIDDEN',
        entityMessage(entity, 'deleteDefault', { name: String(stored.name) })
      )
    },
    seed(entity, profile): SeedItem[] {
      const ctx = { entity, profile, user: SHIPPED_BY, now: 0 }
      return profile.defaultScripts.map((script) => ({
        realm: undefined,
        id: script._id,
        body: scriptForCreate(
          { ...script, script: encodeScript(defaultScriptSource(script)) },
          ctx,
          true
        ),
      }))
    },
    actions: {
      validate: ({ target, body, ctx }) => validate(target.entity, body, ctx.profile),
      // A global script is listed in every realm; exports carry its id, so a given one is kept.
      createGlobal: ({ target, body, store }) =>
        store.create(
          target.entity,
          undefined,
          body,
          typeof body._id === 'string' ? body._id : undefined
        ),
    },
  },
}
