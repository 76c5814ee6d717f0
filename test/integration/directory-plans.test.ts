import { env } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import { openDatabase } from '../../src/db/database'
import { groupMembersPage, isMemberOf } from '../../src/directory/membership-reads'
import { readFeed } from '../../src/events/feed'
import { limitsOf } from '../../src/limits'
import { builtinRegistry } from '../../src/schema/builtin'

/**
 * A database that answers every statement with its `EXPLAIN QUERY PLAN` (recorded in `plans`) and
 * gives the caller no rows, so the plans of Directory's own statements can be read as they are sent.
 */
function explaining(plans: string[]) {
  const session = {
    prepare: (query: string) => env.DB.prepare(`EXPLAIN QUERY PLAN ${query}`),
    batch: async (statements: D1PreparedStatement[]) => {
      const results = await env.DB.batch<{ detail: string }>(statements)
      for (const result of results) plans.push(result.results.map((r) => r.detail).join('\n'))
      return results.map((result) => ({ ...result, results: [] }))
    },
    getBookmark: () => null,
  }
  return session as unknown as D1Database & D1DatabaseSession
}

const FULL_SCAN = /\bSCAN (scim_events|group_members|users|groups|m|u|g|gm)\b/

describe("Directory's own statements use indexes, so their cost follows the page, not the tenant", () => {
  it('reads a feed page through the (tenant_id, seq) index and the newest seq without a scan', async ({
    expect,
  }) => {
    const plans: string[] = []
    await readFeed(explaining(plans), env, 'plans', { after: '10', resourceTypes: ['User'] })
    expect(plans).toHaveLength(4)
    for (const plan of plans) expect(plan).not.toMatch(FULL_SCAN)
    expect(plans[1]).toMatch(
      /SEARCH scim_events USING INDEX scim_events_tenant_seq \(tenant_id=\? AND seq>\?\)/,
    )
  })

  it("pages a group's members and walks a user's groups by their keys", async ({ expect }) => {
    const plans: string[] = []
    const d1 = explaining(plans)
    const tenant = {
      name: 'plans',
      d1,
      db: openDatabase(d1),
      registry: builtinRegistry,
      baseUrl: 'https://plans.scim.example.com/scim/v2',
      limits: limitsOf(env),
    }
    await groupMembersPage(tenant, 'g', { count: 10, cursor: undefined })
    await isMemberOf(tenant, 'u', 'g')
    expect(plans).toHaveLength(3)
    for (const plan of plans) expect(plan).not.toMatch(FULL_SCAN)
    expect(plans[1]).toMatch(
      /SEARCH m USING (COVERING )?INDEX sqlite_autoindex_group_members_1 \(tenant_id=\? AND group_id=\? AND member_id>\?\)/,
    )
  })
})
