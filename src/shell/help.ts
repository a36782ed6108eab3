import { entityNames, getEntity, type EntityDef } from '../catalog/catalog.ts'
import { didYouMean } from '../did-you-mean.ts'
import { AmshError } from '../errors.ts'
import { CONNECT_USAGE } from '../parse/connect.ts'
import { VERB_ALIASES, verbOf } from '../parse/invocation.ts'
import { scopeOptionHelp } from '../verbs/common.ts'
import { VERBS } from '../verbs/index.ts'
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
  const verbs = Object.values(VERBS).map((verb): [string, string] => [
    `${verb.name} (${VERB_ALIASES[verb.name]})`,
    verb.summary,
  ])
  return [
    'Commands:',
    table(verbs),
    '',
    'Shell commands:',
    table(META_HELP),
    '',
    'connect <url> [options]   where commands go: an AM server, or back to the local store (:help connect)',
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

function verbHelp(name: keyof typeof VERBS): string {
  const verb = VERBS[name]
  const options = { ...scopeOptionHelp(), ...verb.options }
  return [
    `usage: ${verb.usage}`,
    `       (short form: ${VERB_ALIASES[verb.name]})`,
    '',
    verb.summary,
    '',
    'Options:',
    table(Object.entries(options).map(([option, text]): [string, string] => [`--${option}`, text])),
  ].join('\n')
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
  lines.push(`Resource path: ${entity.resourcePath} (resource version ${entity.resourceVersion})`)
  return lines.join('\n')
}

export function helpText(topic: string | undefined): string {
  if (topic === undefined) return overview()
  if (topic === 'connect') return CONNECT_USAGE
  const verb = verbOf(topic)
  if (verb) return verbHelp(verb)
  const entity = entityNames().find((name) => name.toLowerCase() === topic.toLowerCase())
  if (entity) return entityHelp(getEntity(entity))
  const topics = [...Object.keys(VERBS), 'connect', ...entityNames()]
  throw new AmshError(
    'E_USAGE',
    `no help on "${topic}"${didYouMean(topic, topics)}; topics: ${topics.join(', ')}`
  )
}
