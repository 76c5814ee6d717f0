import type { ControlPorts, SqlPort, Statement } from '../../src/control/ports'
import type { WranglerClient } from './wrangler'
import { readD1Bindings } from './wrangler-config'

/** A parameter as an SQLite literal: `wrangler d1 execute` binds no parameters. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL'
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`Cannot inline ${value} into SQL`)
    return String(value)
  }
  if (typeof value === 'boolean') return value ? '1' : '0'
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`
  throw new Error(`Cannot inline a ${typeof value} into SQL`)
}

/**
 * The statement's SQL with its `?` and `?NNN` placeholders replaced by literals; quoted text
 * ('…', "…", `…`) is copied as it is, so a `?` inside it stays.
 */
export function inlineStatement({ sql, params }: Statement): string {
  let out = ''
  let next = 0
  let quote: string | undefined
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!
    if (quote) {
      out += ch
      if (ch === quote) quote = undefined
    } else if (ch === "'" || ch === '"' || ch === '`') {
      quote = ch
      out += ch
    } else if (ch === '?') {
      const digits = /^\d+/.exec(sql.slice(i + 1))?.[0]
      const index = digits ? Number(digits) - 1 : next
      next = Math.max(next, index + 1)
      if (index >= params.length) throw new Error(`SQL placeholder ?${index + 1} has no parameter`)
      out += literal(params[index])
      i += digits?.length ?? 0
    } else out += ch
  }
  return out
}

/** A D1 database through wrangler: one call is one `wrangler d1 execute` of all its statements. */
function wranglerSqlPort(w: WranglerClient, binding: string): SqlPort {
  return {
    async batch(statements) {
      if (statements.length === 0) return []
      const results = await w.d1Execute(statements.map(inlineStatement).join(';\n'), binding)
      return results.map((r) => ({ rows: r.results ?? [] }))
    },
  }
}

/** The control plane through wrangler, on the target's D1 databases and TENANTS namespace. */
export async function wranglerPorts(w: WranglerClient): Promise<ControlPorts> {
  const databases = await readD1Bindings(w.target.env)
  return {
    control: wranglerSqlPort(w, 'DB'),
    database: (binding) => (databases.includes(binding) ? wranglerSqlPort(w, binding) : undefined),
    databases,
    kv: { get: w.kvGet, put: w.kvPut, delete: w.kvDelete, list: w.kvList },
  }
}
