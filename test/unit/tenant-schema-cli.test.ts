import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parseTenantArgs, type TenantArgs } from '../../scripts/lib/tenant-args'
import { addSchema, formatDeclarations, removeSchema } from '../../scripts/lib/tenant-schema'
import type { WranglerClient } from '../../scripts/lib/wrangler'
import { declarationsHash } from '../../src/schema/tenant-schemas'
import { type TenantRecord, tenantKey, tenantRecordSchema } from '../../src/tenancy/tenant-record'
import { registryOf } from '../../src/tenancy/tenant-registry'
import acme from '../fixtures/extensions/acme-user.json'
import contoso from '../fixtures/extensions/contosoapp-user.json'

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/extensions/${name}`, import.meta.url))
const ACME_FILE = fixture('acme-user.json')
const CONTOSO_FILE = fixture('contosoapp-user.json')

async function tempSchema(schema: unknown): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'schema-cli-')), 'schema.json')
  await writeFile(path, typeof schema === 'string' ? schema : JSON.stringify(schema))
  return path
}

/** An in-memory KV and a D1 that records its SQL and answers `duplicates` to duplicate checks. */
function fakeClient(duplicates: Record<string, unknown>[] = []) {
  const record: TenantRecord = {
    version: 1,
    name: 'acme',
    status: 'active',
    db: 'DB_2',
    createdAt: '2026-01-01T00:00:00.000Z',
    tokens: [],
  }
  const kv = new Map([[tenantKey('acme'), JSON.stringify(record)]])
  const sql: { text: string; binding: string }[] = []
  const client: WranglerClient = {
    target: { remote: false },
    kvGet: async (key) => kv.get(key) ?? null,
    kvPut: async (key, value) => void kv.set(key, value),
    kvList: async (prefix) => [...kv.keys()].filter((k) => k.startsWith(prefix)),
    kvDelete: async (key) => void kv.delete(key),
    d1Execute: async (text, binding) => {
      sql.push({ text, binding })
      return [{ results: text.startsWith('SELECT') ? duplicates : [], success: true }]
    },
    d1MigrationsApply: async () => ({ code: 0, stdout: '', stderr: '' }),
  }
  const stored = () => tenantRecordSchema.parse(JSON.parse(kv.get(tenantKey('acme'))!))
  return { client, sql, stored }
}

const parse = (line: string) => parseTenantArgs(line.split(' ')) as TenantArgs

describe('npm run tenant -- schema: arguments', () => {
  it('reads add, list and remove with their options', () => {
    expect(parse('schema add acme s.json')).toMatchObject({
      command: 'schema',
      tenant: 'acme',
      schema: { action: 'add', file: 's.json', required: false },
    })
    expect(parse('schema add acme s.json --resource Group --required --remote').schema).toEqual({
      action: 'add',
      file: 's.json',
      resource: 'Group',
      required: true,
    })
    expect(parse('schema list acme --json')).toMatchObject({ json: true, schema: { action: 'list' } })
    expect(parse('schema remove acme urn:x:y:User').schema).toMatchObject({
      action: 'remove',
      urn: 'urn:x:y:User',
    })
  })

  it.each([
    ['schema', '`schema` needs an action'],
    ['schema drop acme', '`schema` needs an action'],
    ['schema add', 'needs a tenant name'],
    ['schema add acme', 'needs a schema file'],
    ['schema remove acme', 'needs the schema URN'],
    ['schema list acme extra', 'Unexpected argument'],
    ['schema add Acme s.json', 'not a valid tenant name'],
    ['schema remove acme urn:x:User --required', 'options of `schema add` only'],
    ['schema add acme s.json --resource Device', '--resource must be User or Group'],
    ['create acme --resource User', '--resource is not an option of `create`'],
  ])('rejects %j', (line, message) => {
    expect(() => parseTenantArgs(line.split(' '))).toThrow(message)
  })
})

describe('npm run tenant -- schema: add, list, remove', () => {
  it('stores the checked declaration and its hash, which the Worker accepts as they are', async () => {
    const { client, sql, stored } = fakeClient()
    const added = await addSchema(client, 'acme', { file: ACME_FILE, required: false })
    expect(added).toMatchObject({ replaced: false, declaration: { resourceType: 'User', required: false } })
    const record = stored()
    expect(record.schemas?.map((d) => d.schema.id)).toEqual([acme.id])
    expect(record.schemasHash).toBe(await declarationsHash(record.schemas!))
    expect((await registryOf(record)).schema(acme.id)?.attributes).toHaveLength(5)
    // badgeNumber is unique: duplicates were looked for, then existing values claimed, on the tenant's database.
    expect(sql.map((s) => [s.text.split(' ')[0], s.binding])).toEqual([
      ['SELECT', 'DB_2'],
      ['DELETE', 'DB_2'],
    ])
    expect(sql[1]!.text).toContain('INSERT INTO unique_values')

    await addSchema(client, 'acme', { file: CONTOSO_FILE, required: true })
    expect(sql).toHaveLength(2)
    expect(stored().schemas?.map((d) => [d.schema.id, d.required])).toEqual([
      [acme.id, false],
      [contoso.id, true],
    ])
    expect(formatDeclarations(stored().schemas!)).toContain(
      `${contoso.id}  User  required  "ContosoAppUser"\n  costCenterCode: string  required, caseExact`,
    )
  })

  it('updates a declared schema in place and refuses changes that stored values would contradict', async () => {
    const { client, stored } = fakeClient()
    await addSchema(client, 'acme', { file: CONTOSO_FILE, required: false })
    const wider = { ...contoso, attributes: [...contoso.attributes, { name: 'siteCode', type: 'string' }] }
    expect(
      (await addSchema(client, 'acme', { file: await tempSchema(wider), required: true })).replaced,
    ).toBe(true)
    expect(stored().schemas).toHaveLength(1)
    expect(stored().schemas![0]!.schema.attributes.map((a) => a.name)).toContain('siteCode')

    const retyped = { ...contoso, attributes: [{ name: 'costCenterCode', type: 'integer' }] }
    await expect(
      addSchema(client, 'acme', { file: await tempSchema(retyped), required: false }),
    ).rejects.toThrow('costCenterCode: type string → integer')
  })

  it('refuses an invalid schema with every problem, and writes nothing', async () => {
    const { client, stored } = fakeClient()
    const bad = {
      id: 'urn:example:bad:User',
      attributes: [{ name: 'userName', type: 'string' }, { name: '9lives' }],
    }
    const error = await addSchema(client, 'acme', { file: await tempSchema(bad), required: false }).catch(
      (e) => e,
    )
    expect(error.message).toContain('attributes[1].name must be an attribute name')
    expect(error.message).toContain('attributes[1].type is required')
    await expect(addSchema(client, 'acme', { file: await tempSchema('{'), required: false })).rejects.toThrow(
      'is not JSON',
    )
    const thing = { id: 'urn:example:x:Thing', attributes: [{ name: 'a', type: 'string' }] }
    await expect(
      addSchema(client, 'acme', { file: await tempSchema(thing), required: false }),
    ).rejects.toMatchObject({
      message: 'Cannot tell which resource type urn:example:x:Thing extends.',
      hint: 'Pass --resource User or --resource Group.',
    })
    expect(stored().schemas).toBeUndefined()
  })

  it('refuses uniqueness that existing resources already break, naming the shared values', async () => {
    const { client, sql, stored } = fakeClient([{ value: 'b-7', resources: 2 }])
    await expect(addSchema(client, 'acme', { file: ACME_FILE, required: false })).rejects.toThrow(
      `${acme.id}:badgeNumber cannot be unique: existing Users share "b-7" (2 resources)`,
    )
    expect(sql).toHaveLength(1)
    expect(stored().schemas).toBeUndefined()
  })

  it('removes a declaration, releasing its unique values, and names the declared ones for an unknown URN', async () => {
    const { client, sql, stored } = fakeClient()
    await addSchema(client, 'acme', { file: ACME_FILE, required: false })
    await expect(removeSchema(client, 'acme', 'urn:example:none:User')).rejects.toMatchObject({
      message: 'Tenant acme declares no schema urn:example:none:User.',
      hint: expect.stringContaining(`Its schemas: ${acme.id}`),
    })
    expect((await removeSchema(client, 'acme', acme.id.toLowerCase())).schema.id).toBe(acme.id)
    expect(stored().schemas).toBeUndefined()
    expect(stored().schemasHash).toBeUndefined()
    expect(sql.at(-1)!.text).toMatch(
      /^DELETE FROM unique_values WHERE tenant_id = 'acme' AND attribute IN \(/,
    )
    expect(sql.at(-1)!.text).not.toContain('INSERT')
  })
})
