import { env } from 'cloudflare:workers'
import { beforeAll, describe, it } from 'vitest'
import vault from '../fixtures/extensions/vault-user.json'
import { oktaUser, patchOp, USER } from '../support/fixtures'
import { scim } from '../support/scim-client'
import { createTenant, type TestTenant } from '../support/tenant'

/**
 * `returned: never` means never (RFC 7643 §2.2): a value the server never sends cannot be found out
 * through a filter, a sort order, a cursor, a projection or an error, not even when it is the
 * implicit `value` of a complex attribute named as a whole.
 */

const VAULT = vault.id
const RECOVERY = `${VAULT}:recovery`
const SECRET = `${VAULT}:secret`
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest'
const q = encodeURIComponent

let tenant: TestTenant
let userId: string

beforeAll(async () => {
  tenant = await createTenant({ schemas: [{ schema: vault, resourceType: 'User', required: false }] })
  const res = await scim(tenant, '/Users', {
    body: {
      ...oktaUser('kim@vault.test'),
      schemas: [USER, VAULT],
      [VAULT]: {
        recovery: [{ value: 'K7-RECOVERY', type: 'paper' }],
        secret: { value: 'K7-SECRET', label: 'door' },
      },
    },
  })
  if (res.status !== 201) throw new Error(`create: ${res.status} ${res.text}`)
  userId = res.json.id
  const other = await scim(tenant, '/Users', {
    body: { ...oktaUser('lee@vault.test'), schemas: [USER, VAULT], [VAULT]: { recovery: [{ value: 'A1' }] } },
  })
  if (other.status !== 201) throw new Error(`create: ${other.status} ${other.text}`)
})

describe('a never-returned value sub-attribute', () => {
  it('is stored, and returned by no projection', async ({ expect }) => {
    const user = await scim(tenant, `/Users/${userId}`)
    expect(user.json[VAULT]).toEqual({ recovery: [{ type: 'paper' }], secret: { label: 'door' } })
    for (const attributes of [`${RECOVERY}.value`, `${SECRET}.value`, RECOVERY, SECRET, VAULT]) {
      const res = await scim(tenant, `/Users/${userId}?attributes=${q(attributes)}`)
      expect(res.text, attributes).not.toContain('K7')
    }
    const stored = await env.DB.prepare('SELECT resource FROM users WHERE tenant_id = ? AND id = ?')
      .bind(tenant.name, userId)
      .first<{ resource: string }>()
    expect(JSON.parse(stored!.resource)[VAULT].secret.value).toBe('K7-SECRET')
  })

  it.for([
    `${RECOVERY} sw "K7"`,
    `${RECOVERY} sw "K8"`,
    `${RECOVERY} eq "K7-RECOVERY"`,
    `${RECOVERY} pr`,
    `${SECRET} sw "K7"`,
    `${SECRET} pr`,
    `${RECOVERY}.value sw "K7"`,
    `${RECOVERY}[value sw "K7"]`,
    `not (${SECRET} co "7")`,
    `userName pr and ${SECRET}.value gt "K"`,
  ])('cannot be filtered on: %s', async (filter, { expect }) => {
    const viaGet = await scim(tenant, `/Users?filter=${q(filter)}`)
    expect(viaGet.status).toBe(400)
    expect(viaGet.json).toMatchObject({ scimType: 'invalidFilter' })
    expect(viaGet.json.detail).toContain('never returned')
    const viaSearch = await scim(tenant, '/.search', { method: 'POST', body: { schemas: [SEARCH], filter } })
    expect(viaSearch.status).toBe(400)
    expect(viaSearch.json).toMatchObject({ scimType: 'invalidFilter' })
  })

  it('still lets the visible sub-attributes be filtered on', async ({ expect }) => {
    const res = await scim(
      tenant,
      `/Users?filter=${q(`${RECOVERY}[type eq "paper"] and ${SECRET}.label pr`)}`,
    )
    expect(res.status).toBe(200)
    expect(res.json.Resources.map((u: { id: string }) => u.id)).toEqual([userId])
  })

  it.for([RECOVERY, `${RECOVERY}.value`, SECRET, `${SECRET}.value`])(
    'is no sort key: %s',
    async (sortBy, { expect }) => {
      for (const query of [`sortBy=${q(sortBy)}`, `sortBy=${q(sortBy)}&cursor=`]) {
        const res = await scim(tenant, `/Users?${query}`)
        expect(res.status, query).toBe(400)
        expect(res.json).toMatchObject({ scimType: 'invalidValue' })
        expect(res.text).not.toContain('K7')
      }
    },
  )

  it('is no PATCH filter either, and a PATCH answer does not return it', async ({ expect }) => {
    const filtered = await scim(tenant, `/Users/${userId}`, {
      method: 'PATCH',
      body: patchOp({ op: 'remove', path: `${RECOVERY}[value eq "K7-RECOVERY"]` }),
    })
    expect(filtered.status).toBe(400)
    expect(filtered.json).toMatchObject({ scimType: 'invalidPath' })
    const patched = await scim(tenant, `/Users/${userId}`, {
      method: 'PATCH',
      body: patchOp({ op: 'add', path: RECOVERY, value: [{ value: 'K7-SECOND', type: 'app' }] }),
    })
    expect(patched.status).toBe(200)
    expect(patched.text).not.toContain('K7')
    expect(patched.json[VAULT].recovery).toEqual([{ type: 'paper' }, { type: 'app' }])
  })
})

describe('cursors (RFC 9865)', () => {
  const decoded = (cursor: string) =>
    cursor
      .split('.')
      .map((part) => Buffer.from(part, 'base64url').toString('latin1'))
      .join('\n')

  it('carry no readable sort value or id', async ({ expect }) => {
    const page = await scim(tenant, '/Users?sortBy=userName&count=1&cursor=')
    expect(page.status).toBe(200)
    const [first] = page.json.Resources as { id: string; userName: string }[]
    const cursor = page.json.nextCursor as string
    expect(cursor).toMatch(/^[A-Za-z0-9_.-]+$/)
    expect(decoded(cursor)).not.toContain(first!.userName)
    expect(decoded(cursor)).not.toContain(first!.id)
    const next = await scim(tenant, `/Users?sortBy=userName&count=1&cursor=${cursor}`)
    expect(next.json.Resources.map((u: { userName: string }) => u.userName)).toEqual(['lee@vault.test'])
  })
})
