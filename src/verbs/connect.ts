import { CONNECT_OPTIONS, CONNECT_USAGE, connectRequest } from '../parse/connect.ts'
import type { Verb } from './types.ts'

export const connect: Verb = {
  name: 'connect',
  summary: 'Where commands go from now on: an AM or Janssen server, or back to the local store',
  usage: CONNECT_USAGE.replace(/^usage: /, ''),
  takesEntity: false,
  options: CONNECT_OPTIONS,
  positionals: Number.MAX_SAFE_INTEGER,
  details:
    'As in Amster, a bare word naming a variable stands for its value: connect amUrl -k amsterKey.\nWithout a way to log in, the key login with ~/.ssh/amster_rsa, id_rsa or id_ecdsa is used.',
  run(invocation, ctx) {
    return ctx.connect(connectRequest(invocation.options, invocation.args ?? []))
  },
}
