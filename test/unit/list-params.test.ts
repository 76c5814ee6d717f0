import { Hono } from 'hono'
import { describe, it } from 'vitest'
import { handleError } from '../../src/http/error-handler'
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../src/query/limits'
import {
  listParamsFromQuery,
  listQueryValidator,
  parseListQuery,
  parseSearchRequest,
} from '../../src/query/list-params'

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest'
const DEFAULTS = { sortOrder: 'ascending', startIndex: 1, count: DEFAULT_PAGE_SIZE }

describe('GET query parameters (RFC 7644 §3.4.2)', () => {
  it.for([
    [{}, DEFAULTS],
    [{ startIndex: '0' }, DEFAULTS],
    [{ startIndex: '-7' }, DEFAULTS],
    [
      { startIndex: '101', count: '100' },
      { ...DEFAULTS, startIndex: 101, count: 100 },
    ],
    [{ count: '0' }, { ...DEFAULTS, count: 0 }],
    [{ count: '-1' }, { ...DEFAULTS, count: 0 }],
    [{ count: '5000' }, { ...DEFAULTS, count: MAX_PAGE_SIZE }],
    [{ count: ' 7 ' }, { ...DEFAULTS, count: 7 }],
    [{ count: '', startIndex: '' }, DEFAULTS],
    [
      { sortBy: 'userName', sortOrder: 'DESCENDING' },
      { ...DEFAULTS, sortBy: 'userName', sortOrder: 'descending' },
    ],
    [{ cursor: '' }, { ...DEFAULTS, cursor: '' }],
    [
      { attributes: 'id,userName', excludedAttributes: 'groups' },
      { ...DEFAULTS, attributes: 'id,userName', excludedAttributes: 'groups' },
    ],
    [
      { filter: 'userName eq "a"', foo: 'ignored' },
      { ...DEFAULTS, filter: 'userName eq "a"' },
    ],
  ] as const)('%j', ([query, expected], { expect }) => {
    expect(parseListQuery(query)).toEqual(expected)
  })

  it.for([
    [{ count: 'ten' }, 'invalidCount'],
    [{ count: '1.5' }, 'invalidCount'],
    [{ startIndex: '1e3' }, 'invalidValue'],
    [{ count: ['1', '2'] }, 'invalidCount'],
    [{ filter: ['a', 'b'] }, 'invalidValue'],
    [{ sortOrder: 'up' }, 'invalidValue'],
    [{ filter: '  ' }, 'invalidFilter'],
    [{ cursor: 'x', startIndex: '1' }, 'invalidValue'],
  ] as const)('rejects %j with 400 %s', ([query, scimType], { expect }) => {
    expect(() => parseListQuery(query as Record<string, string | string[]>)).toThrow(
      expect.objectContaining({ status: 400, scimType }),
    )
  })

  it('decodes + as a space and answers errors as SCIM errors, through the zod validator', async ({
    expect,
  }) => {
    const app = new Hono()
    app.onError(handleError as never)
    app.get('/', listQueryValidator, (c) => c.json(listParamsFromQuery(c.req.valid('query'))))
    const ok = await app.request('/?filter=userName+eq+%22jane.doe%40example.com%22&startIndex=1&count=100')
    expect(await ok.json()).toEqual({ ...DEFAULTS, filter: 'userName eq "jane.doe@example.com"' })
    const bad = await app.request('/?count=many')
    expect(bad.status).toBe(400)
    expect(bad.headers.get('content-type')).toContain('application/scim+json')
    expect(await bad.json()).toMatchObject({
      scimType: 'invalidCount',
      detail: 'Query parameter "count" must be an integer',
    })
  })
})

describe('SearchRequest bodies (RFC 7644 §3.4.3, RFC 9865 §3)', () => {
  it('reads the same parameters, attribute lists as arrays and nulls as absent', ({ expect }) => {
    expect(
      parseSearchRequest({
        schemas: [SEARCH],
        attributes: ['displayName', 'userName'],
        excludedAttributes: null,
        filter: 'displayName sw "smith"',
        sortBy: null,
        startIndex: null,
        count: '10',
        cursor: '',
      }),
    ).toEqual({
      ...DEFAULTS,
      attributes: 'displayName,userName',
      filter: 'displayName sw "smith"',
      count: 10,
      cursor: '',
    })
  })

  it('applies the startIndex and count rules to body values', ({ expect }) => {
    expect(parseSearchRequest({ schemas: [SEARCH], startIndex: -3, count: 100_000 })).toEqual({
      ...DEFAULTS,
      count: MAX_PAGE_SIZE,
    })
  })

  it.for([
    [{}, 'invalidSyntax'],
    [{ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'] }, 'invalidSyntax'],
    [{ schemas: [SEARCH], count: 1.5 }, 'invalidCount'],
    [{ schemas: [SEARCH], startIndex: 'one' }, 'invalidValue'],
    [{ schemas: [SEARCH], attributes: 3 }, 'invalidValue'],
    [{ schemas: [SEARCH], filter: 7 }, 'invalidValue'],
  ] as const)('rejects %j with 400 %s', ([body, scimType], { expect }) => {
    expect(() => parseSearchRequest(body)).toThrow(expect.objectContaining({ status: 400, scimType }))
  })
})
