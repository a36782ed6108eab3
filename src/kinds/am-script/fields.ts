import { didYouMean } from '../../did-you-mean.ts'
import type { JsonObject } from '../../json.ts'
import type { BodyProblem } from '../../catalog/schemas.ts'
import {
  evaluatorVersions,
  normaliseEvaluatorVersion,
  resolveContext,
  scriptLanguages,
  type Profile,
} from '../../catalog/profiles.ts'

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

/**
 * The source inside a base64 `script` value even when it is not all UTF-8: each byte that is
 * not part of a UTF-8 character is written `\\xNN`. Undefined when the value is not base64.
 */
export function decodeScriptEscaped(value: string): { text: string; escaped: boolean } | undefined {
  const compact = value.replace(/\s+/g, '')
  if (!BASE64.test(compact) || compact.length % 4 === 1) return undefined
  const bytes = Buffer.from(compact, 'base64')
  const text = decodeScript(compact)
  if (text !== undefined) return { text, escaped: false }
  let out = ''
  for (let i = 0; i < bytes.length;) {
    const lead = bytes[i]!
    const length = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 0
    let char: string | undefined
    if (length > 0 && i + length <= bytes.length) {
      try {
        char = utf8.decode(bytes.subarray(i, i + length))
      } catch {
        char = undefined
      }
    }
    if (char === undefined) {
      out += `\\x${lead.toString(16).padStart(2, '0')}`
      i++
    } else {
      out += char
      i += length
    }
  }
  return { text: out, escaped: true }
}

export function encodeScript(source: string): string {
  return Buffer.from(source, 'utf8').toString('base64')
}

function list(values: readonly string[]): string {
  return values.join(', ')
}

/** What can be wrong with a script body's language, context, evaluatorVersion and source. */
export type ScriptIssue =
  | { kind: 'unknownLanguage'; value: string }
  | { kind: 'unknownContext'; value: string }
  | { kind: 'languageNotAllowed'; language: string; context: string; allowed: string[] }
  /** An alias context (SCRIPTED_DECISION_NODE) fixes the version; the body asks for another. */
  | { kind: 'versionFixed'; language: string; asked: string; fixed: string }
  | { kind: 'versionChanged'; asked: string; stored: string }
  | {
      kind: 'versionNotAllowed'
      language: string
      context: string
      version: string
      allowed: string[]
    }
  | { kind: 'badEncoding' }

export interface ScriptAnalysis {
  /** The fields as AM stores them (upper-case names, resolved alias, defaulted version). */
  language?: string
  context?: string
  evaluatorVersion?: string
  /** The decoded source. */
  source?: string
  issues: ScriptIssue[]
}

/**
 * The product's rules for a script body, in one place: the verbs word the issues for a person,
 * the local store words them as AM does. `storedVersion` is the version of the script an update
 * replaces, which cannot change.
 */
export function analyseScript(
  body: JsonObject,
  profile: Profile,
  storedVersion?: string
): ScriptAnalysis {
  const issues: ScriptIssue[] = []
  let language = typeof body.language === 'string' ? body.language.toUpperCase() : undefined
  if (language !== undefined && !scriptLanguages(profile).includes(language)) {
    issues.push({ kind: 'unknownLanguage', value: body.language as string })
    language = undefined
  }

  let context: string | undefined
  let fixed: string | undefined
  if (typeof body.context === 'string') {
    const resolved = resolveContext(profile, body.context)
    if (resolved) ({ context, evaluatorVersion: fixed } = resolved)
    else issues.push({ kind: 'unknownContext', value: body.context })
  }

  let evaluatorVersion: string | undefined
  if (context !== undefined && language !== undefined) {
    const versions = evaluatorVersions(profile, context, language)
    const asked =
      body.evaluatorVersion == null
        ? undefined
        : (normaliseEvaluatorVersion(body.evaluatorVersion) ?? String(body.evaluatorVersion))
    const requested = fixed ?? asked
    if (!versions) {
      const allowed = Object.keys(profile.contexts[context] ?? {})
      issues.push({ kind: 'languageNotAllowed', language, context, allowed })
    } else if (fixed !== undefined && asked !== undefined && asked !== fixed) {
      issues.push({ kind: 'versionFixed', language, asked, fixed })
    } else if (
      storedVersion !== undefined &&
      requested !== undefined &&
      requested !== storedVersion
    ) {
      issues.push({ kind: 'versionChanged', asked: requested, stored: storedVersion })
    } else {
      const version = storedVersion ?? requested ?? versions[0]!
      if (versions.includes(version)) evaluatorVersion = version
      else issues.push({ kind: 'versionNotAllowed', language, context, version, allowed: versions })
    }
  }

  const source = typeof body.script === 'string' ? decodeScript(body.script) : undefined
  if (typeof body.script === 'string' && source === undefined) issues.push({ kind: 'badEncoding' })
  return { language, context, evaluatorVersion, source, issues }
}

/** The issues of a body, each with its JSON pointer and what is allowed, for a person. */
export function scriptFieldProblems(body: JsonObject, profile: Profile): BodyProblem[] {
  const asked = (fallback: string) => JSON.stringify(body.evaluatorVersion ?? fallback)
  return analyseScript(body, profile).issues.map((issue): BodyProblem => {
    switch (issue.kind) {
      case 'unknownLanguage':
        return {
          pointer: '/language',
          message: `"${issue.value}" is not a script language${didYouMean(issue.value, scriptLanguages(profile))} (allowed: ${list(scriptLanguages(profile))})`,
        }
      case 'unknownContext':
        return {
          pointer: '/context',
          message: `unknown script type "${issue.value}" for ${profile.title}${didYouMean(issue.value, Object.keys(profile.contexts))} (allowed: ${list(Object.keys(profile.contexts))})`,
        }
      case 'languageNotAllowed':
        return {
          pointer: '/language',
          message: `${issue.language} is not allowed for script type ${issue.context} (allowed: ${list(issue.allowed)})`,
        }
      case 'versionFixed':
        return {
          pointer: '/evaluatorVersion',
          message: `${asked(issue.fixed)} is not available to ${issue.language} scripts of type ${String(body.context)} (allowed: ${issue.fixed})`,
        }
      case 'versionNotAllowed':
        return {
          pointer: '/evaluatorVersion',
          message: `${asked(issue.version)} is not available to ${issue.language} scripts of type ${String(body.context)} (allowed: ${list(issue.allowed)})`,
        }
      case 'versionChanged':
        return {
          pointer: '/evaluatorVersion',
          message: `cannot change from ${issue.stored} to ${issue.asked}`,
        }
      case 'badEncoding':
        return {
          pointer: '/script',
          message:
            'is not base64 of UTF-8 text (encode the source, e.g. `base64 -w0 file.js`, or use --scriptFile)',
        }
    }
  })
}
