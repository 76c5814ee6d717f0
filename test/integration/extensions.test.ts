import { env } from 'cloudflare:workers'
import { beforeAll, describe, it } from 'vitest'
import acme from '../fixtures/extensions/acme-user.json'
import contoso from '../fixtures/extensions/contosoapp-user.json'
import { ENTERPRISE, ERROR, GROUP, oktaUser, patchOp, USER } from '../support/fixtures'
import { scim } from '../support/scim-client'
import { createTenant, declareSchemas, type TestTenant, updateTenant } from '../support/tenant'

const ACME = acme.id
const CONTOSO = contoso.id
const BADGE = `${ACME}:badgeNumber`
const ACME_DECLARATION = { schema: acme, resourceType: 'User', required: false }
const CONTOSO_DECLARATION = { schema: contoso, resourceType: 'User', required: true }

/** Creates an Acme user with the given extension values; the response as it came. */
const createAcme = (tenant: TestTenant, userName: string, values: Record<string, unknown>) =>
  scim(tenant, '/Users', { body: { ...oktaUser(userName), schemas: [USER, ACME], [ACME]: values } })

async function created(tenant: TestTenant, userName: string, values: Record<string, unknown>) {
  const res = await createAcme(tenant, userName, values)
  if (res.status !== 201) throw new Error(`create ${userName}: ${res.status} ${res.text}`)
  return res.json
}

const list = async (tenant: TestTenant, query: string) => {
  const res = await scim(tenant, `/Users?${query}`)
  if (res.status !== 200) throw new Error(`${query}: ${res.status} ${res.text}`)
  return res.json.Resources as { userName: string; [key: string]: unknown }[]
}
const names = async (tenant: TestTenant, query: string) => (await list(tenant, query)).map((u) => u.userName)
const filter = (f: string) => `filter=${encodeURIComponent(f)}`

let okta: TestTenant
let entra: TestTenant

beforeAll(async () => {
  okta = await createTenant({ schemas: [ACME_DECLARATION] })
  entra = await createTenant({ schemas: [CONTOSO_DECLARATION] })
})

describe('discovery per tenant (RFC 7644 §4)', () => {
  it('lists each tenant its own extension in /Schemas, /Schemas/{urn} and /ResourceTypes', async ({
    expect,
  }) => {
    const plain = await createTenant()
    const ids = async (t: TestTenant) =>
      (await scim(t, '/Schemas')).json.Resources.map((s: { id: string }) => s.id)
    expect(await ids(okta)).toContain(ACME)
    expect(await ids(okta)).not.toContain(CONTOSO)
    expect(await ids(entra)).toContain(CONTOSO)
    expect(await ids(entra)).not.toContain(ACME)
    expect(await ids(plain)).toHaveLength(3)

    const schema = await scim(okta, `/Schemas/${ACME}`)
    expect(schema.status).toBe(200)
    expect(schema.json.meta.location).toBe(`${okta.baseUrl}/Schemas/${ACME}`)
    expect(schema.json.attributes.find((a: { name: string }) => a.name === 'badgeNumber')).toEqual(
      acme.attributes[0],
    )
    expect((await scim(entra, `/Schemas/${ACME}`)).status).toBe(404)

    const extensions = async (t: TestTenant) => (await scim(t, '/ResourceTypes/User')).json.schemaExtensions
    expect(await extensions(okta)).toEqual([
      { schema: ENTERPRISE, required: false },
      { schema: ACME, required: false },
    ])
    expect(await extensions(entra)).toEqual([
      { schema: ENTERPRISE, required: false },
      { schema: CONTOSO, required: true },
    ])
  })
})

describe('a declared extension attribute through the Worker', () => {
  it('is created, validated and returned as its characteristics say', async ({ expect }) => {
    const user = await created(okta, 'ada@acme.test', {
      badgeNumber: 'B-1001',
      clearanceLevel: 3,
      projectCodes: ['P-7'],
      emergencyContact: { name: 'Grace', phone: '+1 555 0100' },
      badgePin: '9931',
    })
    expect(user.schemas).toEqual([USER, ACME])
    // returned: request (emergencyContact) only when asked for; returned: never (badgePin) not at all.
    expect(user[ACME]).toEqual({ badgeNumber: 'B-1001', clearanceLevel: 3, projectCodes: ['P-7'] })
    const asked = await scim(okta, `/Users/${user.id}?attributes=${ACME}:emergencyContact,${ACME}:badgePin`)
    expect(asked.json[ACME]).toEqual({ emergencyContact: { name: 'Grace', phone: '+1 555 0100' } })
    const stored = await env.DB.prepare('SELECT resource FROM users WHERE tenant_id = ? AND id = ?')
      .bind(okta.name, user.id)
      .first<{ resource: string }>()
    expect(JSON.parse(stored!.resource)[ACME].badgePin).toBe('9931')

    const excluded = await scim(okta, `/Users/${user.id}?excludedAttributes=${BADGE}`)
    expect(excluded.json[ACME]).toEqual({ clearanceLevel: 3, projectCodes: ['P-7'] })
    const only = await scim(okta, `/Users/${user.id}?attributes=${BADGE}`)
    expect(only.json).toEqual({ schemas: [USER, ACME], id: user.id, [ACME]: { badgeNumber: 'B-1001' } })

    const invalid = await createAcme(okta, 'bad@acme.test', { clearanceLevel: 'high' })
    expect(invalid.status).toBe(400)
    expect(invalid.json).toMatchObject({ schemas: [ERROR], scimType: 'invalidValue' })
    expect(invalid.json.detail).toContain(`${ACME}:clearanceLevel`)
  })

  it('is stored for its tenant only: another tenant ignores the same body', async ({ expect }) => {
    const res = await scim(entra, '/Users', {
      body: {
        ...oktaUser('ada@contoso.test'),
        [ACME]: { badgeNumber: 'B-1' },
        [CONTOSO]: { costCenterCode: 'CC-1' },
      },
    })
    expect(res.status).toBe(201)
    expect(res.json.schemas).toEqual([USER, CONTOSO])
    expect(res.json[ACME]).toBeUndefined()
  })

  it('is filtered and sorted in SQL, by full URN path', async ({ expect }) => {
    const tenant = await createTenant({ schemas: [ACME_DECLARATION] })
    await created(tenant, 'c@acme.test', { badgeNumber: '42', clearanceLevel: 1, projectCodes: ['X'] })
    await created(tenant, 'a@acme.test', { badgeNumber: 'Z-9', clearanceLevel: 5 })
    await created(tenant, 'b@acme.test', { badgeNumber: 'm-3', clearanceLevel: 4, projectCodes: ['x', 'Y'] })
    await created(tenant, 'd@acme.test', {})

    expect(await names(tenant, filter(`${BADGE} eq "42"`))).toEqual(['c@acme.test'])
    // caseExact false: compared case-insensitively; projectCodes is caseExact.
    expect(await names(tenant, filter(`${BADGE} eq "M-3"`))).toEqual(['b@acme.test'])
    expect(await names(tenant, filter(`${ACME}:projectCodes eq "x"`))).toEqual(['b@acme.test'])
    expect(await names(tenant, `${filter(`${ACME}:clearanceLevel ge 4`)}&sortBy=userName`)).toEqual([
      'a@acme.test',
      'b@acme.test',
    ])
    expect(await names(tenant, filter(`not (${BADGE} pr)`))).toEqual(['d@acme.test'])
    expect(await names(tenant, `sortBy=${BADGE}`)).toEqual([
      'c@acme.test',
      'b@acme.test',
      'a@acme.test',
      'd@acme.test',
    ])
    expect(await names(tenant, `sortBy=${ACME}:clearanceLevel&sortOrder=descending`)).toEqual([
      'd@acme.test',
      'a@acme.test',
      'b@acme.test',
      'c@acme.test',
    ])
    const search = await scim(tenant, '/Users/.search', {
      method: 'POST',
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
        filter: `${BADGE} sw "z"`,
        attributes: [BADGE],
      },
    })
    expect(search.json.Resources).toEqual([
      { schemas: [USER, ACME], id: expect.any(String), [ACME]: { badgeNumber: 'Z-9' } },
    ])
  })

  it('is never a sort key when never returned: the order would reveal it', async ({ expect }) => {
    const tenant = await createTenant({ schemas: [ACME_DECLARATION] })
    await created(tenant, 'pin@acme.test', { badgePin: '1234' })
    for (const sortBy of [`${ACME}:badgePin`, 'password']) {
      const res = await scim(tenant, `/Users?sortBy=${encodeURIComponent(sortBy)}`)
      expect(res.status).toBe(400)
      expect(res.json).toMatchObject({ scimType: 'invalidValue' })
      expect(res.json.detail).toContain('never returned')
    }
  })

  it('is patched with the full URN path, path-less, and removed', async ({ expect }) => {
    const user = await created(okta, 'patch@acme.test', { badgeNumber: 'P-1', clearanceLevel: 1 })
    const patch = (...ops: unknown[]) =>
      scim(okta, `/Users/${user.id}`, { method: 'PATCH', body: patchOp(...ops) })
    expect((await patch({ op: 'replace', path: BADGE, value: 'P-2' })).json[ACME].badgeNumber).toBe('P-2')
    const pathless = await patch({ op: 'Replace', value: { [ACME]: { clearanceLevel: '2' } } })
    expect(pathless.status).toBe(400)
    expect(pathless.json.detail).toContain('clearanceLevel')
    expect(
      (await patch({ op: 'add', value: { [`${ACME}:clearanceLevel`]: 2 } })).json[ACME].clearanceLevel,
    ).toBe(2)
    const removed = await patch(
      { op: 'remove', path: BADGE },
      { op: 'remove', path: `${ACME}:clearanceLevel` },
    )
    expect(removed.json[ACME]).toBeUndefined()
    expect(removed.json.schemas).toEqual([USER])
  })
})

describe('uniqueness: server on an extension attribute', () => {
  it('answers 409 naming the attribute on create, PUT and PATCH, case-insensitively, per tenant', async ({
    expect,
  }) => {
    const tenant = await createTenant({ schemas: [ACME_DECLARATION] })
    const first = await created(tenant, 'u1@acme.test', { badgeNumber: 'Q-42' })
    const second = await created(tenant, 'u2@acme.test', { badgeNumber: 'Q-43' })

    const clash = await createAcme(tenant, 'u3@acme.test', { badgeNumber: 'q-42' })
    expect(clash.status).toBe(409)
    expect(clash.json).toMatchObject({
      scimType: 'uniqueness',
      detail: `${BADGE} is already in use in this tenant`,
    })
    const patched = await scim(tenant, `/Users/${second.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', path: BADGE, value: 'Q-42' }),
    })
    expect(patched.status).toBe(409)
    const put = await scim(tenant, `/Users/${second.id}`, {
      method: 'PUT',
      body: { ...oktaUser('u2@acme.test'), [ACME]: { badgeNumber: 'Q-42' } },
    })
    expect(put.status).toBe(409)
    // Another tenant with the same extension has values of its own.
    expect((await createAcme(okta, 'u1@acme.test', { badgeNumber: 'Q-42' })).status).toBe(201)

    // A value is released when its holder changes it, and when its holder is deleted.
    await scim(tenant, `/Users/${first.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', path: BADGE, value: 'Q-44' }),
    })
    expect((await createAcme(tenant, 'u3@acme.test', { badgeNumber: 'Q-42' })).status).toBe(201)
    expect((await scim(tenant, `/Users/${first.id}`, { method: 'DELETE' })).status).toBe(204)
    expect((await createAcme(tenant, 'u4@acme.test', { badgeNumber: 'Q-44' })).status).toBe(201)
    const claims = await env.DB.prepare('SELECT value FROM unique_values WHERE tenant_id = ? ORDER BY value')
      .bind(tenant.name)
      .all<{ value: string }>()
    expect(claims.results.map((r) => r.value)).toEqual(['q-42', 'q-43', 'q-44'])
  })

  it('lets exactly one of concurrent writers have a value', async ({ expect }) => {
    const tenant = await createTenant({ schemas: [ACME_DECLARATION] })
    const creates = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        createAcme(tenant, `race${i}@acme.test`, { badgeNumber: 'RACE-1' }),
      ),
    )
    expect(creates.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409])

    const users = await Promise.all([0, 1, 2, 3].map((i) => created(tenant, `p${i}@acme.test`, {})))
    const patches = await Promise.all(
      users.map((u) =>
        scim(tenant, `/Users/${u.id}`, {
          method: 'PATCH',
          body: patchOp({ op: 'add', path: BADGE, value: 'RACE-2' }),
        }),
      ),
    )
    expect(patches.map((r) => r.status).sort()).toEqual([200, 409, 409, 409])
    expect(await names(tenant, filter(`${BADGE} eq "RACE-2"`))).toHaveLength(1)
  })
  it('answers 409 naming the attribute for a /Bulk operation, whose batch is shared with others', async ({
    expect,
  }) => {
    const tenant = await createTenant({ schemas: [ACME_DECLARATION] })
    const post = (bulkId: string, badgeNumber: string) => ({
      method: 'POST',
      path: '/Users',
      bulkId,
      data: { ...oktaUser(`${bulkId}@acme.test`), schemas: [USER, ACME], [ACME]: { badgeNumber } },
    })
    const res = await scim(tenant, '/Bulk', {
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
        Operations: [post('one', 'BULK-1'), post('two', 'bulk-1'), post('three', 'BULK-3')],
      },
    })
    const ops = res.json.Operations as { status: string; response?: { detail: string } }[]
    expect(ops.map((o) => o.status)).toEqual(['201', '409', '201'])
    expect(ops[1]!.response!.detail).toBe(`${BADGE} is already in use in this tenant`)
  })
})

describe('required, immutable and removed extensions', () => {
  it('enforces a required extension and its required attribute', async ({ expect }) => {
    const missing = await scim(entra, '/Users', { body: oktaUser('none@contoso.test') })
    expect(missing.status).toBe(400)
    expect(missing.json.detail).toContain(`The extension '${CONTOSO}' is required`)
    const empty = await scim(entra, '/Users', {
      body: { ...oktaUser('empty@contoso.test'), [CONTOSO]: { isContractor: 'True' } },
    })
    expect(empty.status).toBe(400)
    expect(empty.json.detail).toContain(`Attribute '${CONTOSO}:costCenterCode' is required`)

    const user = await scim(entra, '/Users', {
      body: {
        ...oktaUser('ok@contoso.test'),
        [CONTOSO]: { costCenterCode: 'CC-7', isContractor: 'True', contractEnd: '2027-01-31T00:00:00Z' },
      },
    })
    expect(user.json[CONTOSO]).toEqual({
      costCenterCode: 'CC-7',
      isContractor: true,
      contractEnd: '2027-01-31T00:00:00Z',
    })
    const patch = (op: unknown) =>
      scim(entra, `/Users/${user.json.id}`, { method: 'PATCH', body: patchOp(op) })
    const remove = await patch({ op: 'remove', path: `${CONTOSO}:costCenterCode` })
    expect(remove).toMatchObject({ status: 400, json: { scimType: 'mutability' } })
    const change = await patch({
      op: 'replace',
      path: `${CONTOSO}:contractEnd`,
      value: '2028-01-31T00:00:00Z',
    })
    expect(change).toMatchObject({ status: 400, json: { scimType: 'mutability' } })
  })

  it('hides the values of a removed schema, keeps them stored, and shows them again when re-declared', async ({
    expect,
  }) => {
    const tenant = await createTenant({ schemas: [ACME_DECLARATION] })
    const user = await created(tenant, 'kept@acme.test', { badgeNumber: 'K-1' })
    await updateTenant(tenant.name, (r) => ({ ...r, schemas: [], schemasHash: undefined }))

    const hidden = await scim(tenant, `/Users/${user.id}`)
    expect(hidden.json.schemas).toEqual([USER])
    expect(hidden.json[ACME]).toBeUndefined()
    expect((await scim(tenant, `/Schemas/${ACME}`)).status).toBe(404)
    expect((await scim(tenant, `/Users?${filter(`${BADGE} eq "K-1"`)}`)).status).toBe(400)
    expect((await list(tenant, `attributes=${BADGE}`))[0]).not.toHaveProperty(ACME)
    const patched = await scim(tenant, `/Users/${user.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', path: 'displayName', value: 'Still Here' }),
    })
    expect(patched.json.schemas).toEqual([USER])

    const declared = await declareSchemas([ACME_DECLARATION])
    await updateTenant(tenant.name, (r) => ({ ...r, ...declared }))
    expect((await scim(tenant, `/Users/${user.id}`)).json[ACME]).toEqual({ badgeNumber: 'K-1' })
  })
})

describe('an extension of Group', () => {
  it('is validated, stored, filtered and unique like a User one', async ({ expect }) => {
    const schema = {
      id: 'urn:example:acme:2.0:Group',
      attributes: [{ name: 'costCode', type: 'string', uniqueness: 'server' }],
    }
    const tenant = await createTenant({ schemas: [{ schema, resourceType: 'Group', required: false }] })
    const group = (displayName: string, costCode: string) =>
      scim(tenant, '/Groups', {
        body: { schemas: [GROUP, schema.id], displayName, [schema.id]: { costCode } },
      })
    expect((await group('Finance', 'F-1')).json[schema.id]).toEqual({ costCode: 'F-1' })
    expect((await group('Audit', 'f-1')).status).toBe(409)
    const found = await scim(tenant, `/Groups?${filter(`${schema.id}:costCode eq "F-1"`)}`)
    expect(found.json.Resources.map((g: { displayName: string }) => g.displayName)).toEqual(['Finance'])
  })
})
