/**
 * What the control-plane rules need from the platform, so that one implementation serves the
 * Worker (D1 and KV bindings, src/admin/worker-ports.ts) and the CLI (wrangler's d1 and kv
 * commands, scripts/lib/wrangler-ports.ts).
 */

/** One SQL statement with `?` placeholders. */
export interface Statement {
  readonly sql: string
  readonly params: readonly unknown[]
}

/**
 * A statement's rows. Writes that must know what they wrote say `RETURNING`: wrangler's local
 * `d1 execute` reports no change counts.
 */
export interface StatementResult {
  readonly rows: Record<string, unknown>[]
}

/** A D1 database: the statements of one call run as one transaction (D1's batch). */
export interface SqlPort {
  batch(statements: readonly Statement[]): Promise<StatementResult[]>
}

/** The TENANTS namespace. */
export interface KvPort {
  get(key: string): Promise<string | null>
  put(key: string, value: string): Promise<void>
  delete(key: string): Promise<void>
  list(prefix: string): Promise<string[]>
}

export interface ControlPorts {
  /** The `DB` binding, which holds the control tables. */
  readonly control: SqlPort
  /** A database tenants can be placed on, by binding name; undefined when not declared. */
  database(binding: string): SqlPort | undefined
  /** Every D1 binding of the deployment. */
  readonly databases: readonly string[]
  readonly kv: KvPort
}

/** Whether a KV write failed on KV's limit of one write per second per key (the Worker's or wrangler's 429). */
export const isRateLimited = (error: unknown) => /\b429\b|too many requests/i.test(String(error))

export const statement = (sql: string, ...params: unknown[]): Statement => ({ sql, params })

/** The first statement's rows. */
export async function query(port: SqlPort, sql: string, ...params: unknown[]) {
  const [result] = await port.batch([statement(sql, ...params)])
  return result?.rows ?? []
}
