import { env } from 'cloudflare:workers'
import { beforeAll, describe, it } from 'vitest'
import { d1Port } from '../../src/admin/worker-ports'
import { revokeOperatorKey } from '../../src/control/operator-keys'
import { generateToken, randomSecret } from '../../src/tenancy/token'
import { admin, newOperatorKey, onboard } from '../support/admin-client'
import { scim } from '../support/scim-client'
import { createTenant } from '../support/tenant'

const PROBLEM = 'application/problem+json'
let key: string

beforeAll(async () => {
  key = (await newOperatorKey()).key
})

describe('management API: operator keys', () => {
  it.for<[string, () => Promise<string | null>]>([
    ['no key', async () => null],
    ['a well-formed key that was never issued', async () => randomSecret('scimop_')],
    ['a malformed key', async () => 'scimop_short'],
    ["a tenant's token", async () => (await createTenant()).token],
    ['a random tenant-shaped token', async () => generateToken()],
  ])('refuses %s with 401 problem+json', async ([, keyOf], { expect }) => {
    const res = await admin('/tenants', { key: await keyOf() })
    expect(res.status).toBe(401)
    expect(res.headers.get('content-type')).toBe(PROBLEM)
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="admin"')
    expect(res.json).toMatchObject({
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      instance: '/admin/v1/tenants',
    })
  })

  it('stops a revoked key at the next request, while another live key keeps working', async ({ expect }) => {
    const first = await newOperatorKey('first')
    const second = await newOperatorKey('second')
    expect((await admin('/tenants', { key: first.key })).status).toBe(200)
    await revokeOperatorKey(d1Port(env.DB), first.keyId)
    expect((await admin('/tenants', { key: first.key })).status).toBe(401)
    expect((await admin('/tenants', { key: second.key })).status).toBe(200)
    await expect(revokeOperatorKey(d1Port(env.DB), first.keyId)).rejects.toThrow('already revoked')
  })

  it('never opens SCIM with an operator key', async ({ expect }) => {
    const tenant = await onboard(key)
    expect((await scim(tenant, '/Users')).status).toBe(200)
    const res = await scim(tenant, '/Users', { token: key })
    expect(res.status).toBe(401)
    expect(res.json.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error'])
  })

  it("answers 404 on a tenant's subdomain, even with a valid key", async ({ expect }) => {
    const tenant = await onboard(key)
    const res = await admin('/tenants', { key, host: tenant.host })
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toBe(PROBLEM)
  })

  it.for(['localhost:8787', '127.0.0.1:8787', 'localhost', '127.0.0.1'])(
    'answers on %s where local tenants are allowed, as /healthz does',
    async (host, { expect }) => {
      expect((await admin('/tenants', { key, host })).status).toBe(200)
      const { exports } = await import('cloudflare:workers')
      expect((await exports.default.fetch(`http://${host}/healthz`)).status).toBe(200)
    },
  )

  it('serves the OpenAPI document without a key, and unknown paths as a 404 problem', async ({ expect }) => {
    const doc = await admin('/openapi.json', { key: null })
    expect(doc.status).toBe(200)
    expect(doc.json.openapi).toBe('3.1.0')
    const unknown = await admin('/nothing', { key })
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get('content-type')).toBe(PROBLEM)
  })
})

describe('management API: audit', () => {
  it('records each change with the key id and outcome, never a secret', async ({ expect }) => {
    const operator = await newOperatorKey('audited')
    const tenant = await onboard(operator.key)
    await admin('/tenants', { key: operator.key, body: { name: tenant.name } })
    const res = await admin(`/audit?tenant=${tenant.name}`, { key: operator.key })
    expect(res.status).toBe(200)
    expect(
      res.json.entries.map((e: { method: string; path: string; status: number }) => [
        e.method,
        e.path,
        e.status,
      ]),
    ).toEqual([
      ['POST', '/admin/v1/tenants', 409],
      ['POST', `/admin/v1/tenants/${tenant.name}/tokens`, 201],
      ['POST', '/admin/v1/tenants', 201],
    ])
    const all = await admin('/audit?limit=500', { key: operator.key })
    const mine = all.json.entries.filter((e: { keyId: string }) => e.keyId === operator.keyId)
    expect(mine).toHaveLength(3)
    expect(all.text).not.toContain(tenant.token)
    expect(all.text).not.toContain(operator.key)
  })

  it('pages newest first with a cursor', async ({ expect }) => {
    const first = await admin('/audit?limit=1', { key })
    expect(first.json.entries).toHaveLength(1)
    const next = await admin(`/audit?limit=1&cursor=${first.json.nextCursor}`, { key })
    expect(next.json.entries[0].seq).toBeLessThan(first.json.entries[0].seq)
  })
})
