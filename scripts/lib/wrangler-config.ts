import { join } from 'node:path'
import { CliError } from './cli-error'
import { PROJECT_ROOT } from './wrangler'
import { importWranglerLibrary } from './wrangler-library'

/** The part of wrangler's resolved configuration that the scripts read. */
interface ResolvedConfig {
  d1_databases?: { binding?: unknown }[]
  vars?: Record<string, unknown>
  routes?: (string | { pattern?: unknown })[]
  ratelimits?: { name?: unknown; simple?: { period?: unknown } }[]
}

/**
 * wrangler.toml as wrangler resolves it for `env` (top level when undefined): read with wrangler's
 * own config reader, so environment rules (bindings are not inherited) and validation are exactly
 * wrangler's, and an unknown env is the same error `wrangler --env` gives.
 */
async function readConfig(env?: string): Promise<ResolvedConfig> {
  const { unstable_readConfig } = await importWranglerLibrary<{
    unstable_readConfig: (
      args: { config: string; env?: string },
      options: { hideWarnings: boolean },
    ) => ResolvedConfig
  }>()
  let config: ResolvedConfig
  try {
    config = unstable_readConfig({ config: join(PROJECT_ROOT, 'wrangler.toml'), env }, { hideWarnings: true })
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new CliError(`wrangler.toml: ${message.trim()}`, 'Fix wrangler.toml or pass an existing --env.')
  }
  return config
}

/** The D1 bindings that wrangler.toml declares for `env`. */
export async function readD1Bindings(env?: string): Promise<string[]> {
  const config = await readConfig(env)
  return (config.d1_databases ?? []).map((db) => db.binding).filter((b): b is string => typeof b === 'string')
}

/**
 * The rate limit's two periods for `env`: the RATE_LIMITER binding's, and the
 * RATE_LIMIT_PERIOD_SECONDS var that a 429's Retry-After is read from (the binding answers only
 * "allowed or not", so the Worker cannot read its period).
 */
export async function readRateLimitPeriods(env?: string) {
  const config = await readConfig(env)
  const binding = config.ratelimits?.find((r) => r.name === 'RATE_LIMITER')
  return { binding: binding?.simple?.period, retryAfter: Number(config.vars?.RATE_LIMIT_PERIOD_SECONDS) }
}

/** The routes a deployed environment needs: every tenant's host, and /healthz and the management API on the base domain. */
export function requiredRoutes(baseDomain: string): string[] {
  return [`*.${baseDomain}/*`, `${baseDomain}/healthz`, `${baseDomain}/admin/*`]
}

/** The required routes that `routes` lacks (patterns compared exactly, as wrangler sends them). */
export function missingRoutes(
  routes: readonly (string | { pattern?: unknown })[],
  baseDomain: string,
): string[] {
  const patterns = new Set(routes.map((r) => (typeof r === 'string' ? r : String(r.pattern))))
  return requiredRoutes(baseDomain).filter((route) => !patterns.has(route))
}

/**
 * The routes of `env` and its base domain; `local` when it allows localhost tenants (the top level,
 * served by `wrangler dev`, has no routes by design: they would make it rewrite Host).
 */
export async function readRoutes(env?: string) {
  const config = await readConfig(env)
  return {
    routes: config.routes ?? [],
    baseDomain: String(config.vars?.BASE_DOMAIN ?? ''),
    local: config.vars?.ALLOW_LOCALHOST_TENANTS === 'true',
  }
}

/** Whether `env` lets webhook endpoints be http://localhost receivers (development only). */
export async function allowsLocalhostWebhooks(env?: string) {
  return (await readConfig(env)).vars?.ALLOW_HTTP_LOCALHOST_WEBHOOKS === 'true'
}
