import { GROUP, oktaUser } from './fixtures'
import { scim } from './scim-client'
import type { TestTenant } from './tenant'

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest'

export interface GroupGraph {
  readonly levels: number
  readonly width: number
  readonly users: number
  /** Memberships: users in the bottom groups, and every group in each group of the level above. */
  readonly edges: number
}

/**
 * Issue #12's adversarial graph, built through /Bulk: `levels` levels of `width` groups, each
 * group containing every group of the level below, and `users` users in every group of the bottom
 * level (groups named `<name> <level> group <i>`). A walk that follows paths visits width^levels of
 * them; one that follows groups, levels × width.
 */
export async function buildGroupGraph(
  tenant: TestTenant,
  levels: number,
  width: number,
  users: number,
  name = 'Level',
) {
  const userOps = Array.from({ length: users }, (_, i) => ({
    method: 'POST',
    path: '/Users',
    bulkId: `u${i}`,
    data: oktaUser(`graph-${i}-${crypto.randomUUID()}@example.com`),
  }))
  const groupOps = Array.from({ length: levels * width }, (_, n) => {
    const level = Math.floor(n / width)
    const below =
      level === 0
        ? userOps.map((u) => ({ value: `bulkId:${u.bulkId}` }))
        : Array.from({ length: width }, (_, i) => ({ value: `bulkId:g${level - 1}-${i}` }))
    return {
      method: 'POST',
      path: '/Groups',
      bulkId: `g${level}-${n % width}`,
      data: { schemas: [GROUP], displayName: `${name} ${level} group ${n % width}`, members: below },
    }
  })
  const res = await scim(tenant, '/Bulk', {
    body: { schemas: [BULK_REQUEST], Operations: [...userOps, ...groupOps] },
  })
  const failed = (res.json?.Operations ?? []).filter((o: { status: string }) => o.status !== '201')
  if (res.status !== 200 || failed.length > 0) throw new Error(`graph not built: ${res.text.slice(0, 500)}`)
  return { levels, width, users, edges: width * users + (levels - 1) * width * width }
}
