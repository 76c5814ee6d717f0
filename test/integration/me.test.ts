import { describe, it } from 'vitest'
import { ERROR, oktaUser, patchOp } from '../support/fixtures'
import { scim } from '../support/scim-client'
import { createTenant } from '../support/tenant'

describe('/Me', () => {
  it.for([
    ['GET', undefined],
    ['POST', oktaUser('me@example.com')],
    ['PUT', oktaUser('me@example.com')],
    ['PATCH', patchOp({ op: 'replace', path: 'displayName', value: 'Me' })],
    ['DELETE', undefined],
  ] as const)(
    'answers %s with 501 and a SCIM error: the token stands for a client, not a user',
    async ([method, body], { expect }) => {
      const tenant = await createTenant()
      const res = await scim(tenant, '/Me', { method, body })
      expect(res.status).toBe(501)
      expect(res.headers.get('content-type')).toContain('application/scim+json')
      expect(res.json).toMatchObject({ schemas: [ERROR], status: '501' })
      expect(res.json.detail).toMatch(/provisioning client/)
    },
  )

  it('still requires a valid token', async ({ expect }) => {
    const tenant = await createTenant()
    const res = await scim(tenant, '/Me', { token: null })
    expect(res.status).toBe(401)
  })
})
