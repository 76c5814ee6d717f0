import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { describe, it } from 'vitest'
import { createApp } from '../../src/app'
import { ERROR } from '../support/fixtures'
import { opsEnv } from '../support/ops-env'
import { scim } from '../support/scim-client'
import { createTenant, type TestTenant } from '../support/tenant'

// The Worker's own app and bindings, but counting against RATE_LIMITER_TEST: a real local limiter
// of 3 requests per 10 s (vitest.config.ts), so the limit is reachable in a test.
const LIMIT = 3
const lowLimitEnv = {
  ...opsEnv,
  RATE_LIMITER: opsEnv.RATE_LIMITER_TEST,
  RATE_LIMIT_PERIOD_SECONDS: '10',
  // The activity log's flush keeps a request's waitUntil open for up to its 10 s interval, which
  // waitOnExecutionContext would wait out on every call; the rate limit does not depend on it.
  SCIM_ACTIVITY: undefined,
}
const app = createApp()

async function call(tenant: TestTenant, token = tenant.token) {
  const ctx = createExecutionContext()
  const res = await app.fetch(
    new Request(`${tenant.baseUrl}/Users`, { headers: { authorization: `Bearer ${token}` } }),
    lowLimitEnv,
    ctx,
  )
  await waitOnExecutionContext(ctx)
  return res
}

/**
 * Requests until the first 429. The local limiter counts in fixed windows aligned to the period,
 * so 2 × LIMIT + 1 requests put LIMIT + 1 into one window even if a window ends on the way.
 */
async function untilLimited(tenant: TestTenant) {
  for (let i = 0; i < 2 * LIMIT + 1; i++) {
    const res = await call(tenant)
    if (res.status === 429) return res
    if (res.status !== 200) throw new Error(`unexpected ${res.status}`)
  }
  throw new Error('never limited')
}

describe('per-tenant rate limit', () => {
  it('answers 429 with a SCIM error and Retry-After = the period in seconds over the limit', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const res = await untilLimited(tenant)
    expect(res.headers.get('retry-after')).toBe('10')
    expect(res.headers.get('content-type')).toBe('application/scim+json')
    expect(await res.json()).toEqual({
      schemas: [ERROR],
      status: '429',
      detail: 'Too many requests; retry after 10 seconds',
    })
  })

  it('counts each tenant on its own', async ({ expect }) => {
    const [busy, quiet] = [await createTenant(), await createTenant()]
    await untilLimited(busy)
    expect((await call(quiet)).status).toBe(200)
  })

  it('does not count requests whose token fails', async ({ expect }) => {
    const tenant = await createTenant()
    const wrong = `${tenant.token.slice(0, -1)}${tenant.token.endsWith('A') ? 'B' : 'A'}`
    for (let i = 0; i < 2 * LIMIT + 1; i++) expect((await call(tenant, wrong)).status).toBe(401)
    expect((await call(tenant)).status).toBe(200)
  })

  it('lets the deployed default (1500 per 60 s) through a burst of 100 requests of one tenant', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const statuses = await Promise.all(Array.from({ length: 100 }, () => scim(tenant, '/Users')))
    expect(statuses.map((res) => res.status)).toEqual(Array(100).fill(200))
  })
})
