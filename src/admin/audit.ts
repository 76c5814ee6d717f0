import type { Context, MiddlewareHandler } from 'hono'
import { query, statement } from '../control/ports'
import { TENANT_NAME_PATTERN } from '../tenancy/tenant-record'
import type { AdminEnv } from './admin-env'

const TENANT_IN_PATH = /^\/admin\/v1\/tenants\/([^/]+)/

/** The tenant an action is about: in its path, or the name in a create's body (already read and cached). */
async function tenantOf(c: Context<AdminEnv>): Promise<string | null> {
  const inPath = TENANT_IN_PATH.exec(c.req.path)?.[1]
  if (inPath) return TENANT_NAME_PATTERN.test(inPath) ? inPath : null
  if (c.req.path.replace(/\/$/, '') !== '/admin/v1/tenants') return null
  const body: unknown = await c.req.json().catch(() => undefined)
  const name = (body as { name?: unknown } | undefined)?.name
  return typeof name === 'string' && TENANT_NAME_PATTERN.test(name) ? name : null
}

/**
 * Records every change asked of the management API (every method but GET and HEAD) after it is
 * answered: the operator key, method, path, tenant, status and request id. Never a body, so never a
 * secret. Refusals count too (a 409 or 422 is an outcome).
 */
export const audit: MiddlewareHandler<AdminEnv> = async (c, next) => {
  await next()
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return
  await c.var.ports.control.batch([
    auditStatement({
      actor: c.var.operatorKeyId,
      method: c.req.method,
      path: c.req.path,
      tenant: await tenantOf(c),
      status: c.res.status,
      requestId: c.get('requestId') ?? null,
    }),
  ])
}

/** One audit row; `actor` is an operator key id or, for the setup page, `setup:<link id>`. Never a secret. */
export const auditStatement = (entry: {
  actor: string
  method: string
  path: string
  tenant: string | null
  status: number
  requestId: string | null
}) =>
  statement(
    'INSERT INTO admin_audit (at, key_id, method, path, tenant, status, request_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
    new Date().toISOString(),
    entry.actor,
    entry.method,
    entry.path,
    entry.tenant,
    entry.status,
    entry.requestId,
  )

export interface AuditEntry {
  seq: number
  at: string
  keyId: string | null
  method: string
  path: string
  tenant: string | null
  status: number
  requestId: string | null
}

/** Audit entries newest first, before `before` (a seq), optionally of one tenant. */
export async function readAudit(
  ports: AdminEnv['Variables']['ports'],
  options: { tenant?: string | undefined; before?: number | undefined; limit: number },
): Promise<AuditEntry[]> {
  const rows = await query(
    ports.control,
    `SELECT seq, at, key_id, method, path, tenant, status, request_id FROM admin_audit
     WHERE seq < ?1 AND (?2 IS NULL OR tenant = ?2) ORDER BY seq DESC LIMIT ?3`,
    options.before ?? Number.MAX_SAFE_INTEGER,
    options.tenant ?? null,
    options.limit,
  )
  return rows.map((r) => ({
    seq: Number(r.seq),
    at: String(r.at),
    keyId: r.key_id == null ? null : String(r.key_id),
    method: String(r.method),
    path: String(r.path),
    tenant: r.tenant == null ? null : String(r.tenant),
    status: Number(r.status),
    requestId: r.request_id == null ? null : String(r.request_id),
  }))
}
