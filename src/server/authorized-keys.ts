import { createPublicKey, type KeyObject } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { BlockList, isIP } from 'node:net'
import sshpk from 'sshpk'
import { sshKeyAlgorithm, type KeyAlgorithm } from '../jws-algorithms.ts'

// The authorized_keys file of Amster's key login, read as AM's AmsterJwtDecisionNode reads it
// (research/amster.md §2.1): OpenSSH's format, RSA and ECDSA keys, `ssh-dss` ignored,
// `ssh-ed25519` refused, and two options that matter: `from="…"` (addresses, CIDR blocks or
// globs, `!` to refuse) and AM's own `subject="…"` (who the key may log in as).

export interface AuthorizedKey {
  /** Where it was read, `file:line`, for the server's log. */
  where: string
  /** The base64 SSH wire form: what a JWT's `kid` names. */
  blob: string
  key: KeyObject
  alg: KeyAlgorithm
  /** `from="…"` as a pattern list; undefined when the line has none (any address). */
  from?: string[]
  /** `subject="…"` as a pattern list; undefined when the line has none (any user). */
  subject?: string[]
}

/** Key types a line may start with, so that it is not taken for options. */
const KEY_TYPE = /^(ssh-(rsa|dss|ed25519|ed448)|ecdsa-sha2-\S+|sk-\S+|\S+-cert-v01@openssh\.com)$/

class LineProblem extends Error {}

/** The words of a line up to the key type: options may hold quoted spaces and commas. */
function splitOptions(line: string): { options: string; rest: string } {
  const first = line.split(/\s+/, 1)[0] ?? ''
  if (KEY_TYPE.test(first)) return { options: '', rest: line }
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (ch === '\\' && quoted) i++
    else if (ch === '"') quoted = !quoted
    else if (/\s/.test(ch) && !quoted) return { options: line.slice(0, i), rest: line.slice(i) }
  }
  throw new LineProblem(
    quoted ? 'an option has no closing quote' : 'there is no key after the options'
  )
}

/** `from="a,b",no-pty,subject="x"` as a map of lower-case names to values ('' for flags). */
function parseOptions(text: string): Map<string, string> {
  const options = new Map<string, string>()
  let i = 0
  while (i < text.length) {
    const name = /^[A-Za-z0-9_-]+/.exec(text.slice(i))?.[0]
    if (!name) throw new LineProblem(`cannot read the options "${text}"`)
    i += name.length
    let value = ''
    if (text[i] === '=') {
      if (text[i + 1] !== '"') throw new LineProblem(`option ${name} needs a quoted value`)
      i += 2
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && text[i + 1] === '"') i++
        value += text[i]
        i++
      }
      if (text[i] !== '"') throw new LineProblem(`option ${name} has no closing quote`)
      i++
    }
    options.set(name.toLowerCase(), value)
    if (i < text.length && text[i] !== ',') {
      throw new LineProblem(`cannot read the options "${text}"`)
    }
    i++
  }
  return options
}

function patternList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

/** An IPv4 address as node gives it on a dual-stack socket (`::ffff:127.0.0.1`), plainly. */
function plainAddress(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address
}

function cidr(pattern: string): BlockList | undefined {
  const [network = '', bits = '', extra] = pattern.split('/')
  const family = isIP(network)
  const prefix = Number(bits)
  const max = family === 4 ? 32 : 128
  if (extra !== undefined || family === 0 || !/^\d+$/.test(bits) || prefix > max) return undefined
  const list = new BlockList()
  list.addSubnet(network, prefix, family === 4 ? 'ipv4' : 'ipv6')
  return list
}

function checkFrom(patterns: string[]): void {
  for (const pattern of patterns) {
    const bare = pattern.replace(/^!/, '')
    if (bare.includes('/') && !cidr(bare)) {
      throw new LineProblem(`from="…": ${bare} is not a CIDR block`)
    }
  }
}

function glob(pattern: string, text: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${source}$`, 'i').test(text)
}

/** OpenSSH's pattern lists: a `!` pattern that matches refuses outright, else any match allows. */
function matchList(patterns: string[], matches: (pattern: string) => boolean): boolean {
  let allowed = false
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!')
    if (matches(negated ? pattern.slice(1) : pattern)) {
      if (negated) return false
      allowed = true
    }
  }
  return allowed
}

/** Whether `from="…"` lets this client address in (host names are not looked up, as in AM). */
export function allowsAddress(key: AuthorizedKey, address: string | undefined): boolean {
  if (key.from === undefined) return true
  if (address === undefined) return false
  const plain = plainAddress(address)
  const family = isIP(plain) === 6 ? 'ipv6' : 'ipv4'
  return matchList(key.from, (pattern) =>
    pattern.includes('/') ? (cidr(pattern)?.check(plain, family) ?? false) : glob(pattern, plain)
  )
}

/** Whether `subject="…"` lets the key log in as this user. */
export function allowsSubject(key: AuthorizedKey, subject: string): boolean {
  return key.subject === undefined || matchList(key.subject, (pattern) => glob(pattern, subject))
}

/**
 * One line: a key, or undefined for what is not one but is no mistake either (blank, comment,
 * ssh-dss, which AM passes over). A line AM would refuse throws a LineProblem.
 */
function parseLine(line: string, where: string): AuthorizedKey | undefined {
  const text = line.trim()
  if (text === '' || text.startsWith('#')) return undefined
  const { options, rest } = splitOptions(text)
  const [type = '', blob = ''] = rest.trim().split(/\s+/)
  if (type === 'ssh-dss') return undefined
  const alg = sshKeyAlgorithm(type)
  if (!alg) {
    throw new LineProblem(
      type === 'ssh-ed25519'
        ? 'ssh-ed25519 keys are not supported (AM takes RSA and ECDSA keys)'
        : `${type ? `"${type}"` : 'the line'} is not a key type AM takes (ssh-rsa, ecdsa-sha2-nistp256/384/521)`
    )
  }
  let key: KeyObject
  try {
    const parsed = sshpk.parseKey(`${type} ${blob}`, 'ssh')
    if (parsed.toString('ssh').split(' ')[0] !== type) throw new Error('type mismatch')
    key = createPublicKey(parsed.toString('pkcs8'))
  } catch {
    throw new LineProblem(`the key data is not a valid ${type} key (base64 of its SSH wire form)`)
  }
  const parsedOptions = parseOptions(options)
  const from = parsedOptions.get('from')
  const subject = parsedOptions.get('subject')
  const entry: AuthorizedKey = { where, blob, key, alg }
  if (from !== undefined) {
    entry.from = patternList(from)
    checkFrom(entry.from)
  }
  if (subject !== undefined) entry.subject = patternList(subject)
  return entry
}

/** The keys of a file's text; each line that does not parse is skipped with one warning. */
export function parseAuthorizedKeys(
  text: string,
  file: string,
  warn: (line: string) => void
): AuthorizedKey[] {
  const keys: AuthorizedKey[] = []
  text.split(/\r?\n/).forEach((line, index) => {
    const where = `${file}:${index + 1}`
    try {
      const key = parseLine(line, where)
      if (key) keys.push(key)
    } catch (err) {
      if (!(err instanceof LineProblem)) throw err
      warn(`amsh serve: ${where}: skipped: ${err.message}`)
    }
  })
  return keys
}

/**
 * The file, read again when it changes (AM reads it at each login: a key added is a key that
 * works, without a restart). No file is no keys.
 */
export class AuthorizedKeys {
  readonly file: string
  readonly #warn: (line: string) => void
  #seen = ''
  #keys: AuthorizedKey[] = []

  constructor(file: string, warn: (line: string) => void) {
    this.file = file
    this.#warn = warn
  }

  keys(): AuthorizedKey[] {
    let stamp = 'none'
    try {
      const stat = statSync(this.file)
      stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`
    } catch {
      // No file (or none that can be read): no key works.
    }
    if (stamp === this.#seen) return this.#keys
    this.#seen = stamp
    let text = ''
    try {
      if (stamp !== 'none') text = readFileSync(this.file, 'utf8')
    } catch (err) {
      this.#warn(
        `amsh serve: cannot read ${this.file}: ${(err as Error).message}; no key can log in`
      )
    }
    this.#keys = parseAuthorizedKeys(text, this.file, this.#warn)
    return this.#keys
  }
}
