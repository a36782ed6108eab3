import type { KindOption } from './types.ts'

// The options of every kind whose items carry source code: the file it comes from, and the way
// past amsh's syntax check.

const VERBS = ['create', 'update', 'action']

/** --scriptFile (`becomes` says what the file becomes in the body) and --skipSourceCheck. */
export function sourceOptions(becomes: string): KindOption[] {
  return [
    { name: 'scriptFile', type: 'string', value: 'path', help: becomes, verbs: VERBS },
    {
      name: 'skipSourceCheck',
      type: 'boolean',
      help: 'store the script even if amsh cannot parse its source',
      verbs: VERBS,
    },
  ]
}
