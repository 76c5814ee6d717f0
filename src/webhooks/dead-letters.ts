import { ControlError } from '../control/control-error'
import { query, type SqlPort, statement } from '../control/ports'
import type { WebhookMessage } from './webhook-consumer'

/** Parks the messages the dead-letter queue received (one D1 batch), so nothing retried out is lost. */
export async function parkDeadLetters(control: SqlPort, batch: MessageBatch<WebhookMessage>) {
  const parkedAt = new Date().toISOString()
  const statements = batch.messages.flatMap(({ body }) =>
    body.kind === 'attempt'
      ? [
          statement(
            'INSERT INTO webhook_dead_letters (endpoint_id, event_id, message, parked_at) VALUES (?, ?, ?, ?)',
            body.endpointId,
            body.event.id,
            JSON.stringify(body),
            parkedAt,
          ),
        ]
      : [],
  )
  await control.batch(statements)
  batch.ackAll()
}

export interface DeadLetter {
  id: number
  endpointId: string
  eventId: string
  parkedAt: string
  replayedAt: string | null
}

const toDeadLetter = (r: Record<string, unknown>): DeadLetter => ({
  id: Number(r.seq),
  endpointId: String(r.endpoint_id),
  eventId: String(r.event_id),
  parkedAt: String(r.parked_at),
  replayedAt: r.replayed_at == null ? null : String(r.replayed_at),
})

/** The newest 100 parked deliveries, of one endpoint when given. */
export async function listDeadLetters(control: SqlPort, endpointId?: string) {
  const rows = await query(
    control,
    `SELECT seq, endpoint_id, event_id, parked_at, replayed_at FROM webhook_dead_letters
      WHERE ?1 IS NULL OR endpoint_id = ?1 ORDER BY seq DESC LIMIT 100`,
    endpointId ?? null,
  )
  return rows.map(toDeadLetter)
}

/** Sends a parked delivery to the webhook queue again, as a first attempt with a fresh retry budget. */
export async function replayDeadLetter(control: SqlPort, queue: Queue, id: number) {
  const [row] = await query(control, 'SELECT message FROM webhook_dead_letters WHERE seq = ?', id)
  if (!row) throw new ControlError('not_found', `No parked webhook delivery ${id}`)
  await queue.send(JSON.parse(String(row.message)) as WebhookMessage, { contentType: 'json' })
  const [replayed] = await query(
    control,
    `UPDATE webhook_dead_letters SET replayed_at = ? WHERE seq = ?
      RETURNING seq, endpoint_id, event_id, parked_at, replayed_at`,
    new Date().toISOString(),
    id,
  )
  return toDeadLetter(replayed ?? {})
}
