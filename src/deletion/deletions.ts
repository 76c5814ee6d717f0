import { ControlError } from '../control/control-error'
import { type ControlPorts, query, statement } from '../control/ports'
import { publishTenant } from '../control/publish'
import { deleteSetupAndActivity } from '../control/setup-links'
import { requireTenant } from '../control/tenants'
import { hex } from '../tenancy/token'
import type { RoundResult } from './rounds'

/**
 * A tenant's deletion in the control plane (D1 `tenant_deletions`), for the management API, the
 * Workflow that runs the rounds and the tenant CLI: beginning it closes the tenant (status
 * `deleting`, published to KV, so its SCIM endpoint answers 401 at once locally and within the
 * revocation delay everywhere), each round records its progress, and finishing it removes the
 * tenant's control rows and KV record.
 */

export const DELETING = 'deleting'

export interface Deletion {
  id: string
  tenant: string
  db: string
  requestedAt: string
  /** When the revocation delay has passed: the final round runs only after it. */
  finalRoundAfter: string
  rounds: number
  rowsDeleted: number
  /** Rows of the tenant left in its database after the last round; null before the first round. */
  rowsLeft: number | null
  lastRoundAt: string | null
  finishedAt: string | null
}

const COLUMNS =
  'id, tenant_name, db, requested_at, final_round_after, rounds, rows_deleted, rows_left, last_round_at, finished_at'

function toDeletion(raw: Record<string, unknown>): Deletion {
  const text = (v: unknown) => (v == null ? null : String(v))
  return {
    id: String(raw.id),
    tenant: String(raw.tenant_name),
    db: String(raw.db),
    requestedAt: String(raw.requested_at),
    finalRoundAfter: String(raw.final_round_after),
    rounds: Number(raw.rounds),
    rowsDeleted: Number(raw.rows_deleted),
    rowsLeft: raw.rows_left == null ? null : Number(raw.rows_left),
    lastRoundAt: text(raw.last_round_at),
    finishedAt: text(raw.finished_at),
  }
}

/** A new deletion handle: `del_` and 16 hex digits (a valid Workflow instance id). */
export const newDeletionId = () => `del_${hex(crypto.getRandomValues(new Uint8Array(8)))}`

/**
 * Closes the tenant and records its deletion, or finds the deletion already running: the same
 * handle for every DELETE until it finishes. Then publishes the record (status `deleting`). One D1
 * batch, so two concurrent calls cannot both begin one.
 */
export async function beginDeletion(
  ports: ControlPorts,
  name: string,
  delaySeconds: number,
  now = new Date(),
): Promise<{ deletion: Deletion; begun: boolean }> {
  await requireTenant(ports, name)
  const id = newDeletionId()
  const after = new Date(now.getTime() + delaySeconds * 1000).toISOString()
  const [inserted, , running] = await ports.control.batch([
    statement(
      `INSERT INTO tenant_deletions (id, tenant_name, db, requested_at, final_round_after)
       SELECT ?1, name, db, ?3, ?4 FROM tenants WHERE name = ?2 AND status <> '${DELETING}'
       ON CONFLICT DO NOTHING RETURNING id`,
      id,
      name,
      now.toISOString(),
      after,
    ),
    statement(
      `UPDATE tenants SET status = '${DELETING}', revision = revision + 1 WHERE name = ? AND status <> '${DELETING}'`,
      name,
    ),
    statement(`SELECT ${COLUMNS} FROM tenant_deletions WHERE tenant_name = ? AND finished_at IS NULL`, name),
  ])
  const raw = running?.rows[0]
  if (!raw) throw new ControlError('not_found', `Tenant ${name} does not exist`)
  await publishTenant(ports, name)
  return { deletion: toDeletion(raw), begun: inserted?.rows.length === 1 }
}

/** Adds a round's outcome to the deletion's progress. */
export async function recordRound(ports: ControlPorts, id: string, round: RoundResult, now = new Date()) {
  await ports.control.batch([
    statement(
      `UPDATE tenant_deletions SET rounds = rounds + 1, rows_deleted = rows_deleted + ?, rows_left = ?,
         last_round_at = ? WHERE id = ?`,
      round.deletedTotal,
      round.rowsLeft,
      now.toISOString(),
      id,
    ),
  ])
}

/**
 * The last step, after the final round: removes the tenant's control rows (only while it is still
 * being deleted) and its KV record, and marks the deletion finished. Running it again does nothing.
 */
export async function finishDeletion(
  ports: ControlPorts,
  deletion: Pick<Deletion, 'id' | 'tenant'>,
  now = new Date(),
) {
  const { id, tenant } = deletion
  const gone = `EXISTS (SELECT 1 FROM tenant_deletions WHERE id = ?2 AND tenant_name = ?1 AND finished_at IS NULL)`
  await ports.control.batch([
    statement(`DELETE FROM tenant_tokens WHERE tenant_name = ?1 AND ${gone}`, tenant, id),
    ...deleteSetupAndActivity(tenant),
    statement(`DELETE FROM tenants WHERE name = ?1 AND status = '${DELETING}' AND ${gone}`, tenant, id),
    statement(
      'UPDATE tenant_deletions SET finished_at = ?, rows_left = 0 WHERE id = ? AND finished_at IS NULL',
      now.toISOString(),
      id,
    ),
  ])
  await publishTenant(ports, tenant)
}

export async function findDeletion(ports: ControlPorts, id: string): Promise<Deletion | undefined> {
  const [raw] = await query(ports.control, `SELECT ${COLUMNS} FROM tenant_deletions WHERE id = ?`, id)
  return raw ? toDeletion(raw) : undefined
}

/** The deletion of `tenant` that is running, if any. */
export async function runningDeletion(ports: ControlPorts, tenant: string): Promise<Deletion | undefined> {
  const [raw] = await query(
    ports.control,
    `SELECT ${COLUMNS} FROM tenant_deletions WHERE tenant_name = ? AND finished_at IS NULL`,
    tenant,
  )
  return raw ? toDeletion(raw) : undefined
}
