import type { SchemaDeclaration } from '../schema/tenant-schemas'
import { statement } from './ports'

/** A tenant as D1 holds it (tokens apart). */
export interface TenantRow {
  name: string
  /** `active` or `suspended`; a later release may add states, which are never active. */
  status: string
  db: string
  label?: string
  metadata?: Record<string, string>
  createdAt: string
  schemas: SchemaDeclaration[]
  revision: number
  publishedRevision: number
}

export const TENANT_COLUMNS =
  'name, status, db, label, metadata, created_at, schemas, revision, published_revision'

const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : undefined)

export function toTenantRow(raw: Record<string, unknown>): TenantRow {
  return {
    name: String(raw.name),
    status: String(raw.status),
    db: String(raw.db),
    ...(raw.label != null && { label: String(raw.label) }),
    ...(raw.metadata != null && { metadata: json(raw.metadata) }),
    createdAt: String(raw.created_at),
    schemas: json(raw.schemas) ?? [],
    revision: Number(raw.revision),
    publishedRevision: Number(raw.published_revision),
  }
}

/** The statement that marks a change the KV copy must show. */
export const bumpRevision = (name: string) =>
  statement('UPDATE tenants SET revision = revision + 1 WHERE name = ?', name)
