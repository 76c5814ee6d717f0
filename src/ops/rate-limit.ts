import type { Context } from 'hono'
import type { AppEnv } from '../env'
import { ScimError } from '../http/scim-error'
import { describeError } from './safe-error'

// The periods the rate-limiting binding accepts; 60 is the one wrangler.toml configures.
const PERIODS = new Set([10, 60])
const DEFAULT_PERIOD = 60

/** The `Retry-After` of a 429: RATE_LIMIT_PERIOD_SECONDS when it is a period the binding accepts. */
export function retryAfterSeconds(env: Pick<Env, 'RATE_LIMIT_PERIOD_SECONDS'>): number {
  const period = Number(env.RATE_LIMIT_PERIOD_SECONDS)
  return PERIODS.has(period) ? period : DEFAULT_PERIOD
}

/**
 * Counts one request against the RATE_LIMITER binding under `key` and answers 429 with
 * `Retry-After` in whole seconds when over the limit (RFC 6585 §4, RFC 7644 §3.12). The binding
 * answers only yes or no, so the wait is its whole period: Okta honours only this form.
 */
export async function enforceRateLimit(c: Context<AppEnv>, key: string): Promise<void> {
  const limiter = c.env.RATE_LIMITER
  let allowed: boolean
  try {
    allowed = (await limiter.limit({ key })).success
  } catch (error) {
    // Fail open: a limiter outage must not stop provisioning.
    console.error(
      JSON.stringify({
        level: 'error',
        requestId: c.get('requestId'),
        message: 'rate limiter unavailable; request allowed',
        error: describeError(error),
      }),
    )
    return
  }
  if (allowed) return
  const seconds = retryAfterSeconds(c.env)
  throw new ScimError(429, `Too many requests; retry after ${seconds} seconds`, undefined, {
    'Retry-After': String(seconds),
  })
}
