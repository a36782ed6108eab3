import { resolve } from 'node:path'
import { normaliseRealm } from '../crest/realm.ts'
import { AmshError } from '../errors.ts'
import type { Invocation } from '../parse/invocation.ts'
import { checkOptions, stringOption } from './common.ts'
import type { Verb } from './types.ts'

/** A space-separated list option (`--realms "/ /alpha"`); `' '` is an empty list, absent is all. */
function wordList(invocation: Invocation, name: string): string[] | undefined {
  const value = stringOption(invocation, name)
  return value?.split(/\s+/).filter(Boolean)
}

export const exportConfigVerb: Verb = {
  name: 'export-config',
  summary: 'Write the configuration to a folder as Amster exports it',
  usage:
    'export-config --path <dir> [--realms "/ /alpha"] [--realmEntities "Scripts ..."] [--globalEntities "..."] [--failOnError] [--extract]',
  takesEntity: false,
  options: [
    {
      name: 'path',
      type: 'string',
      value: 'dir',
      help: 'the folder to write (made when missing; files of the same names are replaced)',
    },
    {
      name: 'realms',
      type: 'string',
      value: 'paths',
      help: 'the realms to export, space-separated in quotes ("/ /alpha"); default all',
    },
    {
      name: 'realmEntities',
      type: 'string',
      value: 'names',
      help: "the realm entities to export, space-separated; ' ' for none; default all",
    },
    {
      name: 'globalEntities',
      type: 'string',
      value: 'names',
      help: "the global entities to export, space-separated; ' ' for none; default all",
    },
    {
      name: 'failOnError',
      type: 'boolean',
      help: 'stop at the first failure (default: export all that can be, then report the failures)',
    },
    {
      name: 'extract',
      type: 'boolean',
      help: "also write each script's decoded source beside its JSON (<name>.js, <name>.groovy)",
    },
  ],
  details:
    'The layout is Amster\'s: global/<Entity>.json and global/<Entity>/<id>.json for the global configuration, realms/root/... for "/", realms/root-alpha/... for "/alpha". Each file is {"metadata": {...}, "data": <the resource>} in Amster\'s JSON style; the same configuration always exports the same bytes.',
  async run(invocation, ctx) {
    checkOptions(this, invocation)
    const dir = resolve(ctx.baseDir, stringOption(invocation, 'path', true))
    const realms = wordList(invocation, 'realms')?.map((realm) => normaliseRealm(realm))
    // The migration code loads when it is used: every other command starts without it.
    const [{ exportConfig }, { progressBar }] = await Promise.all([
      import('../migrate/export.ts'),
      import('../output/progress.ts'),
    ])
    const bar = progressBar('export')
    let summary
    try {
      summary = await exportConfig(ctx.transport, {
        dir,
        selection: {
          realms,
          realmEntities: wordList(invocation, 'realmEntities'),
          globalEntities: wordList(invocation, 'globalEntities'),
        },
        extract: invocation.options.extract === true,
        failOnError: invocation.options.failOnError === true,
        amsterVersion: ctx.profile.version,
        onItem: () => bar.tick(),
      })
    } finally {
      bar.stop()
    }
    const { written, sources, failures } = summary
    const extracted = sources > 0 ? ` and ${sources} sources` : ''
    ctx.notify(`exported ${written} items${extracted} to ${dir}, ${failures.length} failed`)
    if (failures.length > 0) {
      const lines = failures.map((f) => `${f.file}: ${f.message}`)
      throw new AmshError(
        failures[0]!.code,
        `export-config wrote ${written} items to ${dir}; ${failures.length} could not be read: ${lines.join('; ')}`,
        {
          details: {
            failures: failures.map((f) => ({ what: f.file, code: f.code, message: f.message })),
          },
        }
      )
    }
    return { path: dir, exported: written, sources, failed: 0 }
  },
}
