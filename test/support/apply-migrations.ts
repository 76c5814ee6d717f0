import { applyD1Migrations } from 'cloudflare:test'
import { env } from 'cloudflare:workers'

// Setup files run outside per-file isolation and may run more than once; `applyD1Migrations`
// applies only the migrations not yet applied, so this is safe.
// Every D1 binding: DB and DB_2 of wrangler.toml, and the change-event and feed tests' own (vitest.config.ts).
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS)
await applyD1Migrations(env.DB_2, env.TEST_MIGRATIONS)
const testEnv = env as Env & { DB_EVENTS_TEST: D1Database; DB_FEED_TEST: D1Database }
await applyD1Migrations(testEnv.DB_EVENTS_TEST, env.TEST_MIGRATIONS)
await applyD1Migrations(testEnv.DB_FEED_TEST, env.TEST_MIGRATIONS)
