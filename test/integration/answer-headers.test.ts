import { afterEach, beforeAll, beforeEach, describe, it, vi } from 'vitest'
import { createUser, oktaUser, patchOp } from '../support/fixtures'
import { scim } from '../support/scim-client'
import { createTenant, type TestTenant, updateTenant } from '../support/tenant'

/** Headers of tenant answers and the request id (issue 12, point 6). */

let tenant: TestTenant
let other: TestTenant
let userId: string

beforeAll(async () => {
  tenant = await createTenant()
  other = await createTenant()
  userId = (await createUser(tenant, 'headers@example.com')).id
})

let lines: string[] = []
beforeEach(() => {
  lines = []
  for (const method of ['log', 'warn', 'error'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '))
    })
  }
})
afterEach(() => vi.restoreAllMocks())

describe('Cache-Control: no-store', () => {
  it('is on every answer under /scim/v2: successes, errors after tenancy, and 401s', async ({ expect }) => {
    const answers = [
      await scim(tenant, '/Users'),
      await scim(tenant, `/Users/${userId}`),
      await scim(tenant, `/Users/${userId}`, { method: 'HEAD' }),
      await scim(tenant, '/Users', { body: oktaUser('created@example.com') }),
      await scim(tenant, `/Users/${userId}`, {
        method: 'PATCH',
        body: patchOp({ op: 'replace', path: 'title', value: 'x' }),
      }),
      await scim(tenant, '/ServiceProviderConfig'),
      await scim(tenant, '/Schemas'),
      await scim(tenant, '/Users/00000000-0000-4000-8000-000000000000'),
      await scim(tenant, '/Users?filter=bad'),
      await scim(tenant, '/Users', { method: 'PUT' }),
      await scim(tenant, '/Me'),
      await scim(tenant, '/Nowhere'),
      await scim(tenant, '/Users', { token: other.token }),
      await scim(tenant, '/Users', { token: null }),
    ]
    expect(answers.map((a) => a.status)).toEqual([
      200, 200, 200, 201, 200, 200, 200, 404, 400, 405, 501, 404, 401, 401,
    ])
    for (const answer of answers)
      expect(answer.headers.get('cache-control'), String(answer.status)).toBe('no-store')
  })
})

describe('Server-Timing', () => {
  it('is not sent before authentication', async ({ expect }) => {
    const suspended = await createTenant({ status: 'suspended' })
    const refused = [
      await scim(tenant, '/Users', { token: null }),
      await scim(tenant, '/Users', { token: other.token }),
      await scim(tenant, '/Users', { token: `scimsk_${'A'.repeat(43)}` }),
      await scim(suspended, '/Users'),
      await scim(tenant, '/Users', { host: 'nobody-here.scim.example.com', token: null }),
    ]
    expect(refused.map((a) => a.status)).toEqual([401, 401, 401, 401, 401])
    for (const answer of refused) expect(answer.headers.get('server-timing')).toBeNull()
  })

  it('is sent after it, with the D1 round trips, on errors too', async ({ expect }) => {
    for (const answer of [await scim(tenant, '/Users'), await scim(tenant, '/Users?filter=bad')]) {
      expect(answer.headers.get('server-timing')).toMatch(/d1;dur=[\d.]+;desc="\d+ round trips"/)
    }
  })
})

describe('the request id', () => {
  const requestIds = () =>
    lines
      .filter((line) => line.startsWith('{') && line.includes('"route"'))
      .map((line) => JSON.parse(line).requestId as string)
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

  it('is a well-formed cf-ray as Cloudflare sends it', async ({ expect }) => {
    const res = await scim(tenant, '/Users', { headers: { 'cf-ray': '8f1a2b3c4d5e6f70-LHR' } })
    expect(res.headers.get('x-request-id')).toBe('8f1a2b3c4d5e6f70-LHR')
    expect(requestIds()).toEqual(['8f1a2b3c4d5e6f70-LHR'])
  })

  it.for([
    '<script>alert(1)</script>',
    '8f1a2b3c4d5e6f70-LHR<script>',
    '8f1a2b3c4d5e6f70-LHR\t"x"',
    '8f1a2b3c4d5e6f70',
    `${'a'.repeat(200)}-LHR`,
    'zzzzzzzzzzzzzzzz-LHR',
    '8f1a2b3c4d5e6f70-L',
  ])('is a fresh UUID when cf-ray is %j', async (ray, { expect }) => {
    const res = await scim(tenant, '/Users', { headers: { 'cf-ray': ray }, token: null })
    const id = res.headers.get('x-request-id') ?? ''
    expect(id).toMatch(UUID)
    expect(requestIds()).toEqual([id])
    expect(lines.join('\n')).not.toContain('<script')
  })
})

describe('the D1 binding a tenant record names', () => {
  it.for(['TENANTS', 'BASE_DOMAIN', 'SCIM_EVENTS', 'DB_MISSING'])(
    'answers a logged 500 naming no internals when %s is not a D1 database of the deployment',
    async (db, { expect }) => {
      const misplaced = await createTenant()
      await updateTenant(misplaced.name, (record) => ({ ...record, db }))
      const res = await scim(misplaced, '/Users', { headers: { 'cf-ray': '0123456789abcdef-AMS' } })
      expect(res.status).toBe(500)
      expect(res.json.detail).toBe('Internal server error (request id 0123456789abcdef-AMS)')
      expect(res.headers.get('cache-control')).toBe('no-store')
      const errors = lines.filter((line) => line.includes('unexpected error')).map((line) => JSON.parse(line))
      expect(errors).toEqual([
        expect.objectContaining({
          requestId: '0123456789abcdef-AMS',
          error: expect.objectContaining({
            name: 'Error',
            message: expect.stringContaining(`${db}, which is not a D1 database binding of this deployment`),
          }),
        }),
      ])
    },
  )
})
