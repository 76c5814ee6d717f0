/**
 * The phases of `npm run bench:ab`: the workload's kinds of request (../shared/bench/workload.mjs),
 * each a fixed number of requests per round, on a directory of 1,000 users in 20 groups.
 */
import type { ScimClient, TimedAnswer } from './bench-client'
import { bulkCreate } from './bench-load'

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
const USERS = 1000
const GROUPS = 20

export interface AbSide {
  name: string
  api: ScimClient
  /** The loaded users, in creation order. */
  userIds: string[]
  /** Users the `create` phase made and the `delete` phase has not yet deleted. */
  created: string[]
}

interface AbRequest {
  method: string
  path: string
  body?: unknown
  status: number
}

export interface AbPhase {
  name: string
  requests: number
  /** The i-th request of the sitting on this side (i grows across rounds). */
  request(side: AbSide, i: number): AbRequest
  answered?(side: AbSide, answer: TimedAnswer): void
}

const userName = (i: number) => `u${i}@ab.example`
const userBody = (name: string) => ({
  schemas: [USER],
  userName: name,
  name: { givenName: 'Given', familyName: 'Family' },
  emails: [{ value: name, type: 'work', primary: true }],
  active: true,
})
const filter = (expression: string) => `?filter=${encodeURIComponent(expression)}`

/** Loads the directory by /Bulk, every user in one of the groups. */
export async function loadDirectory(api: ScimClient): Promise<Pick<AbSide, 'userIds'>> {
  const users = Array.from({ length: USERS }, (_, i) => userBody(userName(i)))
  const userIds = await bulkCreate(api, '/Users', users)
  const groups = Array.from({ length: GROUPS }, (_, g) => ({
    schemas: [GROUP],
    displayName: `Group ${g}`,
    members: userIds.filter((_, i) => i % GROUPS === g).map((value) => ({ value })),
  }))
  await bulkCreate(api, '/Groups', groups)
  return { userIds }
}

const spread = (i: number) => (i * 7) % USERS

/** A user the `create` phase made this round, spread over them. */
function created(side: AbSide, i: number): string {
  const id = side.created[(i * 13) % side.created.length]
  if (id === undefined)
    throw new Error('The patch and delete phases act on what the create phase made: run it')
  return id
}

/** In run order: `patch` and `delete` act on what `create` made in the same round. */
export const abPhases: readonly AbPhase[] = [
  {
    name: 'lookup',
    requests: 400,
    request: (_, i) => ({
      method: 'GET',
      path: `/Users${filter(`userName eq "${userName(spread(i))}"`)}`,
      status: 200,
    }),
  },
  {
    name: 'get',
    requests: 400,
    request: (side, i) => ({ method: 'GET', path: `/Users/${side.userIds[spread(i)]}`, status: 200 }),
  },
  {
    name: 'list',
    requests: 60,
    request: (_, i) => ({
      method: 'GET',
      path: `/Users?startIndex=${1 + (i % 10) * 100}&count=100`,
      status: 200,
    }),
  },
  {
    name: 'create',
    requests: 200,
    request: (side, i) => ({
      method: 'POST',
      path: '/Users',
      body: userBody(`new${i}.${side.name}@ab.example`),
      status: 201,
    }),
    answered: (side, answer) => side.created.push(String((answer.json as { id: string }).id)),
  },
  {
    // As the workload's update phase: users created by POST earlier in the sitting.
    name: 'patch',
    requests: 200,
    request: (side, i) => ({
      method: 'PATCH',
      path: `/Users/${created(side, i)}`,
      body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'name.givenName', value: `Given${i}` }] },
      status: 200,
    }),
  },
  {
    name: 'delete',
    requests: 200,
    request: (side) => {
      created(side, 0)
      return { method: 'DELETE', path: `/Users/${side.created.shift()}`, status: 204 }
    },
  },
  {
    name: 'spc',
    requests: 400,
    request: () => ({ method: 'GET', path: '/ServiceProviderConfig', status: 200 }),
  },
]
