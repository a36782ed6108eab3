// Bundles src/ into one CommonJS file, dist/amsh.cjs, that bin/amsh.js loads with V8's code
// cache. One file is read and compiled where an ES module graph of 23 chunks was resolved,
// read and linked one by one (Node 20's module loader costs more per module than the code
// does), and CommonJS is what node:vm can compile with a cache. Lazy parts stay lazy inside the
// file: esbuild runs a module that is only imported dynamically when it is first imported.
// better-sqlite3's JavaScript is bundled too (its native addon is loaded by path, see
// database.ts); tree-sitter and its grammars stay external, loaded with require when used.
import { rmSync } from 'node:fs'
import { build } from 'esbuild'

/**
 * commander loads node:child_process when it loads, for subcommands that are programs of their
 * own, which amsh has none of: it gets a stand-in that loads the module at its first use.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes('/node_modules/commander/')
        ? { path: 'child_process', namespace: 'lazy-child-process' }
        : undefined
    )
    build.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents:
        "let real; module.exports = new Proxy({}, { get: (_, name) => (real ??= require('node:child_process'))[name] })",
      loader: 'js',
    }))
  },
}

rmSync('dist', { recursive: true, force: true })

await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/amsh.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  minifyWhitespace: true,
  minifySyntax: true,
  charset: 'ascii',
  // Prefer packages' ES module builds: jsonc-parser's UMD build requires its parts dynamically.
  mainFields: ['module', 'main'],
  external: ['tree-sitter', '@dekobon/tree-sitter-groovy'],
  // The sources are ES modules that find their files from import.meta.url.
  define: { 'import.meta.url': '__amshModuleUrl' },
  banner: { js: "const __amshModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [lazyChildProcess],
  logLevel: 'warning',
})
