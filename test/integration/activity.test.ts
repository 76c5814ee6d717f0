import { beforeAll, describe, it } from 'vitest'
import { admin, newOperatorKey, onboard } from '../support/admin-client'
import { oktaUser } from '../support/fixtures'
import { roundTrips, scim } from '../support/scim-client'

// biome-ignore lint/suspicious/noExplicitAny: the test reads the API's JSON as it comes
type Json = any
let key: string
const OKTA = { 'user-agent': 'Okta SCIM Client 1.0.0' }

beforeAll(async () => {
  key = (await newOperatorKey()).key
})

/** Polls the activity until `check` holds: the queue consumer writes it a moment after the request. */
async function activityWhen(name: string, check: (activity: Json) => boolean, timeoutMs = 25_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const answer = await admin(`/tenants/${name}/activity?limit=200`, { key })
    if (answer.status === 200 && check(answer.json)) return answer.json
    if (Date.now() > deadline) throw new Error(`activity never matched: ${answer.text}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

const countOf = (activity: Json, status: number) =>
  activity.usage.filter((u: Json) => u.status === status).reduce((sum: number, u: Json) => sum + u.count, 0)

describe('activity log', () => {
  it("records Okta's test connection (a successful read) without a D1 round trip of its own", async ({
    expect,
  }) => {
    const tenant = await onboard(key)
    const read = await scim(tenant, '/Users?startIndex=1&count=2', { headers: OKTA })
    expect(read.status).toBe(200)
    // The list's own reads only: the activity costs the request nothing in D1.
    const listed = roundTrips(read.headers)
    console.info(`GET /Users?startIndex=1&count=2: ${listed} D1 round trips`)
    expect(listed).toBe(1)
    const activity = await activityWhen(tenant.name, (a) => a.usage.length > 0)
    expect(activity.usage).toEqual([
      expect.objectContaining({
        client: 'Okta SCIM Client 1.0.0',
        method: 'GET',
        endpoint: '/scim/v2/Users',
        status: 200,
        count: 1,
      }),
    ])
    expect(activity.failures).toEqual([])
    const view = await admin(`/tenants/${tenant.name}`, { key })
    expect(view.json.lastScimRequest).toMatchObject({ client: 'Okta SCIM Client 1.0.0', status: 200 })
  })

  it('itemizes a failure with its SCIM error, endpoint pattern, client and request id, explained', async ({
    expect,
  }) => {
    const tenant = await onboard(key)
    const user = oktaUser('dup@example.com')
    expect((await scim(tenant, '/Users', { body: user, headers: OKTA })).status).toBe(201)
    const conflict = await scim(tenant, '/Users', { body: user, headers: OKTA })
    expect(conflict.status).toBe(409)
    const activity = await activityWhen(tenant.name, (a) => a.failures.length > 0)
    expect(activity.failures[0]).toMatchObject({
      status: 409,
      scimType: 'uniqueness',
      method: 'POST',
      endpoint: '/scim/v2/Users',
      client: 'Okta SCIM Client 1.0.0',
      requestId: conflict.headers.get('x-request-id'),
    })
    expect(activity.failures[0].explanation).toContain('already exists here')
    expect(JSON.stringify(activity)).not.toContain('dup@example.com')
  })

  it('keeps a flood of failures to a bounded number of writes: exact counts, at most 20 itemized per 10 s', async ({
    expect,
  }) => {
    const tenant = await onboard(key)
    const FLOOD = 100
    for (let i = 0; i < FLOOD; i++) {
      const answer = await scim(tenant, '/Users', { token: `scimsk_${'A'.repeat(43)}`, headers: OKTA })
      expect(answer.status).toBe(401)
    }
    const activity = await activityWhen(tenant.name, (a) => countOf(a, 401) === FLOOD)
    // The first failure is sent at once; the other 99 wait for the interval: 1 + 20 itemized.
    console.info(
      `${FLOOD} failing requests: ${activity.failures.length} itemized, ${activity.unitemizedFailures} counted only`,
    )
    expect(activity.failures.length).toBeLessThanOrEqual(21)
    expect(activity.failures.length + activity.unitemizedFailures).toBe(FLOOD)
    expect(activity.failures[0].explanation).toContain('token was refused')
  }, 90_000)
})
