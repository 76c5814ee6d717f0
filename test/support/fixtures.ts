import {
  ENTERPRISE_USER_SCHEMA as ENTERPRISE,
  ERROR,
  GROUP_SCHEMA as GROUP,
  LIST_RESPONSE as LIST,
  PATCH_OP,
  USER_SCHEMA as USER,
} from '../../src/schema/urns'
import { scim } from './scim-client'
import type { TestTenant } from './tenant'

export { ENTERPRISE, ERROR, GROUP, LIST, PATCH_OP, USER }

/** Okta's create-user body (okta.md §2). */
export function oktaUser(userName: string, extra: Record<string, unknown> = {}) {
  return {
    schemas: [USER],
    userName,
    name: { givenName: 'Test', familyName: 'User' },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: 'Test User',
    locale: 'en-US',
    externalId: '00ujl29u0le5T6Aj10h7',
    groups: [],
    password: '1mz050nq',
    active: true,
    ...extra,
  }
}

/** Creates a user through the Worker and returns its SCIM JSON. */
export async function createUser(tenant: TestTenant, userName: string, extra: Record<string, unknown> = {}) {
  const res = await scim(tenant, '/Users', { body: oktaUser(userName, extra) })
  if (res.status !== 201) throw new Error(`create user ${userName}: ${res.status} ${res.text}`)
  return res.json
}

/** Creates a group through the Worker and returns its SCIM JSON. */
export async function createGroup(tenant: TestTenant, displayName: string, members: string[] = []) {
  const res = await scim(tenant, '/Groups', {
    body: { schemas: [GROUP], displayName, members: members.map((value) => ({ value })) },
  })
  if (res.status !== 201) throw new Error(`create group ${displayName}: ${res.status} ${res.text}`)
  return res.json
}

export const patchOp = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations })
