import { applyD1Migrations } from 'cloudflare:test'
import { env } from 'cloudflare:workers'

// Setup files run outside per-file isolation and may run more than once; `applyD1Migrations`
// applies only the migrations not yet applied, so this is safe.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS)
