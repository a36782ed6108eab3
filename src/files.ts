import { readFileSync } from 'node:fs'
import { AmshError } from './errors.ts'

/** The text of a file the user named; `what` says which (e.g. "body file") in the E_IO error. */
export function readUserFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8')
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
