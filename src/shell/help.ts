import { entityNames, findEntity, getEntity, type EntityDef } from '../catalog/catalog.ts'
import { didYouMean } from '../did-you-mean.ts'
import { AmshError } from '../errors.ts'
import { kindOf } from '../kinds/index.ts'
import type { OptionSpec } from '../parse/options.ts'
import { optionsOf } from '../verbs/common.ts'
import { findVerb, VERBS } from '../verbs/index.ts'
import type { Verb } from '../verbs/types.ts'
import { META_HELP } from './meta.ts'

// Help is generated from the verb table and the catalog, so it cannot drift from what runs.

function table(rows: [string, string][], indent = '  '): string {
  const width = Math.max(...rows.map(([left]) => left.length))
  return rows.map(([left, right]) => `${indent}${left.padEnd(width)}  ${right}`).join('\n')
}

const SCRIPTING: [string, string][] = [
  ['s = query Scripts ...', "a command's result is plain data; _ is the last result"],
  ['await run("create ...")', "runs a command from code (Amster's eval() too)"],
  ['--realm ${expr}, --realm name', 'a ${} value, or a variable named bare, in a command line'],
  ['System.getProperty("X")', '-D X=...; System.getenv("X") and env.X read the environment'],
  ['print(), println(), args', 'output; the arguments of the :load running now'],
  ['readFile(p), writeFile(p, data)', 'files relative to the batch file'],
]

function overview(): string {
  const verbs = VERBS.map((verb): [string, string] => [
    verb.alias ? `${verb.name} (${verb.alias})` : verb.name,
    verb.summary,
  ])
  return [
    'Commands:',
    table(verbs),
    '',
    'Shell commands:',
    table(META_HELP),
    '',
    `Entities: ${entityNames().join(', ')}`,
    '',
    'Any other line is JavaScript, and variables live on between lines:',
    table(SCRIPTING),
    '',
    'Example: query Scripts --realm / --filter \'name sw "Auth"\'',
    'For help on a command or an entity: :help create, :help Scripts',
  ].join('\n')
}

function optionRows(options: readonly OptionSpec[]): [string, string][] {
  return options.map((option): [string, string] => {
    const short = (option.aliases ?? []).filter((alias) => alias.length === 1)
    const spelt = [...short.map((alias) => `-${alias}`), `--${option.name}`].join(', ')
    const value = option.type === 'boolean' ? '' : ` <${option.value ?? 'value'}>`
    return [`${spelt}${value}`, option.help]
  })
}

function verbHelp(verb: Verb): string {
  const lines = [`usage: ${verb.usage}`]
  if (verb.alias) lines.push(`       (short form: ${verb.alias})`)
  lines.push('', verb.summary, '', 'Options:', table(optionRows(optionsOf(verb, undefined))))
  // What each entity kind adds to this verb, under the entities of that kind.
  for (const name of entityNames()) {
    const entity = getEntity(name)
    const added = (kindOf(entity).options ?? []).filter((o) => o.verbs.includes(verb.name))
    if (added.length > 0) lines.push('', `For ${name}:`, table(optionRows(added)))
  }
  if (verb.details) lines.push('', verb.details)
  return lines.join('\n')
}

function entityHelp(entity: EntityDef): string {
  const lines = [entity.name, '', entity.summary, '']
  for (const [kind, offers] of Object.entries(entity.scopes)) {
    const scope = kind === 'global' ? '--global' : '--realm <path>'
    lines.push(`${kind === 'global' ? 'Global' : 'Realm'} operations (${scope}):`)
    const rows: [string, string][] = []
    for (const op of ['create', 'read', 'update', 'delete', 'query'] as const) {
      const def = offers[op]
      if (def) rows.push([`${op} ${entity.name} ${scope}`, def.summary])
    }
    for (const [name, def] of Object.entries(offers.actions ?? {})) {
      rows.push([`action ${entity.name} ${scope} --actionName ${name}`, def.summary])
    }
    lines.push(table(rows), '')
  }
  const paths = Object.entries(entity.wire.paths).map(([scope, path]) => `${path} (${scope})`)
  const { flavour, version } = entity.wire
  const versioned = version === undefined ? '' : `; resource version ${version}`
  lines.push(`Resource path (${flavour} API): ${paths.join(', ')}${versioned}`)
  return lines.join('\n')
}

export function helpText(topic: string | undefined): string {
  if (topic === undefined) return overview()
  const verb = findVerb(topic)
  if (verb) return verbHelp(verb)
  const entity = findEntity(topic)
  if (entity) return entityHelp(entity)
  const topics = [...VERBS.map((v) => v.name), ...entityNames()]
  throw new AmshError(
    'E_USAGE',
    `no help on "${topic}"${didYouMean(topic, topics)}; topics: ${topics.join(', ')}`
  )
}
