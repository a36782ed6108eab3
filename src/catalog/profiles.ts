import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { AmshError } from '../errors.ts'
import { packageRoot } from '../paths.ts'

// A product profile (schemas/profiles/<product>.json) says which script contexts a product has,
// which languages each context takes and which evaluator versions each language may use there.

export const PRODUCTS = ['am75', 'am8', 'aic'] as const
export type Product = (typeof PRODUCTS)[number]
export const DEFAULT_PRODUCT: Product = 'am8'

export interface Profile {
  product: Product
  title: string
  version: string
  /** What the product's servers call their session cookie, and how they name themselves. */
  cookieName: string
  fullVersion: string
  /** Fields of /json/serverinfo/* the product adds to what every product sends. */
  serverInfo?: Record<string, boolean | string>
  /** The realms a new deployment has besides the top-level one (a tenant's alpha and bravo). */
  realms?: string[]
  /** `Entity/action`s the catalog offers that this product's servers do not (AM 7.5's createGlobal). */
  unsupported?: string[]
  /** context → language → allowed evaluator versions, the default first. */
  contexts: Record<string, Record<string, string[]>>
  /** Context names the product accepts and stores as another context with a fixed version. */
  aliases: Record<string, { context: string; evaluatorVersion: string }>
  /** The scripts the product ships with `"default": true`: global, undeletable. */
  defaultScripts: DefaultScript[]
}

export interface DefaultScript {
  _id: string
  name: string
  description: string
  language: string
  context: string
  evaluatorVersion: string
}

const profiles = new Map<Product, Profile>()

export function isProduct(value: string): value is Product {
  return (PRODUCTS as readonly string[]).includes(value)
}

export function getProfile(product: Product): Profile {
  let profile = profiles.get(product)
  if (!profile) {
    const file = join(packageRoot(), 'schemas', 'profiles', `${product}.json`)
    profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
    profiles.set(product, profile)
  }
  return profile
}

export function parseProduct(value: string): Product {
  if (isProduct(value)) return value
  throw new AmshError(
    'E_USAGE',
    `unknown product "${value}" (allowed: ${PRODUCTS.join(', ')}: AM 7.5, PingAM 8.x, Identity Cloud)`
  )
}

const languagesOf = new WeakMap<Profile, string[]>()

/** Every language some context of the product takes (asked for every body: computed once). */
export function scriptLanguages(profile: Profile): string[] {
  let languages = languagesOf.get(profile)
  if (!languages) {
    const all = new Set(
      Object.values(profile.contexts).flatMap((byLanguage) => Object.keys(byLanguage))
    )
    languages = [...all].sort()
    languagesOf.set(profile, languages)
  }
  return languages
}

/** AM matches context names case-insensitively and resolves aliases (AIC: SCRIPTED_DECISION_NODE). */
export function resolveContext(
  profile: Profile,
  raw: string
): { context: string; evaluatorVersion?: string } | undefined {
  const upper = raw.toUpperCase()
  const alias = profile.aliases[upper]
  if (alias) return alias
  return profile.contexts[upper] ? { context: upper } : undefined
}

/** The evaluator versions a language may use in a context, default first; undefined if not allowed. */
export function evaluatorVersions(
  profile: Profile,
  context: string,
  language: string
): string[] | undefined {
  return profile.contexts[context]?.[language]
}

/** AM writes evaluatorVersion as a string ("1.0"); accept 1, 2, "1", "2.0" alike. */
export function normaliseEvaluatorVersion(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value.toFixed(1)
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) {
    return Number(value).toFixed(1)
  }
  return undefined
}
