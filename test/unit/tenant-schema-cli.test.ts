import { describe, expect, it } from 'vitest'
import { parseTenantArgs, type TenantArgs } from '../../scripts/lib/tenant-args'
import { formatDeclarations } from '../../scripts/lib/tenant-schema'
import { checkDeclarations } from '../../src/schema/tenant-schemas'
import contoso from '../fixtures/extensions/contosoapp-user.json'

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

describe('npm run tenant -- schema list', () => {
  it('prints each schema, then its attributes and what is not default about them', () => {
    const checked = checkDeclarations([{ schema: contoso, resourceType: 'User', required: true }])
    if (!checked.ok) throw new Error(checked.problems.join('; '))
    expect(formatDeclarations(checked.value)).toContain(
      `${contoso.id}  User  required  "ContosoAppUser"\n  costCenterCode: string  required, caseExact`,
    )
  })
})
