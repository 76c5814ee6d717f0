import { env } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import { newRoundTripStats } from '../../src/db/round-trips'
import { groupMembersPage, isMemberOf } from '../../src/directory/membership-reads'
import { type DirectoryTenant, openTenant } from '../../src/directory/open-tenant'
import {
  getGroup,
  getUser,
  groupsOfUser,
  listGroups,
  listUsers,
  userByExternalId,
  userByUserName,
} from '../../src/directory/reads'
import { readFeed } from '../../src/events/feed'
import { directoryThrough } from '../support/directory'
import { createGroup, createUser } from '../support/fixtures'
import { createTenant } from '../support/tenant'

describe('Directory: D1 round trips per method', () => {
  it('reads each answer in one D1 round trip', async ({ expect }) => {
    const tenant = await createTenant()
    const users = []
    for (let i = 0; i < 30; i++)
      users.push(await createUser(tenant, `u${i}@trips.example`, { externalId: `x${i}` }))
    const inner = await createGroup(
      tenant,
      'Inner',
      users.map((u) => u.id),
    )
    const outer = await createGroup(tenant, 'Outer', [inner.id])
    const [ann] = users
    const calls: Record<string, (t: DirectoryTenant) => Promise<unknown>> = {
      getUser: ({ reader }) => getUser(reader, ann.id),
      getUserByUserName: ({ reader }) => userByUserName(reader, env, ann.userName),
      getUserByExternalId: ({ reader }) => userByExternalId(reader, env, 'x0'),
      getGroup: ({ reader }) => getGroup(reader, outer.id),
      listUsers: ({ reader }) =>
        listUsers(reader, env, { filter: 'userName sw "u1"', sortBy: 'userName', cursor: '' }),
      listGroups: ({ reader }) => listGroups(reader, env, { filter: `members.value eq "${inner.id}"` }),
      groupsOfUser: ({ reader }) => groupsOfUser(reader, ann.id),
      groupMembers: ({ reader }) => groupMembersPage(reader, inner.id, { count: 10 }),
      isMember: ({ reader }) => isMemberOf(reader, ann.id, outer.id),
      changes: ({ session }) => readFeed(session, env, tenant.name, { limit: 10 }),
    }
    const trips: Record<string, number> = {}
    for (const [method, call] of Object.entries(calls)) {
      const stats = newRoundTripStats()
      const opened = await openTenant(env, { tenants: '*' }, tenant.name, undefined, stats)
      expect(await call(opened), method).toBeTruthy()
      trips[method] = stats.count
    }
    console.log(
      `D1 round trips per Directory call (plus one edge-cached KV read of the tenant record):\n${Object.entries(
        trips,
      )
        .map(([m, n]) => `  ${m.padEnd(20)} ${n}`)
        .join('\n')}`,
    )
    expect(new Set(Object.values(trips))).toEqual(new Set([1]))
  })

  it('prints a call of each method through the service binding with its answer', async ({ expect }) => {
    const tenant = await createTenant({ name: 'rpc-acme' })
    const run = crypto.randomUUID().slice(0, 4)
    const ann = await createUser(tenant, `ann.${run}@acme.example`, { externalId: `okta-${run}` })
    const eng = await createGroup(tenant, `Engineering ${run}`, [ann.id])
    const all = await createGroup(tenant, `Everyone ${run}`, [eng.id])
    const app = directoryThrough('DIRECTORY_ACME')
    const short = (value: unknown) => JSON.stringify(value).slice(0, 400)
    const lines: string[] = []
    const show = async (call: string, answer: Promise<unknown>) => {
      const value = await answer.catch((error: Error) => `throws ${error.message}`)
      lines.push(`${call}\n  → ${short(value)}`)
      return value
    }
    await show(`getUser('rpc-acme', '${ann.id}')`, app.getUser('rpc-acme', ann.id))
    await show(
      `getUserByUserName('rpc-acme', 'ANN.${run}@ACME.EXAMPLE')`,
      app.getUserByUserName('rpc-acme', `ANN.${run}@ACME.EXAMPLE`),
    )
    await show(
      `getUserByExternalId('rpc-acme', 'okta-${run}')`,
      app.getUserByExternalId('rpc-acme', `okta-${run}`),
    )
    await show(`getGroup('rpc-acme', '${all.id}')`, app.getGroup('rpc-acme', all.id))
    await show(
      `listUsers('rpc-acme', { filter: 'userName sw "ann.${run}"', sortBy: 'userName', count: 1, cursor: '' })`,
      app.listUsers('rpc-acme', {
        filter: `userName sw "ann.${run}"`,
        sortBy: 'userName',
        count: 1,
        cursor: '',
      }),
    )
    await show(
      `listGroups('rpc-acme', { filter: 'displayName co "${run}"' })`,
      app.listGroups('rpc-acme', { filter: `displayName co "${run}"` }),
    )
    await show(`groupsOfUser('rpc-acme', '${ann.id}')`, app.groupsOfUser('rpc-acme', ann.id))
    await show(
      `groupMembers('rpc-acme', '${all.id}', { count: 100 })`,
      app.groupMembers('rpc-acme', all.id, { count: 100 }),
    )
    await show(`isMember('rpc-acme', '${ann.id}', '${all.id}')`, app.isMember('rpc-acme', ann.id, all.id))
    const page = (await show(`changes('rpc-acme', { limit: 2 })`, app.changes('rpc-acme', { limit: 2 }))) as {
      bookmark: string
    }
    await show(
      `getUser('rpc-acme', '${ann.id}', { bookmark: '${page.bookmark}' })`,
      app.getUser('rpc-acme', ann.id, { bookmark: page.bookmark }),
    )
    await show(`getUser('globex', '${ann.id}')`, app.getUser('globex', ann.id))
    console.log(lines.join('\n'))
    expect(lines).toHaveLength(12)
  })
})
