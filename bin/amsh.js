#!/usr/bin/env node
// Loads the bundle (dist/amsh.cjs) through node:vm with V8's code cache, kept in the user's
// cache folder: a start compiles nothing it compiled last time. The cache is only a cache:
// when it is missing, stale or unwritable, the bundle is compiled as usual. This file is
// CommonJS (bin/package.json) because an ES module entry costs node ~8 ms more to reach.
'use strict'
const {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} = require('node:fs')
const { createRequire, Module } = require('node:module')
const { homedir } = require('node:os')
const { basename, dirname, isAbsolute, join } = require('node:path')
const vm = require('node:vm')

const bundle = join(__dirname, '..', 'dist', 'amsh.cjs')
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
      // The caches of earlier builds are no use any more: one file stays, not one per build.
      for (const name of readdirSync(dirname(cache))) {
        if (/^code-.*\.bin$/.test(name) && name !== basename(cache)) {
          rmSync(join(dirname(cache), name), { force: true })
        }
      }
    } catch {
      // A read-only or full home: the next start compiles again.
    }
  })
}
const loaded = { exports: {}, filename: bundle }
script.runInThisContext()(loaded.exports, createRequire(bundle), loaded, bundle, dirname(bundle))

loaded.exports.main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status
  },
  (err) => {
    // main answers every error itself; this is for a fault in amsh.
    process.stderr.write(`E_INTERNAL: ${err && err.stack ? err.stack : String(err)}\n`)
    process.exitCode = 3
  }
)
