import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { makePrivateDir } from '../files.ts'
import { redactText } from '../journal/images.ts'

// The prompt's history: one entry per logical command (a body typed over several lines is one
// entry, recalled whole), one file per place commands go (the local store, each profile, each
// server), and secrets blanked before anything is written. The file is newest first, as node's
// REPL writes its own (so an older amsh's history reads the same); an entry holding a line break
// is kept as a JSON string on its line, any other line is the entry as typed.

/** Entries kept per file. */
export const HISTORY_SIZE = 1000

/** The history file of a place: `history` for the start-up store, else one named after it. */
export function historyFileOf(home: string, place: string | undefined): string {
  if (place === undefined) return join(home, 'history')
  const safe = place
    .replace(/[^\w.@-]+/g, '_')
    .replace(/^\.+$/, '_')
    .slice(0, 100)
  return join(home, 'history.d', safe)
}

/** The entries of a history file, newest first (as readline keeps them). */
export function readHistory(file: string): string[] {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return []
  }
  const entries = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      if (!line.startsWith('"')) return line
      try {
        const entry: unknown = JSON.parse(line)
        return typeof entry === 'string' ? entry : line
      } catch {
        return line
      }
    })
  return entries.slice(0, HISTORY_SIZE)
}

/** Writes the entries (newest first), each blanked of secrets, readable by the owner only. */
export function writeHistory(file: string, entries: readonly string[]): void {
  const lines = entries.slice(0, HISTORY_SIZE).map((entry) => {
    const safe = redactText(entry)
    return /[\n\r]/.test(safe) || safe.startsWith('"') ? JSON.stringify(safe) : safe
  })
  // The amsh home or its history.d: amsh's own folders, which others need not even look into.
  makePrivateDir(dirname(file), true)
  const aside = `${file}.${process.pid}.tmp`
  writeFileSync(aside, lines.length ? `${lines.join('\n')}\n` : '', { mode: 0o600 })
  chmodSync(aside, 0o600)
  renameSync(aside, file)
}

/** The entries as `:history` shows them: oldest first, numbered. */
export function historyListing(entries: readonly string[]): string {
  const oldestFirst = [...entries].reverse()
  const width = String(oldestFirst.length).length
  return oldestFirst
    .map((entry, i) => `${String(i + 1).padStart(width)}  ${redactText(entry)}`)
    .join('\n')
}

/**
 * The history of the prompt, kept in readline's own list (newest first, which Up and Ctrl-R
 * read) and written to the file of the place commands go to after each command.
 */
export class PromptHistory {
  readonly #entries: string[]
  readonly #fileNow: () => string
  readonly #warn: (line: string) => void
  #file: string
  #unkept = false

  /** `entries` is readline's list; `fileNow` the file of the place commands go to now. */
  constructor(entries: string[], fileNow: () => string, warn: (line: string) => void) {
    this.#entries = entries
    this.#fileNow = fileNow
    this.#warn = warn
    this.#file = fileNow()
  }

  load(): void {
    this.#entries.splice(0, this.#entries.length, ...readHistory(this.#file))
  }

  /** A logical command as typed (its lines joined by newlines): one entry. */
  add(entry: string): void {
    if (entry.trim() === '' || this.#entries[0] === entry) return
    this.#entries.unshift(entry)
    this.#entries.splice(HISTORY_SIZE)
    try {
      writeHistory(this.#file, this.#entries)
    } catch (err) {
      if (!this.#unkept) this.#warn(`amsh: history is not kept: ${(err as Error).message}`)
      this.#unkept = true
    }
  }

  /** After a command that connected elsewhere: the history of the new place. */
  follow(): void {
    const file = this.#fileNow()
    if (file === this.#file) return
    this.#file = file
    this.load()
  }
}
