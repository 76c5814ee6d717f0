import { describe, expect, it } from 'vitest'
import { CliError } from '../../scripts/lib/cli-error'
import { absolutePersistTo, optionValue } from '../../scripts/lib/target-args'
import { parseDuration, parseTenantArgs, type TenantArgs } from '../../scripts/lib/tenant-args'
import { missingRoutes, requiredRoutes } from '../../scripts/lib/wrangler-config'
import { inlineStatement } from '../../scripts/lib/wrangler-ports'
import { roundStatements, tenantTables } from '../../src/deletion/rounds'

const parse = (line: string) => parseTenantArgs(line.split(' ').filter(Boolean)) as TenantArgs
const parseError = (line: string) => {
  try {
    parseTenantArgs(line.split(' ').filter(Boolean))
  } catch (error) {
    expect(error).toBeInstanceOf(CliError)
    return (error as CliError).message
  }
  throw new Error(`expected ${line} to be rejected`)
}

describe('parseDuration', () => {
  it('reads seconds, minutes, hours and days', () => {
    expect(parseDuration('30s', '--x')).toBe(30_000)
    expect(parseDuration('15m', '--x')).toBe(900_000)
    expect(parseDuration('1h', '--x')).toBe(3_600_000)
    expect(parseDuration('7d', '--x')).toBe(604_800_000)
    expect(parseDuration('0', '--x')).toBe(0)
  })

  it.each(['', '1', 'h', '1.5h', '-1h', '1w', '1 h', '10H', '1h30m', '99999999d', '3651d'])(
    'rejects %j',
    (text) => {
      expect(() => parseDuration(text, '--grace')).toThrow(CliError)
    },
  )
})

describe('parseTenantArgs', () => {
  it('defaults to the local target, DB and no grace', () => {
    expect(parse('create acme')).toEqual({
      command: 'create',
      tenant: 'acme',
      target: { remote: false, persistTo: undefined, env: undefined },
      json: false,
      graceMs: 0,
      db: 'DB',
    })
  })

  it('acts --remote on the production environment that npm run deploy ships, unless --env says otherwise', () => {
    expect(parse('create acme --remote').target).toEqual({
      remote: true,
      persistTo: undefined,
      env: 'production',
    })
    expect(parse('create acme --remote --env staging').target.env).toBe('staging')
  })

  it('reads every option of its command', () => {
    const args = parse(
      'create big --label Okta --expires 7d --db DB_2 --json --persist-to /tmp/x --env staging',
    )
    expect(args).toMatchObject({ label: 'Okta', expiresInMs: 604_800_000, db: 'DB_2', json: true })
    expect(args.target).toEqual({ remote: false, persistTo: '/tmp/x', env: 'staging' })
    expect(parse('list --persist-to rel').target.persistTo).toBe(`${process.cwd()}/rel`)
    expect(parse('rotate acme --grace 1h --remote')).toMatchObject({
      graceMs: 3_600_000,
      target: { remote: true },
    })
    expect(parse('revoke acme --token-id tok_1')).toMatchObject({ tokenId: 'tok_1' })
    expect(parse('list --json')).toMatchObject({ command: 'list', tenant: '' })
    expect(parseTenantArgs(['--help'])).toBe('help')
    expect(parseTenantArgs([])).toBe('help')
  })

  it.each([
    ['create', 'needs a tenant name'],
    ['create Acme', 'not a valid tenant name'],
    ["create a'b", 'not a valid tenant name'],
    ['create -acme', 'Unknown option'],
    ['create acme extra', 'Unexpected argument'],
    ['list acme', 'takes no tenant name'],
    ['frobnicate acme', 'Unknown command'],
    ['schema acme', '`schema` needs an action'],
    ['create acme --grace 1h', '--grace is not an option of `create`'],
    ['revoke acme --label x', '--label is not an option of `revoke`'],
    ['suspend acme --token-id tok_1', '--token-id is not an option of `suspend`'],
    ['create acme --local --remote', 'Choose one of --local and --remote'],
    ['create acme --remote --persist-to /tmp/x', '--persist-to applies to --local only'],
    ['create acme --db db2', 'not a D1 binding name'],
    ['create acme --expires 0', 'longer than 0'],
    ['rotate acme --grace soon', 'is not a duration'],
    ['create acme --bogus', 'Unknown option'],
  ])('rejects %j', (line, message) => {
    expect(parseError(line)).toContain(message)
  })

  it('accepts 63-character names and rejects 64', () => {
    expect(parse(`create ${'a'.repeat(63)}`).tenant).toHaveLength(63)
    expect(parseError(`create ${'a'.repeat(64)}`)).toContain('not a valid tenant name')
  })
})

describe('optionValue', () => {
  it('finds separate, joined and short forms', () => {
    expect(optionValue(['--port', '9000', '--persist-to=/tmp/p'], 'persist-to')).toBe('/tmp/p')
    expect(optionValue(['--port', '9000'], 'port')).toBe('9000')
    expect(optionValue(['-e', 'staging'], 'env', 'e')).toBe('staging')
    expect(optionValue(['--portable'], 'port')).toBeUndefined()
  })

  it('makes --persist-to absolute and leaves the rest alone', () => {
    expect(absolutePersistTo(['--persist-to', '/a/b', '--port', '1', '--persist-to=/c'])).toEqual([
      '--persist-to',
      '/a/b',
      '--port',
      '1',
      '--persist-to=/c',
    ])
    expect(absolutePersistTo(['--persist-to', 'rel'])[1]).toBe(`${process.cwd()}/rel`)
  })
})

describe('purge SQL', () => {
  it('covers every table with a tenant_id column', () => {
    expect(tenantTables()).toEqual(
      expect.arrayContaining([
        'group_members',
        'groups',
        'scim_event_horizons',
        'scim_events',
        'user_emails',
        'users',
      ]),
    )
    expect(tenantTables()).not.toContain('write_guard')
  })

  it('deletes in bounded rounds, counts each table (with what its triggers deleted) and what is left', () => {
    const statements = roundStatements('acme', ['users', 'groups'], 2000)
    expect(statements.map((s) => s.sql)).toEqual([
      'SELECT total_changes() AS total',
      'DELETE FROM users WHERE rowid IN (SELECT rowid FROM users WHERE tenant_id = ? LIMIT ?)',
      'SELECT total_changes() AS total',
      'DELETE FROM groups WHERE rowid IN (SELECT rowid FROM groups WHERE tenant_id = ? LIMIT ?)',
      'SELECT total_changes() AS total',
      'SELECT (SELECT count(*) FROM users WHERE tenant_id = ?1) + (SELECT count(*) FROM groups WHERE tenant_id = ?1) AS rows_left',
    ])
    expect(statements[1]?.params).toEqual(['acme', 2000])
    // The CLI inlines parameters (wrangler binds none): the name is quoted like any value.
    expect(inlineStatement(roundStatements("x' OR '1'='1", ['users'], 10)[1]!)).toContain(
      "'x'' OR ''1''=''1'",
    )
  })

  it('refuses table names that are not identifiers', () => {
    expect(() => roundStatements('acme', ['users; DROP TABLE users'], 10)).toThrow()
  })
})

describe('SQL for wrangler d1 execute, which binds no parameters', () => {
  it('inlines ? and ?NNN placeholders as literals, quotes doubled, and leaves quoted text alone', () => {
    const text = inlineStatement({
      sql: "SELECT '?' AS q, ? AS a, ?3 AS c, ?2 AS b, ? AS d WHERE x = ?1",
      params: ["it's", null, 7, true],
    })
    expect(text).toBe("SELECT '?' AS q, 'it''s' AS a, 7 AS c, NULL AS b, 1 AS d WHERE x = 'it''s'")
  })

  it('refuses a placeholder without a parameter and values SQL has no literal for', () => {
    expect(() => inlineStatement({ sql: 'SELECT ?, ?', params: [1] })).toThrow('?2 has no parameter')
    expect(() => inlineStatement({ sql: 'SELECT ?', params: [{}] })).toThrow('Cannot inline')
    expect(() => inlineStatement({ sql: 'SELECT ?', params: [Number.NaN] })).toThrow('Cannot inline')
  })
})

describe('build:check routes', () => {
  it('names the routes a deployed environment lacks', () => {
    const all = requiredRoutes('scim.example.com').map((pattern) => ({ pattern, zone_name: 'example.com' }))
    expect(missingRoutes(all, 'scim.example.com')).toEqual([])
    expect(missingRoutes(all.slice(0, 2), 'scim.example.com')).toEqual(['scim.example.com/admin/*'])
    expect(missingRoutes(['*.scim.example.com/*'], 'scim.example.com')).toEqual([
      'scim.example.com/healthz',
      'scim.example.com/admin/*',
    ])
  })
})
