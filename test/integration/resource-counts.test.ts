import { env } from 'cloudflare:workers'
import { it } from 'vitest'
import { createGroup, createUser } from '../support/fixtures'
import { scim } from '../support/scim-client'
import { createTenant } from '../support/tenant'

const total = async (tenant: Awaited<ReturnType<typeof createTenant>>, path: string) =>
  (await scim(tenant, `${path}?count=0`)).json.totalResults

it('keeps the unfiltered totalResults right through creates, deletes and Bulk, per tenant', async ({
  expect,
}) => {
  const acme = await createTenant()
  const globex = await createTenant()
  const users = [await createUser(acme, 'a@example.com'), await createUser(acme, 'b@example.com')]
  await createUser(globex, 'c@example.com')
  await createGroup(acme, 'G')
  await scim(acme, `/Users/${users[0].id}`, { method: 'DELETE' })
  await scim(acme, '/Bulk', {
    body: {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        {
          method: 'POST',
          path: '/Users',
          bulkId: 'x',
          data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'x@example.com' },
        },
        {
          method: 'POST',
          path: '/Users',
          bulkId: 'dup',
          data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'B@example.com' },
        },
      ],
    },
  })
  expect(await total(acme, '/Users')).toBe(2)
  expect(await total(acme, '/Groups')).toBe(1)
  expect(await total(globex, '/Users')).toBe(1)
  expect(
    (
      await scim(acme, '/.search', {
        body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], count: 0 },
      })
    ).json.totalResults,
  ).toBe(3)
  // The kept count equals the real one.
  const real = await env.DB.prepare('SELECT count(*) AS n FROM users WHERE tenant_id = ?')
    .bind(acme.name)
    .first<{ n: number }>()
  expect(real?.n).toBe(2)
})

it('reads the unfiltered count from resource_counts, not by counting rows', async ({ expect }) => {
  const tenant = await createTenant()
  await createUser(tenant, 'kept@example.com')
  await env.DB.prepare("UPDATE resource_counts SET count = 41 WHERE tenant_id = ? AND resource_type = 'User'")
    .bind(tenant.name)
    .run()
  expect(await total(tenant, '/Users')).toBe(41)
  // A filtered count still counts the matching rows.
  expect((await scim(tenant, '/Users?count=0&filter=userName pr')).json.totalResults).toBe(1)
})
