import { tenantKey, tenantRecordSchema } from '../tenancy/tenant-record'
import { type ControlPorts, statement } from './ports'

/**
 * Tenants made before D1 held the control plane live only in their KV record. The first time one is
 * named (by the API or the CLI) its record is copied into D1, which is the system of record from then
 * on; `npm run tenant -- import` copies all of them at once. The record already is the published copy,
 * so the row starts as published. True when a record was found.
 */
export async function importLegacyTenant(ports: ControlPorts, name: string): Promise<boolean> {
  const raw = await ports.kv.get(tenantKey(name))
  if (raw === null) return false
  const parsed = tenantRecordSchema.safeParse(JSON.parse(raw))
  if (!parsed.success || parsed.data.name !== name)
    throw new Error(`The KV record of tenant ${name} does not match the tenant record schema`)
  const record = parsed.data
  const revision = record.revision ?? 1
  await ports.control.batch([
    statement(
      `INSERT INTO tenants (name, status, db, created_at, schemas, revision, published_revision)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
      name,
      record.status,
      record.db,
      record.createdAt,
      record.schemas ? JSON.stringify(record.schemas) : null,
      revision,
      revision,
    ),
    // Only when the tenant row was inserted just now (changes() is the previous statement's count,
    // and each token insert passes it on): a tenant already in D1 is never given back a token it
    // revoked that a stale KV copy still lists.
    ...record.tokens.map((token) =>
      statement(
        `INSERT INTO tenant_tokens (tenant_name, id, hash, label, created_at, expires_at)
         SELECT ?, ?, ?, ?, ?, ? WHERE changes() = 1`,
        name,
        token.id,
        token.hash,
        token.label ?? null,
        token.createdAt,
        token.expiresAt ?? null,
      ),
    ),
  ])
  return true
}
