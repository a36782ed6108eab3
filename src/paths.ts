import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, isAbsolute, join } from 'node:path'
import { fileURLToPath } from 'node:url'

let root: string | undefined

/** The package root (holds commands/ and schemas/), whether running from src/ or the dist/ bundle. */
export function packageRoot(): string {
  if (root) return root
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'commands')) || !existsSync(join(dir, 'schemas'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error('amsh cannot find its commands/ and schemas/ folders')
    dir = up
  }
  root = dir
  return dir
}

/** AMSH_HOME, else the XDG data directory: where the store and the history live. */
export function amshHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AMSH_HOME) return env.AMSH_HOME
  const data = env.XDG_DATA_HOME || join(homedir(), '.local', 'share')
  return join(data, 'amsh')
}

/** $XDG_CONFIG_HOME/amsh, else ~/.config/amsh (a relative XDG_CONFIG_HOME is ignored, per XDG). */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME
  const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.config')
  return join(base, 'amsh')
}

/** `~` and `~/…` as the home folder, as a shell would have done. */
export function expandHome(path: string, env: NodeJS.ProcessEnv = process.env): string {
  if (path !== '~' && !path.startsWith('~/')) return path
  return join(env.HOME || homedir(), path.slice(1))
}
