import { chmodSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { AmshError } from './errors.ts'

/** The text of a file the user named; `what` says which (e.g. "body file") in the E_IO error. */
export function readUserFile(path: string, what: string): string {
  return readUserBytes(path, what).toString('utf8')
}

/** The bytes of a file the user named, for formats whose encoding is not always UTF-8. */
export function readUserBytes(path: string, what: string): Buffer {
  try {
    return readFileSync(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a folder'
          : (err as Error).message
    throw new AmshError('E_IO', `cannot read ${what} ${path}: ${reason}`)
  }
}

/**
 * Makes `dir` (and any missing parent) a folder only its owner may enter: 0700, which a umask
 * can only narrow. `own` marks a folder that is amsh's alone (the amsh home, history.d): one
 * that exists with a looser mode (made by an older amsh) is narrowed too. Any other folder that
 * exists (where `--store` names a file) is left as its owner made it.
 */
export function makePrivateDir(dir: string, own = false): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  if (own && process.platform !== 'win32' && (statSync(dir).mode & 0o077) !== 0) {
    chmodSync(dir, 0o700)
  }
}
