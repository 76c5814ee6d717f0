/**
 * Test-only wrappers around the REAL bindings (never mocks): a D1 database that records the SQL of
 * every call and can inject a fault into it, and a call of the Worker's own fetch handler with such
 * bindings in place of the real ones.
 */

import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import worker from '../../src/index'
import { forgetTenantRecord } from '../../src/tenancy/tenant-cache'
import type { TestTenant } from './tenant'

const STATEMENT_CALLS = new Set(['all', 'first', 'run', 'raw'])

/** What a fault does to one D1 call, given the SQL it carries. */
export type Fault = (call: {
  kind: 'batch' | 'statement'
  sql: readonly string[]
  n: number
}) =>
  | { throwBefore: Error }
  | { throwAfter: Error }
  | { inject: { at: number; statement: D1PreparedStatement } }
  | undefined

export const isWrite = (sql: readonly string[]) => sql.some((s) => /^\s*(INSERT|UPDATE|DELETE)/i.test(s))

export interface FaultyD1 {
  binding: D1Database
  /** Every call that reached the wrapper, in order, with its SQL. */
  calls: { kind: 'batch' | 'statement'; sql: readonly string[] }[]
}

/** The real D1 binding with `fault` applied to its calls; sessions and statements are wrapped too. */
export function faultyD1(real: D1Database, fault: Fault): FaultyD1 {
  const calls: FaultyD1['calls'] = []
  const unwrap = new WeakMap<object, { statement: D1PreparedStatement; sql: string }>()

  const intercept = async <T>(
    kind: 'batch' | 'statement',
    sql: readonly string[],
    call: () => Promise<T>,
  ) => {
    calls.push({ kind, sql })
    const action = fault({ kind, sql, n: calls.length })
    if (action && 'throwBefore' in action) throw action.throwBefore
    const result = await call()
    if (action && 'throwAfter' in action) throw action.throwAfter
    return result
  }

  const wrapStatement = (statement: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, property) {
        const value = Reflect.get(target, property, target)
        if (typeof value !== 'function') return value
        if (property === 'bind') return (...args: unknown[]) => wrapStatement(target.bind(...args), sql)
        if (typeof property === 'string' && STATEMENT_CALLS.has(property)) {
          return (...args: unknown[]) => intercept('statement', [sql], () => value.apply(target, args))
        }
        return value.bind(target)
      },
    })
    unwrap.set(proxy, { statement, sql })
    return proxy
  }

  const wrapDatabase = (db: D1Database): D1Database =>
    new Proxy(db, {
      get(target, property) {
        const value = Reflect.get(target, property, target)
        if (property === 'prepare') return (sql: string) => wrapStatement(target.prepare(sql), sql)
        if (property === 'withSession') {
          return (...args: unknown[]) => wrapDatabase(value.apply(target, args) as D1Database)
        }
        if (property === 'batch') {
          return (statements: D1PreparedStatement[]) => {
            const real = statements.map((s) => unwrap.get(s) ?? { statement: s, sql: '?' })
            const sql = real.map((r) => r.sql)
            calls.push({ kind: 'batch', sql })
            const action = fault({ kind: 'batch', sql, n: calls.length })
            const run = async () => {
              if (action && 'throwBefore' in action) throw action.throwBefore
              const list = real.map((r) => r.statement)
              if (action && 'inject' in action) list.splice(action.inject.at, 0, action.inject.statement)
              const results = await target.batch(list)
              if (action && 'throwAfter' in action) throw action.throwAfter
              return results
            }
            return run()
          }
        }
        // The class itself, unbound: the Worker recognises D1 bindings by their class name.
        if (property === 'constructor') return value
        return typeof value === 'function' ? value.bind(target) : value
      },
    })

  return { binding: wrapDatabase(real), calls }
}

export interface Call {
  method?: string
  body?: unknown
  token?: string
  headers?: Record<string, string>
}

/** Calls the Worker's own fetch handler with `bindings` replacing the real ones. */
export async function callWith(bindings: Partial<Env>, tenant: TestTenant, path: string, call: Call = {}) {
  // A test's own KV stands in for the token store: this isolate's copy of the record must not answer for it.
  if (bindings.TENANTS) forgetTenantRecord(tenant.name)
  return callOn(envWith(bindings), tenant, path, call)
}

/** Calls sent at once to ONE env object, as a deployment's concurrent requests are. */
export async function concurrentCallsWith(
  bindings: Partial<Env>,
  tenant: TestTenant,
  calls: readonly { path: string; call: Call }[],
) {
  if (bindings.TENANTS) forgetTenantRecord(tenant.name)
  const shared = envWith(bindings)
  return Promise.all(calls.map(({ path, call }) => callOn(shared, tenant, path, call)))
}

// No activity log unless a test asks: its flush keeps waitUntil open up to its 10 s interval, which
// waitOnExecutionContext would wait out on every call.
const envWith = (bindings: Partial<Env>) => ({ ...env, SCIM_ACTIVITY: undefined, ...bindings })

async function callOn(bindings: ReturnType<typeof envWith>, tenant: TestTenant, path: string, call: Call) {
  const headers = new Headers({ ...call.headers, authorization: `Bearer ${call.token ?? tenant.token}` })
  if (call.body !== undefined) headers.set('content-type', 'application/scim+json')
  const request = new Request(`https://${tenant.host}/scim/v2${path}`, {
    method: call.method ?? (call.body === undefined ? 'GET' : 'POST'),
    headers,
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
  })
  const ctx = createExecutionContext()
  const response = await worker.fetch(request, bindings, ctx)
  await waitOnExecutionContext(ctx)
  const text = await response.text()
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect arbitrary SCIM JSON
  const json: any = text ? JSON.parse(text) : undefined
  return { status: response.status, headers: response.headers, json, text }
}
