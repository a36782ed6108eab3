import type { VerbName } from '../parse/invocation.ts'
import { action } from './action.ts'
import { create } from './create.ts'
import { del } from './delete.ts'
import { query } from './query.ts'
import { read } from './read.ts'
import type { Verb } from './types.ts'
import { update } from './update.ts'

export const VERBS = { create, read, update, delete: del, query, action } satisfies Record<
  VerbName,
  Verb
>
