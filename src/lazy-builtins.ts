import type * as ChildProcess from 'node:child_process'
import type * as Crypto from 'node:crypto'
import { createRequire } from 'node:module'
import type * as V8 from 'node:v8'

// Node's own modules that most commands never use, loaded the first time one does: loading
// node:crypto alone costs a process about 10 ms, more than a whole one-line query takes.

const load = createRequire(import.meta.url)

let cryptoModule: typeof Crypto | undefined
let childProcessModule: typeof ChildProcess | undefined
let v8Module: typeof V8 | undefined

export function crypto(): typeof Crypto {
  return (cryptoModule ??= load('node:crypto') as typeof Crypto)
}

export function childProcess(): typeof ChildProcess {
  return (childProcessModule ??= load('node:child_process') as typeof ChildProcess)
}

export function v8(): typeof V8 {
  return (v8Module ??= load('node:v8') as typeof V8)
}
