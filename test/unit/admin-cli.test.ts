import { describe, expect, it } from 'vitest'
import { parseAdminArgs } from '../../scripts/lib/admin-args'

const parse = (line: string) => parseAdminArgs(line.split(' ').filter(Boolean))

describe('npm run admin: arguments', () => {
  it('reads key create, list and revoke with the target options', () => {
    expect(parse('key create --json --label backend')).toEqual({
      action: 'create',
      label: 'backend',
      target: { remote: false, persistTo: undefined, env: undefined },
      json: true,
    })
    expect(parse('key create --remote --json')).toMatchObject({ target: { remote: true, env: 'production' } })
    expect(parse('key list --env staging')).toMatchObject({ action: 'list', target: { env: 'staging' } })
    expect(parse('key revoke key_0123456789abcdef')).toMatchObject({
      action: 'revoke',
      keyId: 'key_0123456789abcdef',
    })
    expect(parse('--help')).toBe('help')
  })

  it.each([
    ['tenant create', 'Unknown command'],
    ['key', 'needs an action'],
    ['key drop', 'needs an action'],
    ['key revoke', 'needs the key id'],
    ['key list extra', 'Unexpected argument'],
    ['key revoke a b', 'Unexpected argument'],
    ['key list --label x', '--label is an option of `key create` only'],
    ['key create --local --remote', 'Choose one of --local and --remote'],
    ['key create --bogus', "Unknown option '--bogus'"],
  ])('rejects %j', (line, message) => {
    expect(() => parse(line)).toThrow(message)
  })
})
