import { readFileSync } from 'node:fs'
import { expect } from 'vitest'
import { ScimError, type ScimType } from '../../src/http/scim-error'
import { applyPatch, type PatchContext, type PatchResult } from '../../src/patch/apply-patch'
import { attribute, type ResourceTypeDefinition, type SchemaDefinition } from '../../src/schema/attribute'
import { BUILTIN_SCHEMAS, builtinRegistry } from '../../src/schema/builtin'
import { createRegistry } from '../../src/schema/registry'
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../src/schema/resource-types'
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../../src/schema/urns'

export const ENTERPRISE = ENTERPRISE_USER_SCHEMA

/** Member ids of RFC 7644's examples (§3.5.2). */
export const BABS = '2819c223-7f76-453a-919d-413861904646'
export const JAMES = '08e1d05d-121c-4561-8b96-473d93df9210'

export const USER_CTX: PatchContext = { registry: builtinRegistry, resourceType: USER_RESOURCE_TYPE }
/** Groups as the server stores them: members in their own table. */
export const GROUP_CTX: PatchContext = {
  registry: builtinRegistry,
  resourceType: GROUP_RESOURCE_TYPE,
  externalMembers: true,
}
/** Groups with `members` inside the resource, to exercise the generic multi-valued rules on it. */
export const INLINE_GROUP_CTX: PatchContext = { registry: builtinRegistry, resourceType: GROUP_RESOURCE_TYPE }

/** An extension with an immutable attribute and a multi-valued string, which the built-in schemas lack. */
export const TEST_SCHEMA = 'urn:example:params:scim:schemas:extension:patch:2.0:User'
const TEST_SCHEMA_DEFINITION: SchemaDefinition = {
  id: TEST_SCHEMA,
  name: 'PatchTest',
  description: 'Attribute shapes the PATCH tests need',
  attributes: [
    attribute({ name: 'badge', type: 'string', mutability: 'immutable', description: 'Immutable once set' }),
    attribute({
      name: 'tags',
      type: 'string',
      multiValued: true,
      description: 'Multi-valued, no sub-attributes',
    }),
    attribute({ name: 'loginCount', type: 'integer', description: 'An integer' }),
  ],
}
const TEST_USER: ResourceTypeDefinition = {
  ...USER_RESOURCE_TYPE,
  schemaExtensions: [...USER_RESOURCE_TYPE.schemaExtensions, { schema: TEST_SCHEMA, required: false }],
}
export const TEST_CTX: PatchContext = {
  registry: createRegistry([...BUILTIN_SCHEMAS, TEST_SCHEMA_DEFINITION], [TEST_USER, GROUP_RESOURCE_TYPE]),
  resourceType: TEST_USER,
}

/** A stored user, as the repository hands it to the PATCH engine. */
export const user = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  schemas: [USER_SCHEMA],
  id: '2819c223-7f76-453a-919d-413861904646',
  meta: { resourceType: 'User', created: '2024-01-01T00:00:00Z', lastModified: '2024-01-01T00:00:00Z' },
  userName: 'bjensen',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  active: true,
  emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
  ...extra,
})

/** A stored group (members elsewhere unless given). */
export const group = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  schemas: [GROUP_SCHEMA],
  id: 'e9e30dba-f08f-4109-8486-d5c6a331660a',
  meta: { resourceType: 'Group' },
  displayName: 'Tour Guides',
  ...extra,
})

/** Applies operations given inline. */
export const patch = (
  resource: Record<string, unknown>,
  ctx: PatchContext,
  ...operations: unknown[]
): PatchResult => applyPatch(resource, operations, ctx)

/** Asserts that `run` throws a ScimError with this `scimType` and status 400. */
export function expectScimError(run: () => unknown, scimType: ScimType) {
  let caught: unknown
  try {
    run()
  } catch (error) {
    caught = error
  }
  expect(caught, 'expected a ScimError').toBeInstanceOf(ScimError)
  expect((caught as ScimError).scimType).toBe(scimType)
  expect((caught as ScimError).status).toBe(400)
  return caught as ScimError
}

/** A PatchOp body typed out from the RFC text, `test/fixtures/rfc/<name>.json`. */
export function rfcFixture(name: string): { Operations: unknown[] } {
  return JSON.parse(readFileSync(new URL(`../fixtures/rfc/${name}.json`, import.meta.url), 'utf8'))
}
