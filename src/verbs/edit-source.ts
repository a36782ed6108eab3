import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { OperationDef } from '../catalog/catalog.ts'
import { AmshError } from '../errors.ts'
import type { JsonObject } from '../json.ts'
import { kindOf } from '../kinds/index.ts'
import type { BodyContext } from '../kinds/types.ts'
import { safeName } from '../migrate/layout.ts'
import type { Target } from '../transport/types.ts'
import { checkBody } from './common.ts'
import { writeFields } from './set-fields.ts'
import type { VerbContext } from './types.ts'
import { childProcess } from '../lazy-builtins.ts'

// `edit` of an item's source in the user's editor: the source decoded into a file named for the
// item, with its language's extension, in a folder of its own that only the user can read. On
// save it is checked as every write is; a source that does not parse is shown with its
// line:column and the user re-opens it (the edit kept) or discards it. An unchanged file writes
// nothing.

/** The editor the user chose: $VISUAL, then $EDITOR (a command line: `code --wait` works). */
function editorOf(env: NodeJS.ProcessEnv): string {
  const editor = (env.VISUAL || env.EDITOR || '').trim()
  if (editor === '') {
    throw new AmshError(
      'E_USAGE',
      'no editor: set $EDITOR (or $VISUAL) to the one to use, e.g. export EDITOR=vi; or edit --fields, or update --scriptFile'
    )
  }
  return editor
}

/** Runs the editor on the file, on this terminal; it must exit 0. */
function runEditor(editor: string, file: string): void {
  // Through the shell, as git and crontab run it: $EDITOR may hold arguments.
  const run = childProcess().spawnSync(`${editor} '${file.replace(/'/g, `'\\''`)}'`, {
    shell: true,
    stdio: 'inherit',
  })
  if (run.error || run.status !== 0) {
    const how = run.error
      ? run.error.message
      : run.signal
        ? `was stopped by ${run.signal}`
        : `exited with status ${String(run.status)}`
    throw new AmshError('E_INTERRUPTED', `the editor (${editor}) ${how}: nothing was saved`)
  }
}

export async function editSource(
  target: Target,
  def: OperationDef,
  id: string,
  current: JsonObject,
  bodyCtx: BodyContext,
  ctx: VerbContext & { ask: NonNullable<VerbContext['ask']> }
): Promise<JsonObject> {
  const { entity } = target
  const source = kindOf(entity).source
  const read = source?.read(current)
  if (!source || !read) {
    throw new AmshError(
      'E_USAGE',
      `${entity.name} ${id} has no source amsh can decode to edit; edit --fields changes its fields`
    )
  }
  const editor = editorOf(process.env)
  const folder = mkdtempSync(join(tmpdir(), 'amsh-edit-'))
  const name =
    typeof current[entity.nameField ?? ''] === 'string' ? String(current[entity.nameField!]) : id
  const file = join(folder, `${safeName(name)}.${read.extension}`)
  try {
    writeFileSync(file, read.text, { mode: 0o600 })
    for (;;) {
      runEditor(editor, file)
      const text = readFileSync(file, 'utf8')
      if (text === read.text) {
        ctx.notify('the source is unchanged: nothing was written')
        return current
      }
      const edited = { body: source.write(current, text), origin: file }
      try {
        await checkBody(edited, def, bodyCtx)
        return await writeFields(ctx.transport, target, id, current, edited.body, [source.field])
      } catch (err) {
        if (!(err instanceof AmshError) || !['E_SYNTAX', 'E_SCHEMA'].includes(err.code)) throw err
        ctx.notify(`${err.code}: ${err.message}`)
        const answer = (await ctx.ask('[r]e-open the editor, or [d]iscard the edit? ', false))
          .trim()
          .toLowerCase()
        if (!answer.startsWith('r')) {
          throw new AmshError('E_INTERRUPTED', 'the edit was discarded: nothing was saved')
        }
      }
    }
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}
