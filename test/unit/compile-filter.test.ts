import type { SQL } from 'drizzle-orm'
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core'
import { describe, it } from 'vitest'
import { parseFilter } from '../../src/filter/parser'
import { ScimError } from '../../src/http/scim-error'
import { compileFilter, compileMemberFilter, isIndexedLookup } from '../../src/query/compile-filter'
import type { ResourceTypeDefinition } from '../../src/schema/attribute'
import { GROUP, registry, USER } from './filter-fixture'

const dialect = new SQLiteSyncDialect()
const BASE = 'https://t1.scim.example.com/scim/v2'

/** SQL text with whitespace collapsed, and its bound parameters. */
function render(fragment: SQL) {
  const { sql, params } = dialect.sqlToQuery(fragment)
  return { sql: sql.replace(/\s+/g, ' ').trim(), params }
}

const targetOf = (resourceType: ResourceTypeDefinition) => ({
  resourceType,
  alias: resourceType === USER ? 'u' : 'g',
  tenantId: 't1',
  baseUrl: BASE,
})

function compile(filter: string, resourceType = USER, target = resourceType) {
  return render(compileFilter(parseFilter(filter, registry, resourceType), targetOf(target)))
}

const ext = (attr: string) => `'$."urn:example:params:scim:schemas:extension:test:2.0:User"."${attr}"'`
const present = (doc: string, path: string) =>
  `CASE json_type(${doc}, ${path}) WHEN 'text' THEN json_extract(${doc}, ${path}) <> '' WHEN 'array' THEN json_array_length(${doc}, ${path}) > 0 WHEN 'object' THEN json_extract(${doc}, ${path}) <> '{}' WHEN 'null' THEN 0 ELSE json_type(${doc}, ${path}) IS NOT NULL END`
const EMAILS = 'u.id IN (SELECT e.user_id FROM user_emails e WHERE e.tenant_id = ? AND'
const MEMBERS = 'g.id IN (SELECT gm.group_id FROM group_members gm WHERE gm.tenant_id = ? AND'

describe('the query shapes identity providers send (okta.md, entra.md)', () => {
  it.for([
    ['userName eq "Test.User@Okta.local"', USER, 'u.user_name_folded = ?', ['test.user@okta.local']],
    ['externalId eq "00ujl29u0le5T6Aj10h7"', USER, 'u.external_id = ?', ['00ujl29u0le5T6Aj10h7']],
    [
      'emails[type eq "work"].value eq "A@B.example"',
      USER,
      `${EMAILS} (e.type_folded = ? AND e.value_folded = ?))`,
      ['t1', 'work', 'a@b.example'],
    ],
    ['displayName eq "Test SCIMv2"', GROUP, 'g.display_name_folded = ?', ['test scimv2']],
    [
      'id eq "g1" and members[value eq "u1"]',
      GROUP,
      `(g.id = ? AND ${MEMBERS} gm.member_id = ?))`,
      ['g1', 't1', 'u1'],
    ],
    [
      'id eq "g1" and members eq "u1"',
      GROUP,
      `(g.id = ? AND ${MEMBERS} gm.member_id = ?))`,
      ['g1', 't1', 'u1'],
    ],
    [
      'id eq "u1" and manager eq "M1"',
      USER,
      `(u.id = ? AND json_extract(u.resource_folded, '$."urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"."manager"."value"') = ?)`,
      ['u1', 'm1'],
    ],
    [
      'meta.lastModified gt "2026-01-01T00:00:00Z"',
      USER,
      'u.last_modified > ?',
      ['2026-01-01T00:00:00.000Z'],
    ],
  ] as const)('%s', ([filter, resourceType, sql, params], { expect }) => {
    expect(compile(filter, resourceType)).toEqual({ sql, params })
  })
})

describe('operators and attribute types (RFC 7644 §3.4.2.2)', () => {
  it.for([
    ['userName co "Bob"', 'instr(u.user_name_folded, ?) > 0', ['bob']],
    ['userName sw "Bob"', 'instr(u.user_name_folded, ?) = 1', ['bob']],
    ['userName ew "Bob"', 'substr(u.user_name_folded, ?) = ?', [-3, 'bob']],
    ['userName ew ""', "instr(u.user_name_folded, '') > 0", []],
    ['userName gt "M"', 'u.user_name_folded > ?', ['m']],
    ['userName le "M"', 'u.user_name_folded <= ?', ['m']],
    ['externalId co "Ab"', 'instr(u.external_id, ?) > 0', ['Ab']],
    ['active eq true', 'u.active = ?', [1]],
    ['active eq "False"', 'u.active = ?', [0]],
    ['active ne false', 'NOT coalesce(u.active = ?, 0)', [0]],
    ['userName pr', "u.user_name_folded <> ''", []],
    ['title pr', present('u.resource_folded', `'$."title"'`), []],
    ['title eq null', `NOT coalesce(${present('u.resource_folded', `'$."title"'`)}, 0)`, []],
    ['title ne null', present('u.resource_folded', `'$."title"'`), []],
    ['title ne "Boss"', `NOT coalesce(json_extract(u.resource_folded, '$."title"') = ?, 0)`, ['boss']],
    [
      'name.familyName sw "Jen"',
      `instr(json_extract(u.resource_folded, '$."name"."familyName"'), ?) = 1`,
      ['jen'],
    ],
    [`${'loginCount'} gt 5`, `json_extract(u.resource_folded, ${ext('loginCount')}) > ?`, [5]],
    ['score le 1.5', `json_extract(u.resource_folded, ${ext('score')}) <= ?`, [1.5]],
    ['code eq "AbC"', `json_extract(u.resource_folded, ${ext('code')}) = ?`, ['AbC']],
    ['meta.created ge "2026-01-01T01:00:00+01:00"', 'u.created >= ?', ['2026-01-01T00:00:00.000Z']],
    ['meta.created eq "2026-01-01T00:00:00.0005Z"', '0', []],
    ['meta.created ge "2026-01-01T00:00:00.0005Z"', 'u.created > ?', ['2026-01-01T00:00:00.000Z']],
    ['meta.created lt "2026-01-01T00:00:00.0005Z"', 'u.created <= ?', ['2026-01-01T00:00:00.000Z']],
    ['meta.created gt "0000-01-01T00:00:00+01:00"', 'u.created IS NOT NULL', []],
    ['meta.created lt "9999-12-31T23:59:59-01:00"', 'u.created IS NOT NULL', []],
    ['meta.resourceType eq "User"', "'User' = ?", ['User']],
    ['meta.location sw "https://t1"', "instr((? || '/Users/' || u.id), ?) = 1", [BASE, 'https://t1']],
    ['meta.version eq "W/\\"2\\""', `('W/"' || u.version || '"') = ?`, ['W/"2"']],
    ['meta pr', '1', []],
  ] as const)('%s', ([filter, sql, params], { expect }) => {
    expect(compile(filter)).toEqual({ sql, params })
  })
})

describe('logic: SCIM filters are two-valued, so an absent attribute under not is false', () => {
  it.for([
    [
      'userName eq "a" or not (title co "x")',
      `(u.user_name_folded = ? OR NOT coalesce(instr(json_extract(u.resource_folded, '$."title"'), ?) > 0, 0))`,
      ['a', 'x'],
    ],
    [
      // Negations are pushed down to the comparisons (De Morgan), so not (not a) is a.
      'not (not (active eq true) and userName pr)',
      `(u.active = ? OR NOT coalesce(u.user_name_folded <> '', 0))`,
      [1],
    ],
  ] as const)('%s', ([filter, sql, params], { expect }) => {
    expect(compile(filter)).toEqual({ sql, params })
  })
})

describe('multi-valued attributes: some element matches', () => {
  const phones = (condition: string) =>
    `EXISTS (SELECT 1 FROM json_each(u.resource_folded, '$."phoneNumbers"') j WHERE ${condition})`
  const obj = (path: string) => `CASE WHEN j.type = 'object' THEN json_extract(j.value, '$."${path}"') END`
  it.for([
    ['emails.value eq "X"', `${EMAILS} e.value_folded = ?)`, ['t1', 'x']],
    ['emails eq "X"', `${EMAILS} e.value_folded = ?)`, ['t1', 'x']],
    ['emails.value ne "X"', `NOT coalesce(${EMAILS} e.value_folded = ?), 0)`, ['t1', 'x']],
    [
      'emails[type eq "work" and value co "@x"]',
      `${EMAILS} (e.type_folded = ? AND instr(e.value_folded, ?) > 0))`,
      ['t1', 'work', '@x'],
    ],
    ['emails.value pr', `${EMAILS} e.value_folded <> '')`, ['t1']],
    ['emails pr', present('u.resource_folded', `'$."emails"'`), []],
    // The parser reads `emails eq null` as `emails.value eq null`: no email has a value.
    ['emails eq null', `NOT coalesce(${EMAILS} e.value_folded <> ''), 0)`, ['t1']],
    [
      'emails[type eq "work" and primary eq true]',
      `EXISTS (SELECT 1 FROM json_each(u.resource_folded, '$."emails"') j WHERE (${obj('type')} = ? AND ${obj('primary')} = ?))`,
      ['work', 1],
    ],
    ['phoneNumbers[type eq "Mobile"]', phones(`${obj('type')} = ?`), ['mobile']],
    ['phoneNumbers.value ew "99"', phones(`substr(${obj('value')}, ?) = ?`), [-2, '99']],
    [
      'tags eq "A"',
      `EXISTS (SELECT 1 FROM json_each(u.resource_folded, ${ext('tags')}) j WHERE j.value = ?)`,
      ['a'],
    ],
    [
      'badges[earned lt "2026-01-01T00:00:00+02:00" and level ge 2]',
      `EXISTS (SELECT 1 FROM json_each(u.resource_folded, ${ext('badges')}) j WHERE (CASE WHEN j.type = 'object' THEN strftime('%Y-%m-%dT%H:%M:%fZ', upper(json_extract(j.value, '$."earned"'))) END < ? AND ${obj('level')} >= ?))`,
      ['2025-12-31T22:00:00.000Z', 2],
    ],
  ] as const)('%s', ([filter, sql, params], { expect }) => {
    expect(compile(filter)).toEqual({ sql, params })
  })
})

describe('memberships from the membership rows', () => {
  const display = (member: string) =>
    `CASE ${member}.member_type WHEN 'User' THEN (SELECT coalesce(mu.display_name_folded, mu.user_name_folded) FROM users mu WHERE mu.tenant_id = ? AND mu.id = ${member}.member_id) ELSE (SELECT mg.display_name_folded FROM groups mg WHERE mg.tenant_id = ? AND mg.id = ${member}.member_id) END`
  it.for([
    ['members.value eq "U1"', GROUP, `${MEMBERS} gm.member_id = ?)`, ['t1', 'u1']],
    ['members[type eq "Group"]', GROUP, `${MEMBERS} lower(gm.member_type) = ?)`, ['t1', 'group']],
    ['members.display eq "Bob"', GROUP, `${MEMBERS} ${display('gm')} = ?)`, ['t1', 't1', 't1', 'bob']],
    [
      'members.$ref eq "https://T1.scim.example.com/scim/v2/Users/u1"',
      GROUP,
      `${MEMBERS} lower(? || CASE gm.member_type WHEN 'User' THEN '/Users/' ELSE '/Groups/' END || gm.member_id) = ?)`,
      ['t1', BASE, `${BASE}/users/u1`],
    ],
    [
      'members pr',
      GROUP,
      'EXISTS (SELECT 1 FROM group_members gm WHERE gm.tenant_id = ? AND gm.group_id = g.id)',
      ['t1'],
    ],
    [
      'groups pr',
      USER,
      'EXISTS (SELECT 1 FROM group_members gm WHERE gm.tenant_id = ? AND gm.member_id = u.id)',
      ['t1'],
    ],
  ] as const)('%s', ([filter, resourceType, sql, params], { expect }) => {
    expect(compile(filter, resourceType)).toEqual({ sql, params })
  })

  it('walks down from the group a `groups.value eq` pins, over group ids only, to direct and indirect members', ({
    expect,
  }) => {
    const { sql, params } = compile('groups.value eq "G1"')
    expect(sql).toContain('WITH RECURSIVE below(id) AS (SELECT ?')
    expect(sql).toContain(
      'FROM below x CROSS JOIN group_members gm ON gm.tenant_id = ? AND gm.group_id = x.id',
    )
    expect(sql).not.toMatch(/depth|path/)
    expect(sql).toMatch(/WHERE eg\.id = \?\)$/)
    expect(params).toEqual(['g1', 't1', 'Group', 'g1', 't1', 'User', 't1', 'g1', 'g1'])
  })

  it('answers `groups[type …]` alone per user, from its memberships and one nesting up', ({ expect }) => {
    const { sql, params } = compile('groups[type eq "indirect"]')
    expect(sql).toContain('gm.member_id = u.id')
    expect(sql).toContain('up.member_id = gm.group_id AND NOT EXISTS')
    expect(sql).not.toMatch(/RECURSIVE|depth/)
    expect(params).toEqual(['direct', 'indirect', 't1', 'indirect', 'indirect', 't1', 't1', 't1'])
  })

  it('compiles a PATCH members[…] filter on group_members rows, for DELETE … WHERE', ({ expect }) => {
    const path = parseFilter('members[value eq "U1" or display co "bob"]', registry, GROUP)
    if (path.kind !== 'valuePath') throw new Error('expected a value path')
    expect(render(compileMemberFilter(path.filter, 't1'))).toEqual({
      sql: `(group_members.member_id = ? OR instr(${display('group_members')}, ?) > 0)`,
      params: ['u1', 't1', 't1', 'bob'],
    })
  })

  it('rejects a member $ref filter without the base URL', ({ expect }) => {
    const path = parseFilter('members[$ref eq "x"]', registry, GROUP)
    if (path.kind !== 'valuePath') throw new Error('expected a value path')
    expect(() => compileMemberFilter(path.filter, 't1')).toThrow(ScimError)
  })
})

describe('attributes another resource type has (root searches)', () => {
  it.for([
    ['userName eq "a"', 'NULL = ?', ['a']],
    ['userName ne "a"', 'NOT coalesce(NULL = ?, 0)', ['a']],
    ['userName pr', '0', []],
    ['emails[type eq "work"]', '0', []],
    ['emails.value eq "a"', '0', []],
  ] as const)('%s on a group', ([filter, sql, params], { expect }) => {
    expect(compile(filter, USER, GROUP)).toEqual({ sql, params })
  })
})

describe('limits and safety', () => {
  it('binds SQL and JSON-path metacharacters as data', ({ expect }) => {
    expect(compile(`title eq "x') OR 1=1 --" and name.givenName eq "$.a\\"b"`)).toEqual({
      sql: `(json_extract(u.resource_folded, '$."title"') = ? AND json_extract(u.resource_folded, '$."name"."givenName"') = ?)`,
      params: ["x') or 1=1 --", '$.a"b'],
    })
  })

  it('rejects a filter that needs more than 80 bound parameters as invalidFilter', ({ expect }) => {
    const filter = Array.from({ length: 41 }, (_, i) => `emails.value eq "${i}"`).join(' or ')
    expect(() => compile(filter)).toThrow(expect.objectContaining({ status: 400, scimType: 'invalidFilter' }))
    expect(
      compile(Array.from({ length: 40 }, (_, i) => `userName eq "${i}"`).join(' or ')).params,
    ).toHaveLength(40)
  })
})

describe('isIndexedLookup', () => {
  it.for([
    ['userName eq "a"', USER, true],
    ['externalId eq "a"', USER, true],
    ['emails[type eq "work"].value eq "a"', USER, true],
    ['emails[type eq "work"]', USER, false],
    ['id eq "g" and members[value eq "u"]', GROUP, true],
    ['members eq "u"', GROUP, true],
    ['displayName eq "x" and title pr', USER, true],
    ['userName eq "a" or externalId eq "b"', USER, false],
    ['active eq true', USER, false],
    ['meta.lastModified gt "2026-01-01T00:00:00Z"', USER, false],
    ['not (userName eq "a")', USER, false],
  ] as const)('%s', ([filter, resourceType, expected], { expect }) => {
    expect(isIndexedLookup(parseFilter(filter, registry, resourceType), targetOf(resourceType))).toBe(
      expected,
    )
  })
})
