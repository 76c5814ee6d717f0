import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CliError } from '../../scripts/lib/cli-error'
import { type EventsArgs, parseEventsArgs, parseSince } from '../../scripts/lib/events-args'
import { formatEvent, pageSql, tailSql, toEventRecord } from '../../scripts/lib/events-query'

const NOW = new Date('2026-05-14T12:00:00.000Z')
const parse = (line: string) => parseEventsArgs(line.split(' ').filter(Boolean), NOW) as EventsArgs
const rejection = (line: string) => {
  try {
    parseEventsArgs(line.split(' ').filter(Boolean), NOW)
  } catch (error) {
    expect(error).toBeInstanceOf(CliError)
    return (error as CliError).message
  }
  throw new Error(`expected ${line} to be rejected`)
}

describe('parseEventsArgs', () => {
  it('defaults to the last events, locally, once, for people', () => {
    expect(parse('acme')).toEqual({
      tenant: 'acme',
      target: { remote: false, persistTo: undefined, env: undefined },
      follow: false,
      json: false,
    })
  })

  it('takes --since, --follow (-f), --json and the target options', () => {
    expect(parse('acme --since 15m -f --json --persist-to .state')).toEqual({
      tenant: 'acme',
      target: { remote: false, persistTo: resolve('.state'), env: undefined },
      since: '2026-05-14T11:45:00.000Z',
      follow: true,
      json: true,
    })
    expect(parse('acme --remote').target).toEqual({ remote: true, persistTo: undefined, env: 'production' })
  })

  it('asks for help without a tenant or with --help', () => {
    expect(parseEventsArgs([], NOW)).toBe('help')
    expect(parseEventsArgs(['acme', '--help'], NOW)).toBe('help')
  })

  it('refuses what it cannot act on, saying what to do', () => {
    expect(rejection('Acme')).toBe('"Acme" is not a valid tenant name')
    expect(rejection('acme extra')).toBe('Unexpected argument "extra"')
    expect(rejection('acme --local --remote')).toBe('Choose one of --local and --remote')
    expect(rejection('acme --since')).toMatch(/--since/)
    expect(rejection('acme --tail 5')).toMatch(/Unknown option '--tail'/)
  })
})

describe('parseSince', () => {
  it.each([
    ['30s', '2026-05-14T11:59:30.000Z'],
    ['7d', '2026-05-07T12:00:00.000Z'],
    ['2026-05-14T09:00:00Z', '2026-05-14T09:00:00.000Z'],
    ['2026-05-14T11:00+02:00', '2026-05-14T09:00:00.000Z'],
    ['2026-05-13', '2026-05-13T00:00:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseSince(text, NOW)).toBe(iso)
  })

  it.each(['yesterday', '2026-05-14T09:00', '2026-13-40', '1w', "1h' OR 1=1"])('rejects %j', (text) => {
    expect(() => parseSince(text, NOW)).toThrow(CliError)
  })
})

describe('events queries and output', () => {
  it('reads the last events oldest first, and pages forward by seq from --since', () => {
    expect(tailSql('acme')).toMatch(/WHERE tenant_id = 'acme'\s+ORDER BY seq DESC LIMIT 20\) ORDER BY seq$/)
    expect(pageSql('acme', 42, '2026-05-14T09:00:00.000Z')).toMatch(
      /WHERE tenant_id = 'acme' AND seq > 42 AND occurred_at >= '2026-05-14T09:00:00.000Z'\s+ORDER BY seq LIMIT 500$/,
    )
    expect(pageSql("o'brien", 0)).toContain("tenant_id = 'o''brien' AND seq > 0\n")
  })

  it('prints a line per event: time, operation, resource, version, delivery, token and change', () => {
    const row = {
      seq: 7,
      id: 'e1',
      resourceType: 'Group',
      resourceId: 'g1',
      operation: 'membersAdded',
      attributes: '["members"]',
      memberIds: '["u1","u2"]',
      version: 3,
      occurredAt: '2026-05-14T10:00:00.000Z',
      tokenId: 'tok_1',
      deliveredAt: null,
    }
    const event = toEventRecord(row)
    expect(event).toMatchObject({ attributes: ['members'], memberIds: ['u1', 'u2'], deliveredAt: null })
    expect(formatEvent(event)).toBe(
      '2026-05-14T10:00:00.000Z  membersAdded    Group g1  v3  pending    by tok_1  +2 members',
    )
    expect(
      formatEvent(
        toEventRecord({
          ...row,
          operation: 'patched',
          memberIds: null,
          attributes: '["title","active"]',
          deliveredAt: 'x',
        }),
      ),
    ).toBe('2026-05-14T10:00:00.000Z  patched         Group g1  v3  delivered  by tok_1  title, active')
  })
})
