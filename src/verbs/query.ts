import { parseFilter } from '../crest/filter.ts'
import { AmshError } from '../errors.ts'
import type { EntityDef } from '../catalog/catalog.ts'
import { kindOf } from '../kinds/index.ts'
import type { Invocation } from '../parse/invocation.ts'
import type { QueryParams } from '../transport/types.ts'
import type { Verb } from './types.ts'
import { checkOptions, stringOption, targetOf, VIEW_OPTIONS } from './common.ts'

function count(invocation: Invocation, name: string): number | undefined {
  const value = stringOption(invocation, name)
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value)) {
    throw new AmshError('E_USAGE', `--${name} takes a whole number of 0 or more, not "${value}"`)
  }
  return Number(value)
}

/** The kind's own query options as given (`--type`), for the transport to narrow by. */
function kindQueryOptions(invocation: Invocation, entity: EntityDef): Pick<QueryParams, 'narrow'> {
  const narrow: Record<string, string> = {}
  for (const option of kindOf(entity).options ?? []) {
    if (!option.verbs.includes('query')) continue
    const value = stringOption(invocation, option.name)
    if (value !== undefined) narrow[option.name] = value
  }
  return Object.keys(narrow).length > 0 ? { narrow } : {}
}

function list(invocation: Invocation, name: string): string[] | undefined {
  const value = stringOption(invocation, name)
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
}

export const query: Verb = {
  name: 'query',
  alias: 'q',
  summary: 'List entities matching a CREST query filter',
  usage:
    'query <Entity> --realm <path> [--filter <filter>] [--fields a,b] [--sortKeys [-]a,b] [--pageSize n] [--pagedResultsOffset n] [--decode] [--columns a,b]',
  takesEntity: true,
  options: [
    {
      name: 'filter',
      type: 'string',
      aliases: ['queryFilter'],
      help: 'a CREST query filter, e.g. \'name sw "Auth" and language eq "JAVASCRIPT"\' (default: true, all); also --queryFilter',
    },
    {
      name: 'fields',
      type: 'string',
      help: 'the fields to return, comma-separated (the id always comes back)',
    },
    {
      name: 'sortKeys',
      type: 'string',
      help: 'fields to sort by, comma-separated; a leading - sorts descending',
    },
    { name: 'pageSize', type: 'string', help: 'return at most this many results' },
    { name: 'pagedResultsOffset', type: 'string', help: 'skip this many results first' },
    ...VIEW_OPTIONS,
  ],
  async run(invocation, ctx) {
    checkOptions(this, invocation)
    const { target } = targetOf(invocation, 'query')
    const filter = stringOption(invocation, 'filter') ?? 'true'
    parseFilter(filter) // a malformed filter fails here, before any transport is involved
    const result = await ctx.transport.query(target, {
      filter,
      fields: list(invocation, 'fields'),
      sortKeys: list(invocation, 'sortKeys'),
      pageSize: count(invocation, 'pageSize'),
      pagedResultsOffset: count(invocation, 'pagedResultsOffset'),
      ...kindQueryOptions(invocation, target.entity),
    })
    // Amster's query answers with the list of results; the paging envelope stays inside.
    return result.result
  },
}
