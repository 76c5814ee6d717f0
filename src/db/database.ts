import { drizzle } from 'drizzle-orm/d1'

/**
 * Drizzle over a tenant's D1 binding, made per request (the binding is wrapped per request to count
 * its round trips). Without the relational schema: nothing uses `db.query`, and Drizzle would
 * rebuild its relational config from the tables on every call (about 30 µs of CPU each).
 */
export const openDatabase = (d1: D1Database) => drizzle(d1, { casing: 'snake_case' })

export type Database = ReturnType<typeof openDatabase>
