import type { JsonObject } from '../json.ts'
import type { BodyProblem } from './schemas.ts'
import {
  evaluatorVersions,
  normaliseEvaluatorVersion,
  resolveContext,
  scriptLanguages,
  type Profile,
} from './profiles.ts'

// The rules of a Scripts body that JSON Schema cannot say: the product's contexts, the languages
// each context takes, the evaluator versions, and a script that really is base64 of UTF-8 text.

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** The source inside a base64 `script` value; undefined when it is not base64 of UTF-8 text. */
export function decodeScript(value: string): string | undefined {
  // Wrapped base64 (as `base64` prints it, 76 columns) is common in pasted bodies.
  const compact = value.replace(/\s+/g, '')
  if (!BASE64.test(compact) || compact.length % 4 === 1) return undefined
  try {
    return utf8.decode(Buffer.from(compact, 'base64'))
  } catch {
    return undefined
  }
}

export function encodeScript(source: string): string {
  return Buffer.from(source, 'utf8').toString('base64')
}

function list(values: readonly string[]): string {
  return values.join(', ')
}

/** Problems with language / context / evaluatorVersion / script, each with its JSON pointer. */
export function scriptFieldProblems(body: JsonObject, profile: Profile): BodyProblem[] {
  const problems: BodyProblem[] = []
  const languages = scriptLanguages(profile)
  const language = typeof body.language === 'string' ? body.language.toUpperCase() : undefined
  if (language !== undefined && !languages.includes(language)) {
    problems.push({
      pointer: '/language',
      message: `"${String(body.language)}" is not a script language (allowed: ${list(languages)})`,
    })
  }

  let context: string | undefined
  let fixedVersion: string | undefined
  if (typeof body.context === 'string') {
    const resolved = resolveContext(profile, body.context)
    if (!resolved) {
      problems.push({
        pointer: '/context',
        message: `unknown script type "${body.context}" for ${profile.title} (allowed: ${list(Object.keys(profile.contexts))})`,
      })
    } else {
      context = resolved.context
      fixedVersion = resolved.evaluatorVersion
    }
  }

  if (context !== undefined && language !== undefined && languages.includes(language)) {
    const versions = evaluatorVersions(profile, context, language)
    if (!versions) {
      const allowed = Object.keys(profile.contexts[context] ?? {})
      problems.push({
        pointer: '/language',
        message: `${language} is not allowed for script type ${context} (allowed: ${list(allowed)})`,
      })
    } else if (body.evaluatorVersion !== undefined || fixedVersion !== undefined) {
      const asked =
        body.evaluatorVersion === undefined
          ? undefined
          : normaliseEvaluatorVersion(body.evaluatorVersion)
      const version = fixedVersion ?? asked
      const conflicts =
        fixedVersion !== undefined && body.evaluatorVersion !== undefined && asked !== fixedVersion
      if (version === undefined || conflicts || !versions.includes(version)) {
        problems.push({
          pointer: '/evaluatorVersion',
          message: `${JSON.stringify(body.evaluatorVersion ?? fixedVersion)} is not available to ${language} scripts of type ${String(body.context)} (allowed: ${fixedVersion ?? list(versions)})`,
        })
      }
    }
  }

  if (typeof body.script === 'string' && decodeScript(body.script) === undefined) {
    problems.push({
      pointer: '/script',
      message:
        'is not base64 of UTF-8 text (encode the source, e.g. `base64 -w0 file.js`, or use --scriptFile)',
    })
  }
  return problems
}
