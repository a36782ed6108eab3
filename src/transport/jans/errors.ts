import { entityMessage, type EntityDef } from '../../catalog/catalog.ts'
import { AmshError, codeForStatus } from '../../errors.ts'
import type { HttpReply } from '../http.ts'

// Janssen's side of an error answer. config-api says most in its ApiError JSON
// ({code, message, description}); a refused token in plain text (its AuthorizationFilter); and
// a script that is not there, read by inum, in nothing at all (an empty 404).

export interface Asked {
  entity: EntityDef
  method: string
  /** The URL asked, for an answer that says nothing else. */
  url: string
  /** The item asked for, when there is one. */
  id?: string
}

export function jansError(reply: HttpReply, asked: Asked): AmshError {
  const { status } = reply
  const details = { status }
  const body = reply.body as { message?: unknown; description?: unknown } | null
  const message = typeof body?.message === 'string' && body.message ? body.message : undefined
  if (message !== undefined) {
    const description = typeof body?.description === 'string' ? body.description : undefined
    return new AmshError(codeForStatus(status), message, {
      details: description && description !== message ? { status, description } : details,
    })
  }
  const text = reply.text.replace(/\s+/g, ' ').trim()
  if (status === 401) {
    return new AmshError(
      'E_AUTH',
      text || `${asked.method} ${asked.url} refused the token (401 without a reason)`,
      { details }
    )
  }
  if (status === 404 && asked.id !== undefined && text === '') {
    return new AmshError('E_NOT_FOUND', entityMessage(asked.entity, 'notFound', { id: asked.id }), {
      details,
    })
  }
  return new AmshError(
    codeForStatus(status),
    `${asked.method} ${asked.url} answered ${status}${text ? `: ${text.slice(0, 200)}` : ''}`,
    { details }
  )
}
