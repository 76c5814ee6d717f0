import { env } from 'cloudflare:workers'
import { beforeAll, describe, it } from 'vitest'
import { admin, newOperatorKey } from '../support/admin-client'
import { scim } from '../support/scim-client'
import { page, redeem, tenantWithLink } from '../support/setup-client'

let key: string

beforeAll(async () => {
  key = (await newOperatorKey()).key
})

const pageOf = (url: string) => new URL('/setup', url).href

describe('setup links', () => {
  it('are issued as an absolute link on the tenant host, with the secret in the path, valid 72 h by default', async ({
    expect,
  }) => {
    const { tenant, url } = await tenantWithLink(key)
    expect(url).toMatch(
      new RegExp(`^https://${tenant.name}\\.scim\\.example\\.com/setup/scimsl_[A-Za-z0-9_-]{43}$`),
    )
    const list = await admin(`/tenants/${tenant.name}/setup-links`, { key })
    expect(list.json.setupLinks).toHaveLength(1)
    const [link] = list.json.setupLinks
    expect(link.state).toBe('active')
    expect(Date.parse(link.expiresAt) - Date.parse(link.createdAt)).toBe(72 * 3_600_000)
    expect(JSON.stringify(list.json)).not.toContain('scimsl_')
  })

  it('GET never redeems: it answers a page with a Continue button, as often as asked', async ({ expect }) => {
    const { tenant, url } = await tenantWithLink(key)
    for (let i = 0; i < 3; i++) {
      const answer = await page(url)
      expect(answer.status).toBe(200)
      expect(answer.text).toContain('<button type="submit">Continue</button>')
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer')
      expect(answer.headers.get('content-security-policy')).toMatch(/default-src 'none'/)
    }
    const list = await admin(`/tenants/${tenant.name}/setup-links`, { key })
    expect(list.json.setupLinks[0].state).toBe('active')
  })

  it('POST redeems once: a __Host- cookie (HttpOnly, Secure, SameSite=Strict, short) and 303 to the page; a second POST gets 410', async ({
    expect,
  }) => {
    const { url } = await tenantWithLink(key)
    const first = await page(url, { method: 'POST' })
    expect(first.status).toBe(303)
    expect(first.headers.get('location')).toBe('/setup')
    const cookie = first.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(
      /^__Host-scim-setup=[0-9a-f]{64}; Max-Age=3600; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
    )
    const second = await page(url, { method: 'POST' })
    expect(second.status).toBe(410)
    expect(second.text).toContain('already used')
    expect((await page(url)).status).toBe(410)
    const opened = await page(pageOf(url), { cookie: cookie.split(';')[0] })
    expect(opened.status).toBe(200)
    expect(opened.text).toContain('Choose your identity provider')
  })

  it('refuses an expired link (410), a tampered one (404), and a page without a session (401)', async ({
    expect,
  }) => {
    const { url, linkId } = await tenantWithLink(key, { expiresInHours: 1 })
    await env.DB.prepare("UPDATE setup_links SET expires_at = '2000-01-01T00:00:00.000Z' WHERE id = ?")
      .bind(linkId)
      .run()
    expect((await page(url)).status).toBe(410)
    const expired = await page(url, { method: 'POST' })
    expect(expired.status).toBe(410)
    expect(expired.text).toContain('expired')
    expect(expired.headers.get('set-cookie')).toBeNull()

    const { url: other } = await tenantWithLink(key)
    const last = other.at(-1) === 'A' ? 'B' : 'A'
    const tampered = `${other.slice(0, -1)}${last}`
    expect((await page(tampered)).status).toBe(404)
    const refused = await page(tampered, { method: 'POST' })
    expect(refused.status).toBe(404)
    expect(refused.text).toContain('ask the person who sent it for a new setup link')
    expect((await page(pageOf(other))).status).toBe(401)
  })

  it('revoking a link refuses it and ends the session it opened at once', async ({ expect }) => {
    const { tenant, url, linkId } = await tenantWithLink(key)
    const cookie = await redeem(url)
    expect((await page(pageOf(url), { cookie })).status).toBe(200)
    const revoked = await admin(`/tenants/${tenant.name}/setup-links/${linkId}`, { key, method: 'DELETE' })
    expect(revoked.status).toBe(200)
    expect(revoked.json.state).toBe('revoked')
    const ended = await page(pageOf(url), { cookie })
    expect(ended.status).toBe(401)
    expect(ended.text).toContain('Your setup session has ended')
    expect((await page(url)).status).toBe(410)

    const { url: unused, linkId: unusedId, tenant: t2 } = await tenantWithLink(key)
    await admin(`/tenants/${t2.name}/setup-links/${unusedId}`, { key, method: 'DELETE' })
    const answer = await page(unused, { method: 'POST' })
    expect(answer.status).toBe(410)
    expect(answer.text).toContain('revoked')
  })

  it("another tenant's cookie opens nothing, nor does a link on another tenant's host", async ({
    expect,
  }) => {
    const a = await tenantWithLink(key)
    const b = await tenantWithLink(key)
    const cookieA = await redeem(a.url)
    expect((await page(pageOf(b.url), { cookie: cookieA })).status).toBe(401)
    const onB = a.url.replace(a.tenant.name, b.tenant.name)
    expect((await page(onB, { method: 'POST' })).status).toBe(404)
    expect((await page(b.url)).status).toBe(200)
  })

  it('refuses a POST from another origin (403)', async ({ expect }) => {
    const { url } = await tenantWithLink(key)
    expect((await page(url, { method: 'POST', origin: 'https://evil.example' })).status).toBe(403)
    const crossSite = await page(url, {
      method: 'POST',
      origin: 'null',
      headers: { 'sec-fetch-site': 'cross-site' },
    })
    expect(crossSite.status).toBe(403)
    expect((await page(url)).status).toBe(200)
  })

  it('mints a token through the control module, shown once, working on SCIM, audited under the link', async ({
    expect,
  }) => {
    const { tenant, url, linkId } = await tenantWithLink(key)
    const cookie = await redeem(url)
    const minted = await page(new URL('/setup/token', url).href, {
      cookie,
      form: { idp: 'okta', expires: '365' },
    })
    expect(minted.status).toBe(201)
    const token = /value="(scimsk_[A-Za-z0-9_-]{43})"/.exec(minted.text)?.[1]
    expect(token).toBeDefined()
    expect(minted.text).toContain('shown only this once')
    const listed = await scim({ ...tenant, token: token as string }, '/Users')
    expect(listed.status).toBe(200)
    const again = await page(pageOf(url), { cookie })
    expect(again.text).not.toContain(token)
    const audit = await admin(`/audit?tenant=${tenant.name}`, { key })
    const entry = audit.json.entries.find((e: { path: string }) => e.path === '/setup/token')
    expect(entry).toMatchObject({ keyId: `setup:${linkId}`, method: 'POST', status: 201 })
    expect(JSON.stringify(audit.json)).not.toContain('scimsk_')
  })
})
