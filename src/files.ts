import { readFileSync } from 'node:fs'
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
