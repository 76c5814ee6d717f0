import { describe, expect, it } from 'vitest'
import { inlineStatement } from '../../scripts/lib/wrangler-ports'
import { claimedAttributes, reclaimSchemaStatements, uniqueValueStatements } from '../../src/db/unique-values'
import { uniquenessError } from '../../src/db/write-errors'
import { ScimError } from '../../src/http/scim-error'
import { builtinRegistry } from '../../src/schema/builtin'
import {
  checkDeclarations,
  type DeclarationInput,
  declarationsHash,
  type SchemaDeclaration,
  tenantRegistry,
} from '../../src/schema/tenant-schemas'
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from '../../src/schema/urns'
import { type TenantRecord, tenantRecordSchema } from '../../src/tenancy/tenant-record'
import { registryOf } from '../../src/tenancy/tenant-registry'
import acme from '../fixtures/extensions/acme-user.json'
import contoso from '../fixtures/extensions/contosoapp-user.json'

const ACME = acme.id
const CONTOSO = contoso.id

const user = (schema: unknown, required = false): DeclarationInput => ({
  schema,
  resourceType: 'User',
  required,
})
const schemaWith = (...attributes: unknown[]) => ({ id: 'urn:example:ext:1.0:User', attributes })
const text = (name: string, extra: Record<string, unknown> = {}) => ({ name, type: 'string', ...extra })

function declared(...inputs: DeclarationInput[]): SchemaDeclaration[] {
  const checked = checkDeclarations(inputs)
  if (!checked.ok) throw new Error(checked.problems.join('\n'))
  return checked.value
}

function problemsOf(...inputs: DeclarationInput[]): string {
  const checked = checkDeclarations(inputs)
  if (checked.ok) throw new Error('expected the declarations to be rejected')
  return checked.problems.join('\n')
}

describe('checkDeclarations', () => {
  it('accepts the Okta- and Entra-like fixtures and fills the RFC 7643 §2.2 defaults', () => {
    const [a, c] = declared(user(acme), user(contoso, true))
    expect(a!.schema.id).toBe(ACME)
    const codes = a!.schema.attributes.find((x) => x.name === 'projectCodes')!
    expect(codes).toMatchObject({
      required: false,
      mutability: 'readWrite',
      returned: 'default',
      uniqueness: 'none',
    })
    expect(a!.schema.attributes.find((x) => x.name === 'emergencyContact')!.subAttributes![0]).toMatchObject({
      name: 'name',
      multiValued: false,
      caseExact: false,
    })
    // `schemas` and `meta`, as copied from a /Schemas response, are not kept.
    expect(Object.keys(c!.schema)).toEqual(['id', 'name', 'description', 'attributes'])
    expect(c!.required).toBe(true)
  })

  it('is idempotent, so the Worker re-checks what the CLI stored and gets the same hash', async () => {
    const once = declared(user(acme), user(contoso))
    const twice = declared(...once)
    expect(twice).toEqual(once)
    expect(await declarationsHash(twice)).toBe(await declarationsHash(once))
    expect(await declarationsHash(once.slice(1))).not.toBe(await declarationsHash(once))
  })

  it('defaults name to the last URN segment and writeOnly to returned never', () => {
    const [d] = declared(
      user({ id: 'urn:example:ext:1.0:Badge', attributes: [text('pin', { mutability: 'writeOnly' })] }),
    )
    expect(d!.schema.name).toBe('Badge')
    expect(d!.schema.attributes[0]!.returned).toBe('never')
  })

  it.each([
    ['ietf:params:scim:schemas:extension:acme:2.0:User', 'must be a URN'],
    ['urn:ietf:params:scim:schemas:extension:acme:2.0', 'must be a URN'],
    ['urn:acme', 'must be a URN'],
    ['urn:a:b c:User', 'must be a URN'],
    ['urn:a:b%20c:User', 'must be a URN'],
    ['urn:ietf:params:scim:schemas:core:2.0:Badge', 'reserve'],
    ['urn:ietf:params:scim:api:messages:2.0:Badge', 'reserve'],
    [ENTERPRISE_USER_SCHEMA.toUpperCase().replace('URN', 'urn'), 'clashes with the built-in'],
    [`${ENTERPRISE_USER_SCHEMA}:Badge`, 'clashes with the built-in'],
    [`urn:${'x'.repeat(200)}:User`, 'longer than 200'],
  ])('rejects the schema id %s', (id, problem) => {
    expect(problemsOf(user({ id, attributes: [text('badge')] }))).toContain(problem)
  })

  it.each([
    [text('1badge'), 'attributes[0].name must be an attribute name'],
    [text('badge number'), 'attribute name'],
    [text('badge.number'), 'attribute name'],
    [text('$ref'), 'attribute name'],
    [{ name: 'badge' }, 'attributes.badge.type is required'],
    [{ name: 'badge', type: 'text' }, 'must be one of string, boolean'],
    [text('badge', { multiValued: 'yes' }), 'multiValued must be true or false'],
    [text('badge', { mutable: true }), 'attributes.badge.mutable is not an attribute characteristic'],
    [text('badge', { subAttributes: [text('x')] }), 'applies to complex attributes only'],
    [{ name: 'badge', type: 'complex' }, 'needs 1 to 20 sub-attributes'],
    [
      { name: 'badge', type: 'complex', subAttributes: [{ name: 'x', type: 'complex' }] },
      'cannot be complex',
    ],
    [
      { name: 'badge', type: 'complex', subAttributes: [text('x', { required: true })] },
      'make the parent required',
    ],
    [{ name: 'badge', type: 'complex', subAttributes: [text('x'), text('X')] }, 'declared twice'],
    [text('badge', { mutability: 'readOnly' }), 'never assigns extension values'],
    [text('badge', { mutability: 'writeOnly', returned: 'default' }), 'use never'],
    [text('badge', { uniqueness: 'global' }), 'use server'],
    [text('badge', { uniqueness: 'server', multiValued: true }), 'single-valued'],
    [{ name: 'badge', type: 'boolean', uniqueness: 'server' }, 'single-valued'],
    [{ name: 'badge', type: 'integer', canonicalValues: ['1'] }, 'string and reference attributes only'],
    [text('badge', { referenceTypes: ['User'] }), 'reference attributes only'],
    [text('badge', { description: 'x'.repeat(1001) }), 'longer than 1000'],
  ])('rejects the attribute %j', (attribute, problem) => {
    expect(problemsOf(user(schemaWith(attribute)))).toContain(problem)
  })

  it('rejects names twice in a schema, in any case', () => {
    expect(problemsOf(user(schemaWith(text('badge'), text('BADGE'))))).toContain('declared twice')
  })

  it.each(['userName', 'EMAILS', 'id', 'meta', 'schemas', 'externalId', 'manager', 'employeeNumber'])(
    'rejects %s, a name the User resource already has',
    (name) => {
      expect(problemsOf(user(schemaWith(text(name))))).toContain(
        `attribute ${name} is already an attribute of`,
      )
    },
  )

  it('allows a User name on a Group extension, and rejects a Group name there', () => {
    expect(
      declared({ schema: schemaWith(text('userName')), resourceType: 'Group', required: false }),
    ).toHaveLength(1)
    expect(
      problemsOf({ schema: schemaWith(text('members')), resourceType: 'Group', required: false }),
    ).toContain('attribute members is already an attribute of core Group')
  })

  it('rejects clashes between declarations: the same URN, a URN prefix, an attribute name', () => {
    const a = { id: 'urn:example:a:User', attributes: [text('one')] }
    expect(problemsOf(user(a), user({ ...a, attributes: [text('two')] }))).toContain(
      'clashes with urn:example:a:User',
    )
    expect(problemsOf(user(a), user({ id: 'urn:example:a:User:more', attributes: [text('two')] }))).toContain(
      'clashes with',
    )
    expect(problemsOf(user(a), user({ id: 'urn:example:b:User', attributes: [text('ONE')] }))).toContain(
      'attribute ONE is already an attribute of urn:example:a:User',
    )
  })

  it('bounds what a tenant record carries', () => {
    const many = Array.from({ length: 11 }, (_, i) =>
      user({ id: `urn:example:s${i}:User`, attributes: [text(`a${i}`)] }),
    )
    expect(problemsOf(...many)).toContain('at most 10 schemas')
    const wide = Array.from({ length: 51 }, (_, i) => text(`a${i}`))
    expect(problemsOf(user(schemaWith(...wide)))).toContain('1 to 50 attributes')
    const unique = Array.from({ length: 6 }, (_, i) => text(`u${i}`, { uniqueness: 'server' }))
    expect(problemsOf(user(schemaWith(...unique)))).toContain('at most 5 extension attributes may be unique')
    const verbose = Array.from({ length: 9 }, (_, s) =>
      user({
        id: `urn:example:v${s}:User`,
        attributes: Array.from({ length: 5 }, (_, i) => text(`v${s}x${i}`, { description: 'd'.repeat(900) })),
      }),
    )
    expect(problemsOf(...verbose)).toContain('fit in the tenant record')
  })

  it('rejects a resource type other than User or Group', () => {
    expect(
      problemsOf({ schema: schemaWith(text('badge')), resourceType: 'Device', required: false }),
    ).toContain('resource type must be User or Group')
  })
})

describe('tenantRegistry', () => {
  const registry = tenantRegistry(declared(user(acme), user(contoso, true)))
  const userType = registry.resourceType('User')!

  it('adds the extensions to the User resource type and to the schemas, leaving the built-ins alone', () => {
    expect(userType.schemaExtensions).toEqual([
      { schema: ENTERPRISE_USER_SCHEMA, required: false },
      { schema: ACME, required: false },
      { schema: CONTOSO, required: true },
    ])
    expect(registry.schemas.map((s) => s.id)).toContain(ACME)
    expect(builtinRegistry.schema(ACME)).toBeUndefined()
    expect(builtinRegistry.resourceType('User')!.schemaExtensions).toHaveLength(1)
    expect(tenantRegistry([])).toBe(builtinRegistry)
  })

  it('resolves extension attributes by full URN path and, being unambiguous, by bare name', () => {
    expect(registry.resolve(userType, `${ACME}:badgeNumber`)?.attribute.uniqueness).toBe('server')
    expect(
      registry.resolve(userType, `${ACME.toLowerCase()}:EMERGENCYCONTACT.phone`)?.subAttribute?.name,
    ).toBe('phone')
    expect(registry.resolve(userType, 'costCenterCode')?.schema).toBe(CONTOSO)
    expect(registry.resolve(userType, `${USER_SCHEMA}:badgeNumber`)).toBeUndefined()
  })
})

describe('registryOf (per-isolate cache)', () => {
  async function record(name: string, declarations: SchemaDeclaration[]): Promise<TenantRecord> {
    return tenantRecordSchema.parse({
      version: 1,
      name,
      status: 'active',
      db: 'DB',
      createdAt: '2026-01-01T00:00:00.000Z',
      tokens: [],
      schemas: declarations,
      schemasHash: await declarationsHash(declarations),
    })
  }

  it('builds a registry once per declaration hash and again when the declaration changes', async () => {
    const one = await record('cache-a', declared(user(acme)))
    const first = await registryOf(one)
    expect(await registryOf(structuredClone(one))).toBe(first)
    const changed = await registryOf(await record('cache-a', declared(user(acme), user(contoso))))
    expect(changed).not.toBe(first)
    expect(changed.schema(CONTOSO)).toBeDefined()
    expect((await registryOf(await record('cache-b', declared(user(contoso))))).schema(ACME)).toBeUndefined()
  })

  it('refuses a record whose hash does not match its declarations', async () => {
    const good = await record('cache-c', declared(user(acme)))
    await expect(registryOf({ ...good, schemasHash: 'f'.repeat(64) })).rejects.toThrow(
      'schemasHash does not match',
    )
  })

  it('gives tenants without declarations the built-in registry', async () => {
    const plain = { ...(await record('cache-d', [])), schemas: undefined, schemasHash: undefined }
    expect(await registryOf(plain)).toBe(builtinRegistry)
  })
})

describe('unique values', () => {
  const registry = tenantRegistry(declared(user(acme)))

  it('claims each unique extension attribute in the write batch, releasing first on a change', () => {
    const badge = (badgeNumber: string) => ({ [ACME]: { badgeNumber } })
    const create = uniqueValueStatements('t', registry, 'User', 'u1', badge('1'))
    expect(create).toHaveLength(1)
    expect(uniqueValueStatements('t', registry, 'User', 'u1', badge('2'), badge('1'))).toHaveLength(2)
    // An update that leaves the extension alone keeps its claims as they are.
    expect(
      uniqueValueStatements('t', registry, 'User', 'u1', { ...badge('1'), title: 'x' }, badge('1')),
    ).toEqual([])
    expect(uniqueValueStatements('t', registry, 'Group', 'g1', {}, badge('1'))).toEqual([])
    expect(uniqueValueStatements('t', builtinRegistry, 'User', 'u1', badge('2'), badge('1'))).toEqual([])
    expect(claimedAttributes(create)).toEqual([`${ACME}:badgeNumber`])
  })

  it('names the attribute of a unique_values violation, and leaves other errors alone', () => {
    const statements = uniqueValueStatements(
      't',
      registry,
      'User',
      'u1',
      { [ACME]: { badgeNumber: '2' } },
      {},
    )
    const violation = new Error(
      'D1_ERROR: UNIQUE constraint failed: unique_values.tenant_id, unique_values.resource_type, unique_values.attribute, unique_values.value: SQLITE_CONSTRAINT',
    )
    const mapped = uniquenessError(violation, statements) as ScimError
    expect(mapped).toBeInstanceOf(ScimError)
    expect(mapped.status).toBe(409)
    expect(mapped.message).toBe(`${ACME}:badgeNumber is already in use in this tenant`)
    const other = new Error('D1_ERROR: no such table: x')
    expect(uniquenessError(other, statements)).toBe(other)
  })

  it('gives the CLI SQL without parameters that re-claims existing values', () => {
    const [schema] = declared(user(acme))
    const text = reclaimSchemaStatements('acme-co', 'User', schema!.schema, undefined)
      .map(inlineStatement)
      .join(';\n')
    expect(text).toContain("DELETE FROM unique_values WHERE tenant_id = 'acme-co' AND attribute IN (")
    expect(text).toContain(`'${ACME.toLowerCase()}:badgenumber'`)
    expect(text).toContain(`resource_folded ->> '$."${ACME}"."badgeNumber"'`)
    expect(text).not.toContain('?')
  })
})
