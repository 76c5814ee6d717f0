import { describe, expect, it } from 'vitest'
import { parseDirectoryError, toDirectoryError } from '../../src/directory/directory-error'
import { FeedError } from '../../src/events/feed'
import { ScimError } from '../../src/http/scim-error'

describe('Directory errors: the code travels in the message, as RPC keeps only that', () => {
  it('turns SCIM and feed errors into coded messages and reads them back', () => {
    const filter = toDirectoryError(ScimError.invalidFilter('The filter is empty'))
    expect(parseDirectoryError(filter)).toEqual({ code: 'invalidFilter', detail: 'The filter is empty' })
    const expired = toDirectoryError(
      new FeedError('positionExpired', 'Events after position 3 were pruned', '17'),
    )
    expect(parseDirectoryError(expired)).toMatchObject({ code: 'positionExpired', oldestPosition: '17' })
    const kv = toDirectoryError(new ScimError(503, 'The token store is temporarily unavailable; retry later'))
    expect(parseDirectoryError(kv)?.code).toBe('unavailable')
  })

  it('leaves other errors as they are and parses nothing from them', () => {
    const internal = new Error('D1_ERROR: something')
    expect(toDirectoryError(internal)).toBe(internal)
    expect(parseDirectoryError(new Error('no code here'))).toBeUndefined()
    expect(parseDirectoryError('tenantNotFound: a string is no error')).toBeUndefined()
  })
})
