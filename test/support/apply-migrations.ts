import { applyD1Migrations } from 'cloudflare:test'
import { env } from 'cloudflare:workers'

// Setup files run outside per-file isolation and may run more than once; `applyD1Migrations`
// applies only the migrations not yet applied, so this is safe.
// Every D1 binding of wrangler.toml: tenants live on DB or DB_2.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS)
await applyD1Migrations(env.DB_2, env.TEST_MIGRATIONS)
