/**
 * `npm run build:check`: proves the Worker bundles for the default and the production environment
 * (`wrangler deploy --dry-run`, no account needed) and reports each bundle's gzip size, which is
 * what Cloudflare's Worker size limit counts. It also checks that each environment's 429
 * `Retry-After` (RATE_LIMIT_PERIOD_SECONDS) equals its rate-limiting binding's period, and that each
 * deployed environment routes tenants' hosts, /healthz and the management API (/admin/*), and that
 * production does not allow http://localhost webhook receivers, and that no bundle holds zod's locales.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import {
  allowsLocalhostWebhooks,
  missingRoutes,
  readRateLimitPeriods,
  readRoutes,
} from './lib/wrangler-config'

const WRANGLER = join('node_modules', '.bin', 'wrangler')

for (const env of [undefined, 'production']) {
  const outdir = mkdtempSync(join(tmpdir(), 'edge-scim-bundle-'))
  const args = ['deploy', '--dry-run', '--outdir', outdir, ...(env ? ['--env', env] : [])]
  try {
    execFileSync(WRANGLER, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer }
    process.stderr.write(`${stdout ?? ''}${stderr ?? ''}`)
    console.error(`wrangler deploy --dry-run failed for ${env ?? 'the default environment'}`)
    process.exit(1)
  }
  const bundle = readdirSync(outdir).filter((f) => f.endsWith('.js'))
  const bytes = bundle.reduce((sum, f) => sum + readFileSync(join(outdir, f)).length, 0)
  const gzip = bundle.reduce((sum, f) => sum + gzipSync(readFileSync(join(outdir, f))).length, 0)
  console.log(
    `bundle (${env ?? 'default'}): ${(bytes / 1024).toFixed(1)} KiB, ${(gzip / 1024).toFixed(1)} KiB gzip`,
  )
  // @hono/zod-openapi hands zod's whole `z` namespace to zod-to-openapi, so esbuild keeps every
  // export of it; wrangler.toml's [alias] gives the bundle src/bundle/zod.ts, zod without locales.
  const locales = bundle.flatMap(
    (f) =>
      readFileSync(join(outdir, f), 'utf8').match(/^\/\/ node_modules\/zod\/v4\/locales\/(?!en\.js)/gm) ?? [],
  )
  rmSync(outdir, { recursive: true, force: true })
  if (locales.length > 0) {
    console.error(
      `bundle (${env ?? 'default'}) holds ${locales.length} zod locales: wrangler.toml's [alias] must map ` +
        'zod to src/bundle/zod.ts, which leaves them out',
    )
    process.exit(1)
  }

  const periods = await readRateLimitPeriods(env)
  if (periods.binding !== periods.retryAfter) {
    console.error(
      `wrangler.toml (${env ?? 'top level'}): RATE_LIMIT_PERIOD_SECONDS is ${periods.retryAfter} but the ` +
        `RATE_LIMITER binding's period is ${periods.binding}: a 429's Retry-After must be the period`,
    )
    process.exit(1)
  }

  if (env === 'production' && (await allowsLocalhostWebhooks(env))) {
    console.error(
      'wrangler.toml (production): ALLOW_HTTP_LOCALHOST_WEBHOOKS must be "false" (development only)',
    )
    process.exit(1)
  }

  const { routes, baseDomain, local } = await readRoutes(env)
  const missing = local ? [] : missingRoutes(routes, baseDomain)
  if (missing.length > 0) {
    console.error(`wrangler.toml (${env ?? 'top level'}): routes lack ${missing.join(', ')}`)
    process.exit(1)
  }
  console.log(
    `routes (${env ?? 'default'}): ${local ? 'none (wrangler dev serves localhost)' : `tenants, /healthz and /admin/* on ${baseDomain}`}`,
  )
}
