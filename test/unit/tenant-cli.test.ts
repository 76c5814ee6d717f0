import { describe, expect, it } from 'vitest'
import { CliError } from '../../scripts/lib/cli-error'
import { absolutePersistTo, optionValue } from '../../scripts/lib/target-args'
import { parseDuration, parseTenantArgs, type TenantArgs } from '../../scripts/lib/tenant-args'
import { revokeTokens, rotateToken, setStatus, summarize } from '../../scripts/lib/tenant-commands'
import { purgeChunkSql, tenantTables } from '../../scripts/lib/tenant-purge'
import type { WranglerClient } from '../../scripts/lib/wrangler'
import { type TenantRecord, tenantKey } from '../../src/tenancy/tenant-record'
import { hashToken } from '../../src/tenancy/token'

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

  it('deletes in bounded chunks and counts each one', () => {
    const sql = purgeChunkSql('acme', ['users', 'groups'], 5000)
    expect(sql).toBe(
      "DELETE FROM users WHERE rowid IN (SELECT rowid FROM users WHERE tenant_id = 'acme' LIMIT 5000); SELECT changes() AS deleted; " +
        "DELETE FROM groups WHERE rowid IN (SELECT rowid FROM groups WHERE tenant_id = 'acme' LIMIT 5000); SELECT changes() AS deleted",
    )
  })

  it('refuses names that could break out of the SQL string', () => {
    expect(() => purgeChunkSql("x' OR '1'='1", ['users'])).toThrow()
    expect(() => purgeChunkSql('acme', ['users; DROP TABLE users'])).toThrow()
  })
})

/** An in-memory KV behind the WranglerClient interface. */
function fakeClient(records: TenantRecord[]): WranglerClient & { kv: Map<string, string> } {
  const kv = new Map(records.map((r) => [tenantKey(r.name), JSON.stringify(r)]))
  return {
    kv,
    target: { remote: false },
    kvGet: async (key) => kv.get(key) ?? null,
    kvPut: async (key, value) => void kv.set(key, value),
    kvList: async (prefix) => [...kv.keys()].filter((k) => k.startsWith(prefix)),
    kvDelete: async (key) => void kv.delete(key),
    d1Execute: async () => [],
    d1MigrationsApply: async () => ({ code: 0, stdout: '', stderr: '' }),
  }
}

const stored = (w: { kv: Map<string, string> }, name: string) =>
  JSON.parse(w.kv.get(tenantKey(name))!) as TenantRecord

async function acme(): Promise<TenantRecord> {
  const hash = await hashToken('old')
  return {
    version: 1,
    name: 'acme',
    status: 'active',
    db: 'DB',
    createdAt: '2026-01-01T00:00:00.000Z',
    tokens: [
      { id: 'tok_a', hash, createdAt: '2026-01-01T00:00:00.000Z' },
      { id: 'tok_b', hash, createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-02T00:00:00.000Z' },
    ],
  }
}

describe('token lifecycle on the record', () => {
  it('rotate without grace removes the old tokens and stores only a hash of the new one', async () => {
    const w = fakeClient([await acme()])
    const issued = await rotateToken(w, { name: 'acme', graceMs: 0, label: 'new' }, () => {})
    const record = stored(w, 'acme')
    expect(record.tokens.map((t) => t.id)).toEqual([issued.tokenId])
    expect(record.tokens[0]!.hash).toBe(await hashToken(issued.token))
    expect(w.kv.get(tenantKey('acme'))).not.toContain(issued.token)
  })

  it('rotate with grace keeps live tokens until the grace ends and drops expired ones', async () => {
    const w = fakeClient([await acme()])
    const before = Date.now()
    const result = await rotateToken(w, { name: 'acme', graceMs: 3_600_000 }, () => {})
    expect(result.removed).toEqual(['tok_b'])
    const kept = stored(w, 'acme').tokens.find((t) => t.id === 'tok_a')!
    expect(Date.parse(kept.expiresAt!) - before).toBeGreaterThanOrEqual(3_600_000 - 5)
    expect(Date.parse(kept.expiresAt!) - before).toBeLessThan(3_600_000 + 5_000)
  })

  it('revoke removes one token or all, and reports an unknown id', async () => {
    const w = fakeClient([await acme()])
    expect(await revokeTokens(w, 'acme', 'tok_a')).toEqual(['tok_a'])
    await expect(revokeTokens(w, 'acme', 'tok_a')).rejects.toThrow('has no token tok_a')
    expect(await revokeTokens(w, 'acme')).toEqual(['tok_b'])
    expect(stored(w, 'acme').tokens).toEqual([])
  })

  it('suspend and resume change the status once', async () => {
    const w = fakeClient([await acme()])
    expect(await setStatus(w, 'acme', 'suspended')).toBe(true)
    expect(await setStatus(w, 'acme', 'suspended')).toBe(false)
    expect(stored(w, 'acme').status).toBe('suspended')
    await expect(setStatus(w, 'ghost', 'active')).rejects.toThrow('does not exist')
  })

  it('list summaries carry no hashes', async () => {
    const summary = summarize(await acme(), new Date('2026-01-01T12:00:00.000Z'))
    expect(JSON.stringify(summary)).not.toContain('hash')
    expect(summary.tokens.map((t) => t.expired)).toEqual([false, false])
  })
})
