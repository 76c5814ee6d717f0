import { env } from 'cloudflare:workers'
import { beforeAll, describe, it } from 'vitest'
import { controlPlaneMaintenance } from '../../src/admin/maintenance'
import { workerPorts } from '../../src/admin/worker-ports'
import { createTenant as createControlTenant } from '../../src/control/tenants'
import { tenantKey } from '../../src/tenancy/tenant-record'
import { admin, apiTenant, newOperatorKey, onboard, uniqueName } from '../support/admin-client'
import { scim } from '../support/scim-client'
import { createTenant } from '../support/tenant'

let key: string

beforeAll(async () => {
  key = (await newOperatorKey()).key
})

describe('management API: tenants', () => {
  it('creates a tenant (201, no token), gets it and finds it in the list', async ({ expect }) => {
    const name = uniqueName()
    const created = await admin('/tenants', {
      key,
      body: { name, label: 'Acme', metadata: { customerId: 'c1' } },
    })
    expect(created.status).toBe(201)
    expect(created.headers.get('location')).toBe(`/admin/v1/tenants/${name}`)
    expect(created.json).toMatchObject({
      name,
      status: 'active',
      db: 'DB',
      label: 'Acme',
      tokens: [],
      counts: { users: 0, groups: 0 },
    })
    expect(created.json.scimBaseUrl).toBe(`https://${name}.scim.example.com/scim/v2`)
    const got = await admin(`/tenants/${name}`, { key })
    expect(got.status).toBe(200)
    expect(got.json).toMatchObject({ name, metadata: { customerId: 'c1' } })
    const list = await admin(`/tenants?limit=200&cursor=${name.slice(0, -1)}`, { key })
    expect(list.json.tenants.map((t: { name: string }) => t.name)).toContain(name)
  })

  it('accepts {"name"} alone, on DB_2 too, and counts users and groups', async ({ expect }) => {
    const name = uniqueName()
    expect((await admin('/tenants', { key, body: { name, db: 'DB_2' } })).json.db).toBe('DB_2')
    const token = (await admin(`/tenants/${name}/tokens`, { key, body: {} })).json.token
    const tenant = apiTenant(name, token)
    await scim(tenant, '/Users', {
      body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'ann' },
    })
    await scim(tenant, '/Groups', {
      body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'g' },
    })
    expect((await admin(`/tenants/${name}`, { key })).json.counts).toEqual({ users: 1, groups: 1 })
  })

  it.for<[string, unknown, string]>([
    ['an upper-case name', { name: 'Acme' }, 'name: a tenant name is 1–63 lowercase'],
    ['an underscore', { name: 'a_b' }, 'name:'],
    ['a 64-character name', { name: 'a'.repeat(64) }, 'name:'],
    ['no name', {}, 'name:'],
    ['an unknown member', { name: 'ok-name', plan: 'gold' }, 'plan'],
    ['a bad database name', { name: 'ok-name', db: 'db two' }, 'db: a D1 binding name'],
    [
      'a label with a newline',
      { name: 'ok-name', label: 'a\nb' },
      'label: a label has no control characters',
    ],
    ['non-string metadata', { name: 'ok-name', metadata: { a: 1 } }, 'metadata.a'],
  ])('refuses %s with 400 and the problem', async ([, body, problem], { expect }) => {
    const res = await admin('/tenants', { key, body })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(res.json.errors.join('\n')).toContain(problem)
  })

  it('refuses malformed JSON with 400, an undeclared database with 422 and a duplicate with 409', async ({
    expect,
  }) => {
    expect((await admin('/tenants', { key, body: '{"name":' })).status).toBe(400)
    const text = await admin('/tenants', {
      key,
      body: '{"name":"x"}',
      headers: { 'content-type': 'text/plain' },
    })
    expect(text.status).toBe(415)
    expect(text.json.detail).toBe('The request body must be JSON, sent as Content-Type: application/json')
    const undeclared = await admin('/tenants', { key, body: { name: uniqueName(), db: 'DB_9' } })
    expect(undeclared.status).toBe(422)
    expect(undeclared.json.detail).toContain('D1 binding DB_9 is not declared')
    const name = uniqueName()
    expect((await admin('/tenants', { key, body: { name } })).status).toBe(201)
    const again = await admin('/tenants', { key, body: { name } })
    expect(again.status).toBe(409)
    expect(again.json.detail).toBe(`Tenant ${name} already exists`)
  })

  it('answers 404 for an unknown tenant and 400 for an invalid name in the path', async ({ expect }) => {
    expect((await admin('/tenants/no-such-tenant', { key })).status).toBe(404)
    expect((await admin('/tenants/Bad_Name', { key })).status).toBe(400)
  })

  it('suspends (SCIM answers 401) and resumes (it works again); a repeat changes nothing', async ({
    expect,
  }) => {
    const tenant = await onboard(key)
    const suspended = await admin(`/tenants/${tenant.name}/suspend`, { key, method: 'POST' })
    expect(suspended.json).toEqual({ name: tenant.name, status: 'suspended', changed: true })
    expect((await admin(`/tenants/${tenant.name}/suspend`, { key, method: 'POST' })).json.changed).toBe(false)
    const refused = await scim(tenant, '/Users')
    expect(refused.status).toBe(401)
    expect(refused.json.detail).toBe('This tenant is suspended')
    expect(
      (await admin(`/tenants?status=suspended&limit=200`, { key })).json.tenants.map(
        (t: { name: string }) => t.name,
      ),
    ).toContain(tenant.name)
    expect((await admin(`/tenants/${tenant.name}/resume`, { key, method: 'POST' })).json.status).toBe(
      'active',
    )
    expect((await scim(tenant, '/Users')).status).toBe(200)
  })

  it('pages the list with a cursor', async ({ expect }) => {
    await onboard(key)
    await onboard(key)
    const first = await admin('/tenants?limit=1', { key })
    expect(first.json.tenants).toHaveLength(1)
    const second = await admin(`/tenants?limit=1&cursor=${first.json.nextCursor}`, { key })
    expect(second.json.tenants[0].name > first.json.tenants[0].name).toBe(true)
    expect((await admin('/tenants?limit=0', { key })).status).toBe(400)
  })
})

describe('management API: idempotent creates', () => {
  it('replays the first answer for the same Idempotency-Key and body, and makes one tenant', async ({
    expect,
  }) => {
    const name = uniqueName()
    const headers = { 'idempotency-key': `create-${name}` }
    const first = await admin('/tenants', { key, body: { name }, headers })
    const retry = await admin('/tenants', { key, body: { name }, headers })
    expect(first.status).toBe(201)
    expect(retry.status).toBe(201)
    expect(retry.json).toEqual(first.json)
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    expect(retry.headers.get('location')).toBe(`/admin/v1/tenants/${name}`)
    const other = await admin('/tenants', { key, body: { name: uniqueName() }, headers })
    expect(other.status).toBe(422)
    expect(other.json.detail).toBe('This Idempotency-Key was used with a different request body')
  })

  it('scopes keys to the operator key: another operator with the same Idempotency-Key is not replayed', async ({
    expect,
  }) => {
    const otherKey = (await newOperatorKey('other')).key
    const name = uniqueName()
    const headers = { 'idempotency-key': 'shared-key' }
    expect((await admin('/tenants', { key, body: { name }, headers })).status).toBe(201)
    const res = await admin('/tenants', { key: otherKey, body: { name }, headers })
    expect(res.status).toBe(409)
    expect(res.headers.get('idempotent-replayed')).toBeNull()
  })

  it('refuses an Idempotency-Key that is not visible ASCII', async ({ expect }) => {
    const res = await admin('/tenants', {
      key,
      body: { name: uniqueName() },
      headers: { 'idempotency-key': 'a b' },
    })
    expect(res.status).toBe(400)
  })
})

describe('control plane: tenants made before D1 held them, and the publishing safety net', () => {
  it('imports a KV-only tenant on first use: its token keeps working, and a new one works beside it', async ({
    expect,
  }) => {
    const legacy = await createTenant()
    const got = await admin(`/tenants/${legacy.name}`, { key })
    expect(got.status).toBe(200)
    expect(got.json.tokens.map((t: { id: string }) => t.id)).toEqual([legacy.tokenId])
    expect((await admin('/tenants', { key, body: { name: legacy.name } })).status).toBe(409)
    const issued = await admin(`/tenants/${legacy.name}/tokens`, { key, body: {} })
    expect((await scim(legacy, '/Users')).status).toBe(200)
    expect((await scim(apiTenant(legacy.name, issued.json.token), '/Users')).status).toBe(200)
  })

  it('the cron publishes a tenant whose KV record fell behind D1', async ({ expect }) => {
    const tenant = await onboard(key)
    await env.DB.prepare("UPDATE tenants SET status = 'suspended', revision = revision + 1 WHERE name = ?")
      .bind(tenant.name)
      .run()
    expect((await scim(tenant, '/Users')).status).toBe(200)
    const result = await controlPlaneMaintenance(env, new Date())
    expect(result.published).toBeGreaterThanOrEqual(1)
    expect(((await env.TENANTS.get(tenantKey(tenant.name), 'json')) as { status: string }).status).toBe(
      'suspended',
    )
    expect((await scim(tenant, '/Users')).status).toBe(401)
  })
})

describe('control plane: the CLI create (tenant and first token in one transaction)', () => {
  it('issues the first token with the tenant, and never to an existing tenant of that name', async ({
    expect,
  }) => {
    const ports = workerPorts(env)
    const name = uniqueName('cli')
    const { issued } = await createControlTenant(ports, { name }, { firstToken: { label: 'first' } })
    expect((await scim(apiTenant(name, issued!.token), '/Users')).status).toBe(200)
    // Two creates that both passed the KV check: the second's batch finds the row and adds nothing.
    await env.TENANTS.delete(tenantKey(name))
    await expect(createControlTenant(ports, { name }, { firstToken: {} })).rejects.toThrow(
      `Tenant ${name} already exists`,
    )
    const tokens = await env.DB.prepare('SELECT id FROM tenant_tokens WHERE tenant_name = ?').bind(name).all()
    expect(tokens.results.map((t) => t.id)).toEqual([issued!.tokenId])
  })
})
