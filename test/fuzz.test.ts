import { test } from 'node:test'
import { fuzz, TARGETS } from './fuzz/targets.ts'

// The fuzz targets on a few hundred inputs each (fewer for the costly ones), in every test run: the same inputs each time
// (a fixed seed), and a time bound that catches a hang rather than a slow moment of a shared
// machine. `npm run fuzz` runs them on 100,000 random inputs with the 1 s bound
// (test/fuzz/run.ts). A failure prints the input that broke the property, shrunk.

for (const target of TARGETS) {
  test(`fuzz: ${target.name}`, async () => {
    await fuzz(target, target.testRuns ?? 300, 20261202, 10_000)
  })
}
