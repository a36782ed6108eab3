import vm from 'node:vm'
import { v8 } from '../../lazy-builtins.ts'

// tree-sitter's trees live in native memory that V8 does not count, and are freed only when
// their JavaScript wrappers are collected. The JavaScript heap of a check is small, so V8 sees
// no reason to collect: a server checking one large source after another grew by ~14 MiB for
// each 1 MB one, without bound (found by `npm run fuzz`). After a large source's check, when
// its tree is unreachable, a collection frees it. Small sources, the usual case, cost nothing.

/** Sources from this size on are followed by a collection. */
const LARGE = 64 * 1024

let collect: (() => void) | undefined

/** V8's collector, reached as --expose-gc reaches it, without exposing it to the user's code. */
function collector(): () => void {
  v8().setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc') as () => void
  v8().setFlagsFromString('--no-expose-gc')
  return gc
}

/** Frees the native memory of a finished check's tree, when its source was large. */
export function afterParse(size: number): void {
  if (size < LARGE) return
  collect ??= collector()
  collect()
}
