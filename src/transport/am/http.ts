import { AmshError, codeForStatus } from '../../errors.ts'
import type { HttpReply } from '../http.ts'

// AM's side of an error answer: CREST's {code, reason, message}, with its HTML escapes undone.
// The wire itself (src/transport/http.ts) is the same for every server amsh talks to.

/** CREST escapes HTML in messages; a terminal shows them as AM meant them. */
function unescapeHtml(text: string): string {
  return text.replace(/&(quot|#39|lt|gt|amp);/g, (_, entity: string) => {
    switch (entity) {
      case 'quot':
        return '"'
      case '#39':
        return "'"
      case 'lt':
        return '<'
      case 'gt':
        return '>'
      default:
        return '&'
    }
  })
}

/** An error answer of AM as an AmshError carrying AM's own message. */
export function amError(reply: HttpReply): AmshError {
  const body = reply.body as { message?: unknown; reason?: unknown } | null
  const said = typeof body?.message === 'string' && body.message ? body.message : undefined
  const message = said
    ? unescapeHtml(said)
    : `HTTP ${reply.status}${typeof body?.reason === 'string' ? ` ${body.reason}` : ''}`
  return new AmshError(codeForStatus(reply.status), message, {
    details: { status: reply.status },
  })
}
