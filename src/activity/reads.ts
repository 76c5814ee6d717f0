import { type ControlPorts, query } from '../control/ports'
import {
  type DisabledWebhook,
  disabledWebhooksStatement,
  toDisabledWebhook,
} from '../webhooks/disabled-endpoints'
import type { FailureRecord, UsageCount } from './activity-batch'
import { explainFailure } from './explain'

export interface LastRequest {
  at: string
  client: string
  status: number
}

const text = (value: unknown) => (value == null ? undefined : String(value))

/** The tenant's last SCIM request (what "last SCIM request" and the setup page show), or undefined. */
export async function lastRequestOf(ports: ControlPorts, tenant: string): Promise<LastRequest | undefined> {
  const [row] = await query(
    ports.control,
    'SELECT last_at, last_client, last_status FROM tenant_activity WHERE tenant_name = ?',
    tenant,
  )
  return row
    ? { at: String(row.last_at), client: String(row.last_client), status: Number(row.last_status) }
    : undefined
}

/** When each token last authenticated a request, and from which client. */
export async function tokenUsageOf(ports: ControlPorts, tenant: string) {
  const rows = await query(
    ports.control,
    'SELECT token_id, last_at, client FROM token_usage WHERE tenant_name = ?',
    tenant,
  )
  return new Map(
    rows.map((r) => [String(r.token_id), { lastUsedAt: String(r.last_at), client: String(r.client) }]),
  )
}

export type ExplainedFailure = FailureRecord & { seq: number; explanation: string; action: string }

export interface Activity {
  tenant: string
  lastRequest?: LastRequest
  /** Exact counts per client, method, endpoint and status, newest first. */
  usage: UsageCount[]
  /** Itemized failures, newest first. */
  failures: ExplainedFailure[]
  /** Failures counted in `usage` but not itemized because they came faster than the itemizing rate. */
  unitemizedFailures: number
  /** Webhook endpoints covering the tenant that the delivery disabled after failing too often. */
  disabledWebhooks: DisabledWebhook[]
}

/** The activity log of a tenant: one D1 round trip (four statements in one batch). */
export async function readActivity(
  ports: ControlPorts,
  tenant: string,
  options: { since?: string | undefined; limit: number },
): Promise<Activity> {
  const since = options.since ?? ''
  const [usageRows, failureRows, lastRows, disabledRows] = await ports.control.batch([
    {
      sql: `SELECT client, method, endpoint, status, count, first_at, last_at FROM scim_usage
            WHERE tenant_name = ? AND last_at >= ? ORDER BY last_at DESC LIMIT 200`,
      params: [tenant, since],
    },
    {
      sql: `SELECT seq, at, status, scim_type, detail, method, endpoint, resource_id, client, request_id, token_id
            FROM scim_failures WHERE tenant_name = ? AND at >= ? ORDER BY seq DESC LIMIT ?`,
      params: [tenant, since, options.limit],
    },
    {
      sql: 'SELECT last_at, last_client, last_status, unitemized_failures FROM tenant_activity WHERE tenant_name = ?',
      params: [tenant],
    },
    disabledWebhooksStatement(tenant),
  ])
  const last = lastRows?.rows[0]
  return {
    tenant,
    ...(last && {
      lastRequest: {
        at: String(last.last_at),
        client: String(last.last_client),
        status: Number(last.last_status),
      },
    }),
    usage: (usageRows?.rows ?? []).map((r) => ({
      client: String(r.client),
      method: String(r.method),
      endpoint: String(r.endpoint),
      status: Number(r.status),
      count: Number(r.count),
      firstAt: String(r.first_at),
      lastAt: String(r.last_at),
    })),
    failures: (failureRows?.rows ?? []).map((r) => {
      const failure: FailureRecord = {
        at: String(r.at),
        status: Number(r.status),
        scimType: text(r.scim_type),
        detail: text(r.detail),
        method: String(r.method),
        endpoint: String(r.endpoint),
        resourceId: text(r.resource_id),
        client: String(r.client),
        requestId: text(r.request_id),
        tokenId: text(r.token_id),
      }
      return { seq: Number(r.seq), ...failure, ...explainFailure(failure) }
    }),
    unitemizedFailures: Number(last?.unitemized_failures ?? 0),
    disabledWebhooks: (disabledRows?.rows ?? []).map(toDisabledWebhook),
  }
}
