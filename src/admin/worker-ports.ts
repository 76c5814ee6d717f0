import { type ControlPorts, isRateLimited, type KvPort, type SqlPort } from '../control/ports'
import { d1Binding, d1Bindings, primarySession } from '../ops/d1-bindings'
import { forgetTenantRecord } from '../tenancy/tenant-cache'

const KV_PUT_ATTEMPTS = 6
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A D1 database as a port: one call is one D1 batch (one transaction), read from the primary. */
export function d1Port(binding: D1Database): SqlPort {
  const session = primarySession(binding)
  return {
    async batch(statements) {
      if (statements.length === 0) return []
      const results = await session.batch(statements.map((s) => session.prepare(s.sql).bind(...s.params)))
      return results.map((r) => ({
        rows: (r.results ?? []) as Record<string, unknown>[],
      }))
    },
  }
}

const TENANT_KEY_PREFIX = 'tenant:'

/** This isolate reads a record it has just written again at once; other isolates within the revocation delay. */
function forgetIfTenant(key: string): void {
  if (key.startsWith(TENANT_KEY_PREFIX)) forgetTenantRecord(key.slice(TENANT_KEY_PREFIX.length))
}

/**
 * The TENANTS namespace as a port. KV takes one write per second per key and answers 429 beyond;
 * those are retried here with backoff and jitter, so they never reach the management API's caller.
 */
export function kvPort(kv: KVNamespace): KvPort {
  return {
    get: (key) => kv.get(key),
    async put(key, value) {
      for (let attempt = 1; ; attempt++) {
        try {
          await kv.put(key, value)
          return forgetIfTenant(key)
        } catch (error) {
          if (attempt >= KV_PUT_ATTEMPTS || !isRateLimited(error)) throw error
          await sleep(500 * 2 ** (attempt - 1) * (0.5 + Math.random()))
        }
      }
    },
    async delete(key) {
      await kv.delete(key)
      forgetIfTenant(key)
    },
    async list(prefix) {
      const names: string[] = []
      let cursor: string | undefined
      do {
        const page = await kv.list({ prefix, ...(cursor && { cursor }) })
        names.push(...page.keys.map((k) => k.name))
        cursor = page.list_complete ? undefined : page.cursor
      } while (cursor)
      return names
    },
  }
}

/** The control plane on the Worker's own bindings: control tables on `DB`, records in TENANTS. */
export function workerPorts(env: Env): ControlPorts {
  return {
    control: d1Port(env.DB),
    database: (name) => {
      const binding = d1Binding(env, name)
      return binding && d1Port(binding)
    },
    databases: d1Bindings(env).map(([name]) => name),
    kv: kvPort(env.TENANTS),
  }
}
