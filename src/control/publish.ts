import { declarationsHash } from '../schema/tenant-schemas'
import { type TenantRecord, tenantKey, tenantRecordSchema } from '../tenancy/tenant-record'
import {
  type ControlPorts,
  isRateLimited,
  query,
  type Statement,
  type StatementResult,
  statement,
} from './ports'
import { TENANT_COLUMNS, type TenantRow, toTenantRow } from './tenant-row'

// Enough rounds for a burst of concurrent changes of one tenant; the cron finishes the rest.
const MAX_ROUNDS = 8
// Rounds whose KV write stayed rate limited before the publisher leaves the tenant to the cron.
const MAX_LIMITED_ROUNDS = 2

/** The KV record of a tenant, built from its D1 rows. */
export async function buildRecord(row: TenantRow, tokens: Record<string, unknown>[]): Promise<TenantRecord> {
  const schemas = row.schemas.length > 0 && {
    schemas: row.schemas,
    schemasHash: await declarationsHash(row.schemas),
  }
  return tenantRecordSchema.parse({
    version: 1,
    name: row.name,
    status: row.status,
    db: row.db,
    createdAt: row.createdAt,
    tokens: tokens.map((t) => ({
      id: t.id,
      hash: t.hash,
      ...(t.label != null && { label: t.label }),
      createdAt: t.created_at,
      ...(t.expires_at != null && { expiresAt: t.expires_at }),
    })),
    ...schemas,
    revision: row.revision,
  })
}

/** A tenant's rows as D1 holds them, from which its KV record is built. */
export interface TenantState {
  row: TenantRow
  tokens: Record<string, unknown>[]
}

/**
 * The two statements that read a tenant's state: appended to a change's batch, they read it in the
 * same transaction, saving the publisher a round trip (each is a wrangler process for the CLI).
 */
export const stateStatements = (name: string): Statement[] => [
  statement(`SELECT ${TENANT_COLUMNS} FROM tenants WHERE name = ?`, name),
  statement(
    'SELECT id, hash, label, created_at, expires_at FROM tenant_tokens WHERE tenant_name = ? ORDER BY created_at, id',
    name,
  ),
]

/** The state read by `stateStatements` at the end of `results`; undefined when the tenant does not exist. */
export function stateFrom(results: readonly StatementResult[]): TenantState | undefined {
  const [tenant, tokens] = results.slice(-2)
  const raw = tenant?.rows[0]
  return raw ? { row: toTenantRow(raw), tokens: tokens?.rows ?? [] } : undefined
}

const readState = async (ports: ControlPorts, name: string) =>
  stateFrom(await ports.control.batch(stateStatements(name)))

/**
 * Copies a tenant's D1 rows to its KV record, which the SCIM path reads. KV has no compare-and-swap
 * and takes one write per second per key, so concurrent publishers may write older states over newer
 * ones; each publisher therefore checks after its write that the tenant's revision has not moved, and
 * writes again from D1 when it has. The last write of every publisher is followed by such a check, so
 * the record converges on the latest revision and no change (no token) is lost. True when published;
 * false when rounds ran out (published_revision stays behind and the cron publishes it).
 */
export async function publishTenant(
  ports: ControlPorts,
  name: string,
  known?: TenantState,
): Promise<boolean> {
  let wrote = false
  let limited = 0
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const state = round === 0 && known ? known : await readState(ports, name)
    if (!state) {
      await ports.kv.delete(tenantKey(name))
      return true
    }
    const { row, tokens } = state
    // Nothing of ours is in KV yet and someone published this revision: nothing to do.
    if (!wrote && row.publishedRevision >= row.revision) return true
    try {
      await ports.kv.put(tenantKey(name), JSON.stringify(await buildRecord(row, tokens)))
    } catch (error) {
      // Still rate limited after the port's retries (about 15 s in the Worker): the change is
      // committed in D1, so the caller is not failed. One more round may find another publisher
      // did it; after that the cron publishes (published_revision stays behind).
      if (!isRateLimited(error)) throw error
      if (++limited >= MAX_LIMITED_ROUNDS) return false
      continue
    }
    wrote = true
    const [marked] = await ports.control.batch([
      statement(
        'UPDATE tenants SET published_revision = max(published_revision, ?1) WHERE name = ?2 AND revision = ?1 RETURNING name',
        row.revision,
        name,
      ),
    ])
    if (marked?.rows.length === 1) return true
  }
  return false
}

/** Publishes tenants whose KV record is behind D1 (a publisher that gave up or failed); how many. */
export async function publishPending(ports: ControlPorts, limit: number): Promise<number> {
  const rows = await query(
    ports.control,
    'SELECT name FROM tenants WHERE published_revision < revision ORDER BY name LIMIT ?',
    limit,
  )
  let published = 0
  for (const { name } of rows) if (await publishTenant(ports, String(name))) published++
  return published
}
