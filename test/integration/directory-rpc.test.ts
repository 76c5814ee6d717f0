import { describe, it } from 'vitest'
import { createUser } from '../support/fixtures'
import { directoryThrough, failureOf } from '../support/directory'
import { createTenant } from '../support/tenant'

describe('smoke', () => {
  it('calls getUser', async ({ expect }) => {
    const tenant = await createTenant({ name: 'rpc-acme' })
    const user = await createUser(tenant, `smoke-${crypto.randomUUID()}@example.com`)
    const acme = directoryThrough('DIRECTORY_ACME')
    const got = await acme.getUser('rpc-acme', user.id)
    console.log(JSON.stringify(got))
    expect(got?.id).toBe(user.id)
    console.log(JSON.stringify(await failureOf(directoryThrough('DIRECTORY_NO_PROPS').getUser('rpc-acme', user.id))))
    console.log(JSON.stringify(await directoryThrough('DIRECTORY_ALL').changes('rpc-acme', {limit: 2})))
  })
})
