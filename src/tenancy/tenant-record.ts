import * as z from 'zod'
import { DECLARATION_LIMITS, schemaDeclarationRecord } from '../schema/tenant-schemas'

/**
 * The KV record of a tenant, at key `tenant:<name>` in the TENANTS namespace. It is the one thing
 * read from KV per request. Tokens appear only as SHA-256 hashes.
 */
export const TENANT_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

export const tenantKey = (tenant: string) => `tenant:${tenant}`

export const tokenRecordSchema = z.object({
  id: z.string(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  label: z.string().optional(),
  createdAt: z.string(),
  expiresAt: z.string().optional(),
})

export const tenantRecordSchema = z.object({
  version: z.literal(1),
  name: z.string().regex(TENANT_NAME_PATTERN),
  /**
   * `active` serves SCIM; `suspended` and any state a later release adds (a deletion in progress,
   * say) are refused, so records written by a newer release never open a tenant by mistake.
   */
  status: z.string().regex(/^[a-z][a-z-]*$/),
  /** The D1 binding that holds this tenant's rows. */
  db: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  createdAt: z.string(),
  tokens: z.array(tokenRecordSchema),
  /** Extension schemas the tenant declared (`npm run tenant -- schema add`), RFC 7643 §3.3. */
  schemas: z.array(schemaDeclarationRecord).max(DECLARATION_LIMITS.schemas).optional(),
  /** SHA-256 of `schemas`, under which each isolate caches the tenant's registry. */
  schemasHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /** The D1 revision this copy was published from (src/control/publish.ts); absent before D1 held tenants. */
  revision: z.number().int().min(1).optional(),
})

export type TokenRecord = z.infer<typeof tokenRecordSchema>
export type TenantRecord = z.infer<typeof tenantRecordSchema>

/** Whether a token is usable at `now` (not expired). Revoked tokens are removed from the record. */
export function tokenIsLive(token: TokenRecord, now: Date): boolean {
  return token.expiresAt === undefined || Date.parse(token.expiresAt) > now.getTime()
}
