import { type Statement, statement } from '../control/ports'

/**
 * Webhook endpoints the delivery disabled (src/webhooks/webhook-consumer.ts) that cover a tenant —
 * its own and the deployment's — for the tenant's activity log: the setup page and the management
 * API. Only the URL's host is shown: the IT admin of the customer needs to know which application
 * stopped hearing about changes, not the path or query of the operator's receiver.
 */
export interface DisabledWebhook {
  host: string
  /** When it was disabled: the time of its last attempt, the one that reached the threshold. */
  disabledAt: string | null
  reason: string
  /** What the last attempt got: an HTTP status, or null for a timeout or network error. */
  lastStatus: number | null
  lastError: string | null
}

/** How many disabled endpoints the log lists; operators rarely register more than a few. */
const MAX_LISTED = 10

export function disabledWebhooksStatement(tenant: string): Statement {
  // The last attempt through the (endpoint_id, seq) index: one lookup per disabled endpoint.
  return statement(
    `SELECT e.url, e.disabled_reason, a.at, a.status, a.error
       FROM webhook_endpoints e
       LEFT JOIN webhook_attempts a
         ON a.seq = (SELECT max(seq) FROM webhook_attempts WHERE endpoint_id = e.id)
      WHERE (e.tenant = ? OR e.tenant IS NULL) AND e.enabled = 0 AND e.disabled_reason IS NOT NULL
      ORDER BY a.at DESC LIMIT ${MAX_LISTED}`,
    tenant,
  )
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host
  } catch {
    return 'an invalid URL'
  }
}

export function toDisabledWebhook(row: Record<string, unknown>): DisabledWebhook {
  return {
    host: hostOf(String(row.url)),
    disabledAt: row.at == null ? null : String(row.at),
    reason: String(row.disabled_reason),
    lastStatus: row.status == null ? null : Number(row.status),
    lastError: row.error == null ? null : String(row.error),
  }
}
