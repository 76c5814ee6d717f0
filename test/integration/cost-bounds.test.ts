import { describe, it } from 'vitest'
import { DEFAULT_LIMITS } from '../../src/limits'
import { createUser, oktaUser, patchOp } from '../support/fixtures'
import { scim } from '../support/scim-client'
import { createTenant } from '../support/tenant'

const emails = (n: number, prefix = 'e') =>
  Array.from({ length: n }, (_, i) => ({ value: `${prefix}${i}@example.com`, type: 'work' }))

describe('a multi-valued attribute holds at most MAX_MULTI_VALUED_ELEMENTS (issue #12 §2)', () => {
  const cap = DEFAULT_LIMITS.multiValuedElements

  it('refuses 20,000 emails in a PATCH add before comparing them, as POST does for the same list', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'many@example.com')
    const value = emails(20_000)
    const patched = await scim(tenant, `/Users/${user.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'add', path: 'emails', value }),
    })
    expect(patched.status).toBe(400)
    expect(patched.json).toMatchObject({ scimType: 'invalidValue' })
    expect(patched.json.detail).toContain(`MAX_MULTI_VALUED_ELEMENTS (${cap})`)
    const posted = await scim(tenant, '/Users', { body: oktaUser('many2@example.com', { emails: value }) })
    expect(posted.status).toBe(400)
    expect(posted.json.detail).toBe(patched.json.detail)
  })

  it('refuses a PATCH that would grow the list past the bound, and accepts one up to it', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'grow@example.com', { emails: emails(cap / 2, 'a') })
    const add = (value: unknown[]) =>
      scim(tenant, `/Users/${user.id}`, {
        method: 'PATCH',
        body: patchOp({ op: 'add', path: 'emails', value }),
      })
    const full = await add(emails(cap / 2, 'b'))
    expect(full.status, full.text).toBe(200)
    expect(full.json.emails).toHaveLength(cap)
    const over = await add(emails(1, 'c'))
    expect(over.status).toBe(400)
    expect(over.json.detail).toContain('MAX_MULTI_VALUED_ELEMENTS')
    expect((await scim(tenant, `/Users/${user.id}`)).json.emails).toHaveLength(cap)
  })
})
