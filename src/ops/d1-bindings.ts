/**
 * Whether a binding is a D1 database. By class name: RPC stubs (service bindings) answer every
 * property, so a shape test would take them for databases.
 */
function isD1(value: unknown): value is D1Database {
  return typeof value === 'object' && value !== null && value.constructor?.name === 'D1Database'
}

/** The D1 binding of the control plane: tenants, tokens, webhook endpoints (and tenants placed there). */
export const CONTROL_DATABASE = 'DB'

/** Every D1 binding of the deployment by name: the databases tenants can be placed on. */
export function d1Bindings(env: Env): [string, D1Database][] {
  return Object.entries(env).filter((entry): entry is [string, D1Database] => isD1(entry[1]))
}

/** The D1 binding of this name, or undefined when the deployment has none. */
export function d1Binding(env: Env, name: string): D1Database | undefined {
  const value: unknown = (env as unknown as Record<string, unknown>)[name]
  return isD1(value) ? value : undefined
}

/**
 * A session on `binding` whose first query goes to the primary, so a request sees every committed
 * write: identity providers carry no bookmark, and a lagging replica would answer the lookup before
 * a create with nothing and turn it into a 409 (D1 read replication; RFC 7644 §3.3).
 */
export function primarySession(binding: D1Database): D1Database {
  // Only prepare() and batch() are called on it (Drizzle's D1 driver, runBatch): both are a
  // session's. The local runtime has sessions too, without replicas.
  return primaryOutbox(binding) as unknown as D1Database
}

/**
 * The same primary session, typed as a session: change-event delivery takes its bookmark after
 * reading the outbox, a bookmark at least as new as the commit of every event read.
 */
export function primaryOutbox(binding: D1Database): D1DatabaseSession {
  return binding.withSession('first-primary')
}
