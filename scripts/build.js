// Bundles src/ into dist/: one entry module plus chunks for what loads lazily (ajv, acorn,
// the REPL...), so a one-line command reads little code. Native modules stay external.
import { rmSync } from 'node:fs'
import { build } from 'esbuild'

// Chunk names carry content hashes: clear out the last build's.
rmSync('dist', { recursive: true, force: true })

await build({
  entryPoints: ['src/cli.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // Prefer packages' ES module builds: jsonc-parser's UMD build requires its parts dynamically.
  mainFields: ['module', 'main'],
  external: ['better-sqlite3', 'tree-sitter', '@dekobon/tree-sitter-groovy'],
  // CommonJS dependencies bundled into ESM still call require() for node builtins.
  banner: {
    js: "import { createRequire as __amshCreateRequire } from 'node:module'; const require = __amshCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
})
