import { existsSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { normaliseRealm } from '../crest/realm.ts'
import { AmshError } from '../errors.ts'
import type { JsonObject, JsonValue } from '../json.ts'
import type { NameConflictPolicy, PlanEntry } from '../migrate/plan.ts'
import { checkOptions, confirmed, stringOption } from './common.ts'
import type { Verb, VerbContext } from './types.ts'

const POLICIES: readonly NameConflictPolicy[] = ['fail', 'rename', 'adopt']

/** How an entry shows in a plan or a report: what, where, and why. */
function entryLine(entry: PlanEntry): string {
  const where = entry.scope.kind === 'global' ? 'global' : entry.scope.realm
  // A file that could not be read is the whole story; its reason names it.
  if (entry.entity === '?') {
    const named = entry.reason?.startsWith(entry.file)
      ? entry.reason
      : `${entry.file}: ${entry.reason}`
    return `${entry.action.padEnd(9)} ${named}`
  }
  const what = `${entry.entity} ${where} ${entry.id}${entry.name ? ` "${entry.name}"` : ''}`
  const why = entry.reason
    ? `: ${entry.reason}`
    : entry.changed
      ? ` (${entry.changed.join(', ')})`
      : ''
  const notes = entry.notes.length > 0 ? ` [${entry.notes.join('; ')}]` : ''
  return `${entry.action.padEnd(9)} ${what}${why}${notes}`
}

/** An entry that keeps the import from being complete. */
function isBlocked(entry: PlanEntry): boolean {
  return entry.action === 'conflict' || entry.action === 'failed'
}

async function confirmClean(ctx: VerbContext, deletes: number, yes: boolean): Promise<void> {
  if (deletes === 0) return
  await confirmed(ctx, `import-config --clean deletes ${deletes} items the files do not hold`, yes)
}

export const importConfigVerb: Verb = {
  name: 'import-config',
  summary:
    'Import configuration files (Amster exports, frodo and fr-config-manager trees), writing only what differs',
  usage:
    'import-config --path <dir|file> [--dry-run] [--failOnError] [--clean [--yes]] [--on-name-conflict fail|rename|adopt] [--realm <path>]',
  takesEntity: false,
  options: [
    {
      name: 'path',
      type: 'string',
      value: 'dir|file',
      help: 'a folder (read with all its sub-folders) or one JSON file',
    },
    {
      name: 'dry-run',
      type: 'boolean',
      help: 'print the plan (create / update / unchanged / conflict per item) and change nothing',
    },
    {
      name: 'failOnError',
      type: 'boolean',
      help: 'stop at the first failure (default: import all that can be, then report the failures)',
    },
    {
      name: 'clean',
      type: 'boolean',
      help: 'also delete what the target holds, of the entities and realms the files hold, that the files do not (asks first)',
    },
    { name: 'yes', type: 'boolean', help: 'confirm --clean without asking (needed in a batch)' },
    {
      name: 'on-name-conflict',
      type: 'string',
      value: 'policy',
      help: 'when a name is taken by another id: fail (default, naming both), rename (a new name), or adopt (import into that id)',
    },
    {
      name: 'realm',
      type: 'string',
      value: 'path',
      help: 'the realm of files that name none (a frodo script file); default /',
    },
    {
      name: 'createRealms',
      type: 'boolean',
      help: 'create the realms the files need that the target lacks (the default on an amsh store)',
    },
  ],
  details:
    "Each file says what it holds: an Amster export file by its metadata, a frodo export by its script map, an fr-config-manager tree by its scripts-config folder, wherever it lies. An item equal to the target's (leaving out who changed it and when) is not written. Realms are written first, then the global configuration, then what lives in realms, library scripts before the scripts that require() them.",
  async run(invocation, ctx) {
    checkOptions(this, invocation)
    const path = resolve(ctx.baseDir, stringOption(invocation, 'path', true))
    const policy = stringOption(invocation, 'on-name-conflict') ?? 'fail'
    if (!POLICIES.includes(policy as NameConflictPolicy)) {
      throw new AmshError(
        'E_USAGE',
        `--on-name-conflict takes ${POLICIES.join(', ')}, not "${policy}"`
      )
    }
    const realm = normaliseRealm(stringOption(invocation, 'realm') ?? '/')
    const dryRun = invocation.options['dry-run'] === true
    const failOnError = invocation.options.failOnError === true
    // The migration code loads when it is used: every other command starts without it.
    const [
      { hasExpressions, inlineReader, resolveExpressions },
      { applyPlan },
      { counts, planImport },
      { readTree },
      { progressBar },
    ] = await Promise.all([
      import('../migrate/expressions.ts'),
      import('../migrate/apply.ts'),
      import('../migrate/plan.ts'),
      import('../migrate/read-tree.ts'),
      import('../output/progress.ts'),
    ])
    const read = await readTree(path, {
      defaultRealm: realm,
      resolve: (json) => {
        // An export's data and realm hold expressions; amsterVersion is never read, so its
        // placeholders (forgeops' &{version}) need no value.
        const file = json as { metadata: JsonObject; data: JsonValue }
        const parts: JsonObject = {
          metadata: { realm: file.metadata.realm ?? null },
          data: file.data,
        }
        if (!hasExpressions(parts)) return json
        const importDir = existsSync(path) && statSync(path).isDirectory() ? path : dirname(path)
        const resolved = resolveExpressions(parts, {
          env: process.env,
          ...ctx.expressions,
          importDir,
          readInline: inlineReader(importDir),
        }) as { metadata: JsonObject; data: JsonValue }
        return {
          ...file,
          metadata: { ...file.metadata, realm: resolved.metadata.realm! },
          data: resolved.data,
        }
      },
    })
    if (failOnError && read.problems[0]) {
      const first = read.problems[0]
      throw new AmshError(
        first.code,
        `${first.file}: ${first.message} (--failOnError: nothing was imported)`
      )
    }
    const createRealms =
      invocation.options.createRealms === true || ((await ctx.transport.ownedByAmsh?.()) ?? false)
    const plan = await planImport(ctx.transport, read, {
      onNameConflict: policy as NameConflictPolicy,
      createRealms,
      clean: invocation.options.clean === true,
      profile: ctx.profile,
      baseDir: ctx.baseDir,
    })
    for (const skipped of plan.skipped) ctx.notify(`skipped   ${skipped.file}: ${skipped.reason}`)
    const blocked = plan.entries.filter(isBlocked)
    if (dryRun) {
      for (const entry of plan.entries) ctx.notify(entryLine(entry))
    } else {
      if (failOnError && blocked[0]) {
        throw new AmshError(
          blocked[0].code ?? 'E_CONFLICT',
          `${entryLine(blocked[0]).trim()} (--failOnError: nothing was imported)`
        )
      }
      await confirmClean(
        ctx,
        plan.entries.filter((e) => e.action === 'delete').length,
        invocation.options.yes === true
      )
      const bar = progressBar('import')
      const total = plan.entries.filter((e) => e.body !== undefined || e.action === 'delete').length
      try {
        await applyPlan(ctx.transport, plan.entries, {
          concurrency: ctx.transport.kind === 'local' ? 1 : 8,
          failOnError,
          onDone: () => bar.tick(total),
        })
      } finally {
        bar.stop()
      }
      for (const entry of plan.entries) if (isBlocked(entry)) ctx.notify(entryLine(entry))
    }
    const n = counts(plan.entries)
    const verb = dryRun ? 'would import' : 'imported'
    ctx.notify(
      `${verb} ${plan.entries.length}: ${n.create} created, ${n.update} updated, ${n.unchanged} unchanged, ${n.delete} deleted, ${n.conflict} conflicts, ${n.failed} failed; ${plan.skipped.length} files skipped`
    )
    const batch = dryRun ? undefined : ctx.journal?.currentBatch()
    if (batch !== undefined)
      ctx.notify(`journal batch ${batch}: take it back with undo --batch ${batch}`)
    const result = {
      path,
      dryRun,
      ...n,
      skipped: plan.skipped.length,
      // Unchanged items are counted, not listed: a re-import of 1,000 says "1000 unchanged".
      entries: plan.entries
        .filter((e) => e.action !== 'unchanged')
        .map((e) => ({
          action: e.action,
          entity: e.entity,
          realm: e.scope.kind === 'global' ? null : e.scope.realm,
          id: e.id,
          ...(e.name === undefined ? {} : { name: e.name }),
          file: e.file,
          ...(e.changed ? { changed: e.changed } : {}),
          ...(e.notes.length > 0 ? { notes: e.notes } : {}),
          ...(e.reason ? { reason: e.reason } : {}),
        })),
    }
    // Writes that failed joined the plan's conflicts and failures.
    const failed = plan.entries.filter(isBlocked)
    if (failed.length > 0) {
      throw new AmshError(
        failed[0]!.code ?? 'E_CONFLICT',
        `import-config: ${failed.length} of ${plan.entries.length} items ${dryRun ? 'would fail' : 'failed'}; the first: ${entryLine(failed[0]!).trim()}`,
        { details: { result } }
      )
    }
    return result
  },
}
