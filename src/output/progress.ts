import cliProgress from 'cli-progress'

// A progress bar on stderr for bulk work (export, import, diff), drawn only when stderr is a
// terminal: piped or in CI, nothing is drawn and the summary line alone remains.

export interface Progress {
  /** One more item done; `total` when it becomes known (or grows). */
  tick(total?: number): void
  stop(): void
}

const NONE: Progress = { tick: () => undefined, stop: () => undefined }

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || process.env.CI) return NONE
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} [{bar}] {value}/{total} {rate}/s eta {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic
  )
  let done = 0
  let started = performance.now()
  let shown = false
  return {
    tick(total) {
      if (!shown) {
        bar.start(total ?? 0, 0, { rate: '0' })
        started = performance.now()
        shown = true
      }
      if (total !== undefined && total > bar.getTotal()) bar.setTotal(total)
      if (done >= bar.getTotal()) bar.setTotal(done + 1)
      done++
      const seconds = (performance.now() - started) / 1000
      bar.update(done, { rate: seconds > 0 ? Math.round(done / seconds).toString() : '0' })
    },
    stop() {
      if (shown) bar.stop()
    },
  }
}
