import { readdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { entityNames, findEntity, type EntityDef } from '../catalog/catalog.ts'
import type { Profile } from '../catalog/profiles.ts'
import { scriptLanguages } from '../catalog/profiles.ts'
import { OUTPUT_FORMATS } from '../output/format.ts'
import type { Scope, Transport } from '../transport/types.ts'
import { optionsOf } from '../verbs/common.ts'
import { realmsOf } from '../migrate/from-transport.ts'
import { findVerb, isVerbWord, VERBS } from '../verbs/index.ts'
import { schemaFields, typesOf } from '../verbs/schema-fields.ts'

// Tab at the am> prompt. Everything a command may say comes from the verb registry and the
// catalog (verbs, entities, each verb's options for its entity, actions, fields and their
// values); realms, ids and names come from the transport, cached briefly and given up on after
// 300 ms, so Tab never hangs on a server that does not answer. A line that is not a command is
// JavaScript: node's own completer takes it.

export interface CompletionPlace {
  transport: Transport
  profile: Profile
  /** Where relative paths start. */
  cwd: string
}

/** What a completer answers: the candidates, and the part of the line they replace. */
export type Completion = [string[], string]

const META = [':help', ':exit', ':quit', ':load', ':set', ':history']
/** Options whose value is a file (or `@file` for a body). */
const PATH_OPTIONS = new Set(['scriptFile', 'path', 'body', 'file'])
const TRANSPORT_WAIT_MS = 300
const CACHE_MS = 30_000

/** The words of the line so far, the last one (perhaps empty) being the one completed. */
function wordsOf(line: string): string[] {
  const words: string[] = []
  let current = ''
  let quote: string | undefined
  for (const char of line) {
    if (quote) {
      if (char === quote) quote = undefined
      current += char
    } else if (char === '"' || char === "'") {
      quote = char
      current += char
    } else if (/\s/.test(char)) {
      if (current !== '') words.push(current)
      current = ''
    } else {
      current += char
    }
  }
  words.push(current)
  return words
}

function matching(candidates: Iterable<string>, prefix: string, caseless = false): string[] {
  const wanted = caseless ? prefix.toLowerCase() : prefix
  const found = [...new Set(candidates)].filter((c) =>
    (caseless ? c.toLowerCase() : c).startsWith(wanted)
  )
  return found.sort()
}

/** File names below the folder a partial path names, folders with a trailing slash. */
function paths(partial: string, cwd: string): string[] {
  const folder = partial.endsWith('/') ? partial : dirname(partial)
  const shownFolder = partial.includes('/') ? (partial.endsWith('/') ? partial : `${folder}/`) : ''
  const start = partial.endsWith('/') ? '' : partial.slice(partial.lastIndexOf('/') + 1)
  try {
    return readdirSync(resolve(cwd, folder))
      .filter((name) => name.startsWith(start) && (!name.startsWith('.') || start.startsWith('.')))
      .slice(0, 500)
      .map((name) => {
        let isDir = false
        try {
          isDir = statSync(join(resolve(cwd, folder), name)).isDirectory()
        } catch {
          // a dangling link: offered as a file
        }
        return `${shownFolder}${name}${isDir ? '/' : ''}`
      })
  } catch {
    return []
  }
}

/** A word as the shell's tokenizer takes it back: quoted when it holds a space or a quote. */
function quotedIfNeeded(word: string): string {
  return /^[^\s"'\\]+$/.test(word) ? word : JSON.stringify(word)
}

export class Completer {
  readonly #place: () => CompletionPlace
  readonly #cache = new Map<string, { at: number; values: Promise<string[]> }>()

  constructor(place: () => CompletionPlace) {
    this.#place = place
  }

  /**
   * The completions of `line`; undefined when the line is JavaScript (no command word),
   * for node's own completer.
   */
  async complete(line: string): Promise<Completion | undefined> {
    const words = wordsOf(line)
    const word = words.at(-1)!
    if (words.length === 1) {
      if (word.startsWith(':')) return [matching(META, word), word]
      const verbs = matching(
        VERBS.map((verb) => verb.name),
        word
      )
      return verbs.length > 0 ? [verbs, word] : undefined
    }
    const first = words[0]!
    if (first.startsWith(':')) return this.#meta(first, words, word)
    if (!isVerbWord(first)) return undefined
    const verb = findVerb(first)!
    if (verb.takesEntity && words.length === 2) {
      return [matching(entityNames(), word, true), word]
    }
    const entity = verb.takesEntity ? findEntity(words[1]!) : undefined
    const previous = words.at(-2)!
    if (previous.startsWith('--') && !word.startsWith('--')) {
      const option = previous.slice(2)
      const values = await this.#values(option, entity, words, word)
      if (values) return values
    }
    if (word.startsWith('-') || word === '') {
      const options = optionsOf(verb, entity).map((option) => `--${option.name}`)
      return [matching(options, word), word]
    }
    return [[], word]
  }

  #meta(first: string, words: string[], word: string): Completion {
    const { cwd } = this.#place()
    if (first === ':load' || first === ':l' || first === '.') return [paths(word, cwd), word]
    if (first === ':help' || first === ':h' || first === '?') {
      return [matching([...VERBS.map((v) => v.name), ...entityNames()], word, true), word]
    }
    if (first === ':set') {
      if (words.length === 2) return [matching(['errexit', 'output'], word), word]
      if (words[1] === 'errexit') return [matching(['on', 'off'], word), word]
      if (words[1] === 'output') return [matching(OUTPUT_FORMATS, word), word]
    }
    return [[], word]
  }

  /** The values an option may take; undefined when it takes none that can be listed. */
  async #values(
    option: string,
    entity: EntityDef | undefined,
    words: string[],
    word: string
  ): Promise<Completion | undefined> {
    const { cwd, profile } = this.#place()
    if (PATH_OPTIONS.has(option)) {
      if (option === 'body') {
        return word.startsWith('@')
          ? [paths(word.slice(1), cwd).map((p) => `@${p}`), word]
          : [[], word]
      }
      return [paths(word, cwd), word]
    }
    if (option === 'realm') return [matching(await this.#realms(), word), word]
    if (!entity) return undefined
    const scope = scopeOf(words)
    if (option === 'actionName') {
      const actions = Object.keys(entity.scopes[scope.kind]?.actions ?? {})
      return [matching(actions, word), word]
    }
    if (option === 'id' || (option === 'name' && entity.nameField)) {
      const field = option === 'id' ? entity.idField : entity.nameField!
      const values = await this.#fieldValues(entity, scope, field)
      const typed = word.replace(/^["']/, '')
      return [matching(values, typed, true).map(quotedIfNeeded), word]
    }
    if (option === 'set') return [this.#setValues(entity, word, profile), word]
    return undefined
  }

  /** `--set field=value`: the fields the entity's update schema names, then their values. */
  #setValues(entity: EntityDef, word: string, profile: Profile): string[] {
    const schema = entity.scopes.realm?.update?.schema ?? entity.scopes.global?.update?.schema
    if (!schema) return []
    const fields = schemaFields(schema)
    const equals = word.indexOf('=')
    if (equals < 0)
      return matching(
        fields.map((field) => `${field.name}=`),
        word
      )
    const name = word.slice(0, equals)
    const field = fields.find((f) => f.name === name)
    let values = (field?.schema.enum ?? []).map(String)
    // AM's contexts and languages are the product's, not the schema's.
    if (name === 'context') values = Object.keys(profile.contexts)
    if (name === 'language') values = scriptLanguages(profile)
    if (field && values.length === 0 && typesOf(field.schema).includes('boolean'))
      values = ['true', 'false']
    return matching(
      values.map((value) => `${name}=${value}`),
      word,
      true
    )
  }

  /** What the transport answers, cached; nothing after 300 ms or on a failure. */
  #cached(key: string, load: () => Promise<string[]>): Promise<string[]> {
    const hit = this.#cache.get(key)
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.values
    const values = load().catch(() => [] as string[])
    this.#cache.set(key, { at: Date.now(), values })
    // A failure is not kept: the next Tab asks again.
    void values.then((found) => {
      if (found.length === 0) this.#cache.delete(key)
    })
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<string[]>((done) => {
      timer = setTimeout(() => done([]), TRANSPORT_WAIT_MS)
    })
    return Promise.race([values, late]).finally(() => clearTimeout(timer))
  }

  async #realms(): Promise<string[]> {
    const { transport } = this.#place()
    const found = await this.#cached('realms', () => realmsOf(transport))
    return found.length > 0 ? found : ['/']
  }

  #fieldValues(entity: EntityDef, scope: Scope, field: string): Promise<string[]> {
    const { transport } = this.#place()
    const where = scope.kind === 'global' ? 'global' : scope.realm
    return this.#cached(`${entity.name} ${where} ${field}`, async () => {
      const page = await transport.query(
        { entity, scope },
        { filter: 'true', fields: [field], pageSize: 1000 }
      )
      return page.result.map((item) => item[field]).filter((v) => typeof v === 'string')
    })
  }
}

/** The scope a command line names so far: its --realm, else the global one. */
function scopeOf(words: string[]): Scope {
  const at = words.indexOf('--realm')
  const realm = at >= 0 ? words[at + 1] : undefined
  return realm && at + 1 < words.length - 1
    ? { kind: 'realm', realm: realm.replace(/^["']|["']$/g, '') }
    : { kind: 'global' }
}
