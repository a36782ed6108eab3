// `npm run fuzz`: every target of targets.ts on FUZZ_RUNS generated inputs (100,000 unless
// told), one after another, with the slowest input and the most memory one took, for each.
// FUZZ_SEED replays a run. Exits 1 at the first input that breaks a target's property.
import { fuzz, TARGETS } from './targets.ts'

const runs = Number(process.env.FUZZ_RUNS ?? 100_000)
const seed =
  process.env.FUZZ_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED)
console.log(
  `fuzz: ${runs.toLocaleString('en')} inputs per target, seed ${seed} (FUZZ_SEED=${seed} replays it)`
)
let failed = false
const only = process.env.FUZZ_TARGET
for (const target of TARGETS.filter((t) => only === undefined || t.name.includes(only))) {
  const started = performance.now()
  try {
    const { slowest, memoryMiB } = await fuzz(target, runs, seed)
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    console.log(
      `PASS  ${target.name}: ${seconds} s, slowest input ${slowest.toFixed(1)} ms, most memory one took ${Math.max(0, memoryMiB).toFixed(0)} MiB`
    )
  } catch (err) {
    // fast-check's message holds the whole counter-example (a megabyte, for some): its reason
    // and a start of it are enough to go on.
    const { message, cause } = err as Error & { cause?: unknown }
    const reason =
      cause instanceof Error ? cause.message : (/Got error: (.*)/s.exec(message)?.[1] ?? '')
    console.log(`FAIL  ${target.name}: ${reason.slice(0, 300)}\n      ${message.slice(0, 300)}`)
    failed = true
  }
}
process.exitCode = failed ? 1 : 0
