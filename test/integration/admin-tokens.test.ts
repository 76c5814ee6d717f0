import { env } from 'cloudflare:workers'
import { beforeAll, describe, it } from 'vitest'
import { controlPlaneMaintenance } from '../../src/admin/maintenance'
import { workerPorts } from '../../src/admin/worker-ports'
import { MAX_TOKENS_PER_TENANT } from '../../src/control/rules'
import { issueToken } from '../../src/control/tokens'
import { tenantKey } from '../../src/tenancy/tenant-record'
import { admin, apiTenant, newOperatorKey, onboard, uniqueName } from '../support/admin-client'
import { scim } from '../support/scim-client'

let key: string

beforeAll(async () => {
  key = (await newOperatorKey()).key
})

const works = async (name: string, token: string) => (await scim(apiTenant(name, token), '/Users')).status

describe('management API: tokens', () => {
  it('issues a token with {} (201, shown once) that opens SCIM; lists show metadata only', async ({
    expect,
  }) => {
    const name = uniqueName()
    await admin('/tenants', { key, body: { name } })
    const issued = await admin(`/tenants/${name}/tokens`, { key, body: {} })
    expect(issued.status).toBe(201)
    expect(issued.json.token).toMatch(/^scimsk_[A-Za-z0-9_-]{43}$/)
    expect(issued.json).toMatchObject({
      tenant: name,
      scimBaseUrl: `https://${name}.scim.example.com/scim/v2`,
    })
    expect(await works(name, issued.json.token)).toBe(200)
    const list = await admin(`/tenants/${name}/tokens`, { key })
    expect(list.json.tokens).toEqual([issued.json.metadata])
    expect(list.text).not.toContain(issued.json.token)
    expect(list.text).not.toContain('hash')
    expect(await env.TENANTS.get(tenantKey(name))).not.toContain(issued.json.token)
  })

  it('issues with no body at all, and with a label and an expiry', async ({ expect }) => {
    const name = uniqueName()
    await admin('/tenants', { key, body: { name } })
    expect((await admin(`/tenants/${name}/tokens`, { key, method: 'POST' })).status).toBe(201)
    const labelled = await admin(`/tenants/${name}/tokens`, {
      key,
      body: { label: 'okta', expiresInSeconds: 3600 },
    })
    expect(labelled.json.metadata.label).toBe('okta')
    const expiresIn = Date.parse(labelled.json.metadata.expiresAt) - Date.now()
    expect(expiresIn).toBeGreaterThan(3_590_000)
    expect(expiresIn).toBeLessThanOrEqual(3_600_000)
  })

  it.for<[string, unknown]>([
    ['a zero expiry', { expiresInSeconds: 0 }],
    ['a fractional expiry', { expiresInSeconds: 1.5 }],
    ['an unknown member', { scope: 'all' }],
    ['a long label', { label: 'x'.repeat(101) }],
  ])('refuses %s with 400', async ([, body], { expect }) => {
    const tenant = await onboard(key)
    expect((await admin(`/tenants/${tenant.name}/tokens`, { key, body })).status).toBe(400)
  })

  it('answers 404 for the tokens of an unknown tenant', async ({ expect }) => {
    expect((await admin('/tenants/nobody-here/tokens', { key, body: {} })).status).toBe(404)
    expect((await admin('/tenants/nobody-here/tokens', { key })).status).toBe(404)
  })

  it('revokes one token (it stops, the other works) and then all of them', async ({ expect }) => {
    const tenant = await onboard(key)
    const second = (await admin(`/tenants/${tenant.name}/tokens`, { key, body: {} })).json
    const revoked = await admin(`/tenants/${tenant.name}/tokens/${second.tokenId}`, { key, method: 'DELETE' })
    expect(revoked.json).toEqual({ tenant: tenant.name, revoked: [second.tokenId] })
    expect(await works(tenant.name, second.token)).toBe(401)
    expect(await works(tenant.name, tenant.token)).toBe(200)
    const again = await admin(`/tenants/${tenant.name}/tokens/${second.tokenId}`, { key, method: 'DELETE' })
    expect(again.status).toBe(404)
    expect(
      (await admin(`/tenants/${tenant.name}/tokens/not-a-token`, { key, method: 'DELETE' })).status,
    ).toBe(400)
    const all = await admin(`/tenants/${tenant.name}/tokens`, { key, method: 'DELETE' })
    expect(all.json.revoked).toHaveLength(1)
    expect(await works(tenant.name, tenant.token)).toBe(401)
  })

  it('rotates with a grace period: both tokens work, the old one until the grace ends', async ({
    expect,
  }) => {
    const tenant = await onboard(key)
    const rotated = await admin(`/tenants/${tenant.name}/tokens/rotate`, {
      key,
      body: { graceSeconds: 3600 },
    })
    expect(rotated.status).toBe(201)
    expect(rotated.json.removed).toEqual([])
    expect(rotated.json.kept).toHaveLength(1)
    expect(Date.parse(rotated.json.kept[0].expiresAt) - Date.now()).toBeGreaterThan(3_500_000)
    expect(await works(tenant.name, tenant.token)).toBe(200)
    expect(await works(tenant.name, rotated.json.token)).toBe(200)
    const now = await admin(`/tenants/${tenant.name}/tokens/rotate`, { key, body: {} })
    expect(now.json.removed.sort()).toEqual([rotated.json.tokenId, rotated.json.kept[0].id].sort())
    expect(await works(tenant.name, tenant.token)).toBe(401)
    expect(await works(tenant.name, rotated.json.token)).toBe(401)
    expect(await works(tenant.name, now.json.token)).toBe(200)
  })

  it(`refuses a token beyond ${MAX_TOKENS_PER_TENANT} with 409`, async ({ expect }) => {
    const tenant = await onboard(key)
    for (let i = 1; i < MAX_TOKENS_PER_TENANT; i++)
      expect((await admin(`/tenants/${tenant.name}/tokens`, { key, body: {} })).status).toBe(201)
    const refused = await admin(`/tenants/${tenant.name}/tokens`, { key, body: {} })
    expect(refused.status).toBe(409)
    expect(refused.json.detail).toContain(`already holds ${MAX_TOKENS_PER_TENANT} tokens`)
  })

  it('replays an idempotent token issue with the same token, and issues only one', async ({ expect }) => {
    const name = uniqueName()
    await admin('/tenants', { key, body: { name } })
    const headers = { 'idempotency-key': `token-${name}` }
    const first = await admin(`/tenants/${name}/tokens`, { key, body: {}, headers })
    const retry = await admin(`/tenants/${name}/tokens`, { key, body: {}, headers })
    expect(retry.json.token).toBe(first.json.token)
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    expect((await admin(`/tenants/${name}/tokens`, { key })).json.tokens).toHaveLength(1)
    // Kept encrypted: D1 never holds the token in clear text.
    const rows = await env.DB.prepare('SELECT response FROM admin_idempotency WHERE idempotency_key = ?')
      .bind(headers['idempotency-key'])
      .all<{ response: string }>()
    expect(rows.results[0]?.response).not.toContain(first.json.token)
  })

  it('10 concurrent issues on one tenant give 10 working tokens, all in its published record', async ({
    expect,
  }) => {
    const name = uniqueName('burst')
    await admin('/tenants', { key, body: { name } })
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        admin(`/tenants/${name}/tokens`, { key, body: { label: `t${i}` } }),
      ),
    )
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201))
    const record = (await env.TENANTS.get(tenantKey(name), 'json')) as {
      tokens: { id: string }[]
      revision: number
    }
    expect(record.tokens.map((t) => t.id).sort()).toEqual(answers.map((a) => a.json.tokenId).sort())
    const statuses = await Promise.all(answers.map((a) => works(name, a.json.token)))
    expect(statuses).toEqual(Array(10).fill(200))
    console.log(
      `10 concurrent token issues: ${statuses.filter((s) => s === 200).length} of 10 tokens work; record revision ${record.revision}`,
    )
  })
})

describe('control plane: publishing to KV under concurrency', () => {
  it('converges on the latest revision when an older state lands in KV last (no lost token)', async ({
    expect,
  }) => {
    const name = uniqueName('race')
    await admin('/tenants', { key, body: { name } })
    const base = workerPorts(env)
    // KV keeps the last write: hold the first publisher's write until the second one's is done.
    let release = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    let puts = 0
    const ports = {
      ...base,
      kv: {
        ...base.kv,
        async put(k: string, value: string) {
          const n = ++puts
          if (n === 1) await gate
          await base.kv.put(k, value)
          if (n === 2) release()
        },
      },
    }
    const first = issueToken(ports, name, { label: 'first' })
    while (puts === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    const second = await issueToken(ports, name, { label: 'second' })
    const issued = [await first, second]
    expect(puts).toBe(3)
    const record = (await env.TENANTS.get(tenantKey(name), 'json')) as { tokens: { id: string }[] }
    expect(record.tokens.map((t) => t.id).sort()).toEqual(issued.map((t) => t.tokenId).sort())
  })
})

describe('control plane: KV rate limits never reach the caller', () => {
  it('a change whose KV writes stay rate limited still succeeds, and the cron publishes it', async ({
    expect,
  }) => {
    const name = uniqueName('limited')
    await admin('/tenants', { key, body: { name } })
    const base = workerPorts(env)
    let refused = 0
    const ports = {
      ...base,
      kv: {
        ...base.kv,
        async put() {
          refused++
          throw new Error('KV PUT failed: 429 Too Many Requests')
        },
      },
    }
    const issued = await issueToken(ports, name, {})
    expect(refused).toBeGreaterThan(1)
    expect(await works(name, issued.token)).toBe(401)
    await controlPlaneMaintenance(env, new Date())
    expect(await works(name, issued.token)).toBe(200)
  })
})
