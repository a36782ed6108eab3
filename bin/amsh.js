#!/usr/bin/env node
// Loads the bundle (dist/amsh.cjs) through node:vm with V8's code cache, kept in the user's
// cache folder: a start compiles nothing it compiled last time. The cache is only a cache:
// when it is missing, stale or unwritable, the bundle is compiled as usual.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { createRequire, Module } from 'node:module'
import { homedir } from 'node:os'
import { dirname, isAbsolute, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import vm from 'node:vm'

const bundle = fileURLToPath(new URL('../dist/amsh.cjs', import.meta.url))
// The bundle is ASCII (esbuild escapes the rest), so latin1 reads it without decoding UTF-8.
const source = readFileSync(bundle, 'latin1')

function cacheFile() {
  const xdg = process.env.XDG_CACHE_HOME
  const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache')
  // V8 checks a cache against the source and its own version; the name keeps one per build.
  const { size, mtimeMs } = statSync(bundle)
  const key = `${process.version}-${process.arch}-${size}-${Math.trunc(mtimeMs)}`
  return join(base, 'amsh', `code-${key}.bin`)
}

let cache
let cached
try {
  cache = cacheFile()
  cached = readFileSync(cache)
} catch {
  // No cache yet.
}
const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData: cached })
if (cache && (cached === undefined || script.cachedDataRejected)) {
  // Written at exit, so it holds the functions this run compiled, not only the top level.
  process.once('exit', () => {
    try {
      mkdirSync(dirname(cache), { recursive: true, mode: 0o700 })
      const temp = `${cache}.${process.pid}`
      writeFileSync(temp, script.createCachedData(), { mode: 0o600 })
      renameSync(temp, cache)
    } catch {
      // A read-only or full home: the next start compiles again.
    }
  })
}
const module = { exports: {}, filename: bundle }
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle))

process.exitCode = await module.exports.main(process.argv.slice(2))
