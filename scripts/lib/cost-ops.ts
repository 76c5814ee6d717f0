/**
 * The operations of the per-operation cost table (`npm run bench:costs`): the requests of the shared
 * Okta-shaped workload, each run `samples` times in order, one at a time, on a directory of `users`.
 */
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

export interface CostRequest {
  method: string
  path: string
  body?: unknown
  status: number
}

export interface CostOp {
  label: string
  request(i: number): CostRequest
}

/** The ids the operations act on, filled in as the creates answer. */
export interface CostFixture {
  userIds: string[]
  groupIds: string[]
}

export const userName = (i: number) => `cost.user.${i}@acme-costs.example`

export function userBody(i: number, title = 'Engineer') {
  return {
    schemas: [USER, ENTERPRISE],
    userName: userName(i),
    externalId: `00u${String(i).padStart(17, '0')}`,
    name: { givenName: `Given${i}`, familyName: `Family${i}`, formatted: `Given${i} Family${i}` },
    displayName: `Given${i} Family${i}`,
    title,
    locale: 'en-US',
    active: true,
    emails: [
      { value: userName(i), type: 'work', primary: true },
      { value: `home.${i}@home-mail.example`, type: 'home' },
    ],
    phoneNumbers: [{ value: `+1-555-000-${String(i).padStart(4, '0')}`, type: 'work', primary: true }],
    [ENTERPRISE]: { employeeNumber: String(100000 + i), department: 'R&D', costCenter: 'CC-001' },
  }
}

const filter = (expression: string) => `?filter=${encodeURIComponent(expression)}`
const patch = (Operations: unknown[]) => ({ schemas: [PATCH], Operations })

/** In run order: creates first (they fill the fixture), deletes last. */
export function costOps(f: CostFixture, samples: number, members: number): CostOp[] {
  const user = (i: number) => f.userIds[i % f.userIds.length]!
  const group = (i: number) => f.groupIds[i % f.groupIds.length]!
  return [
    {
      label: 'POST /Users',
      request: (i) => ({ method: 'POST', path: '/Users', body: userBody(i), status: 201 }),
    },
    {
      label: 'GET /Users?filter=userName eq (found)',
      request: (i) => ({
        method: 'GET',
        path: `/Users${filter(`userName eq "${userName(i)}"`)}`,
        status: 200,
      }),
    },
    {
      label: 'GET /Users?filter=userName eq (none)',
      request: (i) => ({
        method: 'GET',
        path: `/Users${filter(`userName eq "new.${i}@x.example"`)}`,
        status: 200,
      }),
    },
    { label: 'GET /Users/{id}', request: (i) => ({ method: 'GET', path: `/Users/${user(i)}`, status: 200 }) },
    {
      label: 'GET /Users?startIndex=…&count=100',
      request: (i) => ({
        method: 'GET',
        path: `/Users?startIndex=${1 + ((i * 100) % f.userIds.length)}&count=100`,
        status: 200,
      }),
    },
    {
      label: 'POST /Groups',
      request: (i) => ({
        method: 'POST',
        path: '/Groups',
        body: { schemas: [GROUP], displayName: `Cost group ${i}` },
        status: 201,
      }),
    },
    {
      label: `PATCH /Groups/{id} add ${members} members`,
      request: (i) => {
        const ids = Array.from({ length: members }, (_, k) => user(i * members + k))
        const value = ids.map((id) => ({ value: id }))
        return {
          method: 'PATCH',
          path: `/Groups/${group(i)}`,
          body: patch([{ op: 'add', path: 'members', value }]),
          status: 204,
        }
      },
    },
    {
      label: 'PATCH /Groups/{id} remove members[value eq]',
      request: (i) => {
        const path = `members[value eq "${user(i * members)}"]`
        return {
          method: 'PATCH',
          path: `/Groups/${group(i)}`,
          body: patch([{ op: 'remove', path }]),
          status: 204,
        }
      },
    },
    {
      label: 'PATCH /Users/{id} name.givenName',
      request: (i) => {
        const body = patch([{ op: 'replace', path: 'name.givenName', value: `Renamed${i}` }])
        return { method: 'PATCH', path: `/Users/${user(i)}`, body, status: 200 }
      },
    },
    {
      label: 'PATCH /Users/{id} active=false',
      request: (i) => {
        const body = patch([{ op: 'replace', value: { active: false } }])
        return { method: 'PATCH', path: `/Users/${user(i + samples)}`, body, status: 200 }
      },
    },
    {
      label: 'PUT /Users/{id}',
      request: (i) => ({
        method: 'PUT',
        path: `/Users/${user(i)}`,
        body: userBody(i, 'Staff Engineer'),
        status: 200,
      }),
    },
    {
      label: 'DELETE /Groups/{id}',
      request: (i) => ({ method: 'DELETE', path: `/Groups/${group(i)}`, status: 204 }),
    },
    {
      label: 'DELETE /Users/{id}',
      request: (i) => ({ method: 'DELETE', path: `/Users/${user(i)}`, status: 204 }),
    },
  ]
}
