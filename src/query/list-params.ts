import { zValidator } from '@hono/zod-validator'
import type { Context } from 'hono'
import * as z from 'zod'
import { readJsonObject } from '../http/request-body'
import { ScimError, type ScimType } from '../http/scim-error'
import { SEARCH_REQUEST } from '../schema/urns'
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './limits'

/** The query of a list or `.search` request, normalised by the rules of RFC 7644 §3.4.2 and RFC 9865 §2. */
export interface ListParams {
  readonly filter?: string
  readonly sortBy?: string
  readonly sortOrder: 'ascending' | 'descending'
  /** 1-based; index paging only. */
  readonly startIndex: number
  /** 0 to MAX_PAGE_SIZE; 0 asks for `totalResults` only. */
  readonly count: number
  /** Set for cursor paging (RFC 9865): empty for the first page, else a `nextCursor`/`previousCursor`. */
  readonly cursor?: string
  /** Comma-separated, as `parseAttributeList` takes them. */
  readonly attributes?: string
  readonly excludedAttributes?: string
}

// Offsets beyond this cannot address a row of any tenant and would overflow D1's integer binding.
const MAX_START_INDEX = 2 ** 31 - 1

const single = z.string({ error: 'must be given once' })
const integerText = single.trim().regex(/^[+-]?\d+$/, 'must be an integer')
// `count=` or `startIndex=` with nothing after it is read as not given.
const optionalInteger = z.preprocess(
  (v) => (v === '' ? undefined : v),
  integerText.transform(Number).optional(),
)

const listQuery = z.object({
  filter: single.optional(),
  sortBy: single.optional(),
  sortOrder: single.optional(),
  startIndex: optionalInteger,
  count: optionalInteger,
  cursor: single.optional(),
  attributes: single.optional(),
  excludedAttributes: single.optional(),
})

const bodyInteger = z.union([z.number().int(), integerText.transform(Number)], {
  error: 'must be an integer',
})
const nameList = z
  .union([z.array(z.string()), z.string()], { error: 'must be a list of attribute names' })
  .transform((v) => (Array.isArray(v) ? v.join(',') : v))

/** RFC 7644 §3.4.3 SearchRequest; RFC 9865 §3 adds `cursor`. Nulls read as absent. */
const searchRequest = z.object({
  schemas: z
    .array(z.string(), { error: `must list "${SEARCH_REQUEST}"` })
    .refine(
      (s) => s.some((urn) => urn.toLowerCase() === SEARCH_REQUEST.toLowerCase()),
      `must list "${SEARCH_REQUEST}"`,
    ),
  attributes: nameList.nullish(),
  excludedAttributes: nameList.nullish(),
  filter: z.string().nullish(),
  sortBy: z.string().nullish(),
  sortOrder: z.string().nullish(),
  startIndex: bodyInteger.nullish(),
  count: bodyInteger.nullish(),
  cursor: z.string().nullish(),
})

type RawParams = { [K in keyof z.output<typeof listQuery>]?: z.output<typeof listQuery>[K] | null }

// RFC 9865 §2.1 `invalidCount` for a bad count; `invalidSyntax` for a body that is no SearchRequest.
const SCIM_TYPE_OF: Record<string, ScimType> = { count: 'invalidCount', schemas: 'invalidSyntax' }

function rejectIssues(issues: readonly z.core.$ZodIssue[], where: string): ScimError {
  const [issue] = issues
  const field = String(issue?.path[0] ?? '')
  const scimType = SCIM_TYPE_OF[field] ?? 'invalidValue'
  return new ScimError(400, `${where} "${field}" ${issue?.message ?? 'is invalid'}`, scimType)
}

const clamp = (n: number, min: number, max: number) => Math.min(Math.max(n, min), max)

function sortOrderOf(value: string | undefined | null): 'ascending' | 'descending' {
  if (value === undefined || value === null) return 'ascending'
  const order = value.toLowerCase()
  if (order === 'ascending' || order === 'descending') return order
  throw ScimError.invalidValue(`sortOrder must be "ascending" or "descending", not "${value}"`)
}

/**
 * RFC 7644 §3.4.2.4: startIndex below 1 is 1; a missing count is the default page size, a negative
 * one 0, a larger one the maximum. A filter must not be blank: answering the unfiltered list to a
 * filter the client meant to send would make an identity provider match the wrong resource.
 */
function normalize(raw: RawParams): ListParams {
  if (raw.cursor != null && raw.startIndex != null) {
    throw ScimError.invalidValue(
      'startIndex and cursor select different pagination methods: send one of them',
    )
  }
  if (raw.filter != null && raw.filter.trim() === '') throw ScimError.invalidFilter('The filter is empty')
  const present = <T>(v: T | null | undefined) => (v === null ? undefined : v)
  return {
    filter: present(raw.filter),
    sortBy: present(raw.sortBy) || undefined,
    sortOrder: sortOrderOf(raw.sortOrder),
    startIndex: clamp(raw.startIndex ?? 1, 1, MAX_START_INDEX),
    count: clamp(raw.count ?? DEFAULT_PAGE_SIZE, 0, MAX_PAGE_SIZE),
    cursor: present(raw.cursor),
    attributes: present(raw.attributes),
    excludedAttributes: present(raw.excludedAttributes),
  }
}

/** Parses the query parameters of `GET /Users`, `GET /Groups` (RFC 7644 §3.4.2); unknown ones are ignored. */
export function parseListQuery(query: Record<string, string | string[]>): ListParams {
  const parsed = listQuery.safeParse(query)
  if (!parsed.success) throw rejectIssues(parsed.error.issues, 'Query parameter')
  return normalize(parsed.data)
}

/** Parses a SearchRequest body of `POST …/.search`, RFC 7644 §3.4.3. */
export function parseSearchRequest(body: unknown): ListParams {
  const parsed = searchRequest.safeParse(body)
  if (!parsed.success) throw rejectIssues(parsed.error.issues, 'SearchRequest attribute')
  return normalize(parsed.data)
}

/** Reads and parses the SearchRequest body of a `.search` request (415/400 as `readJsonObject`). */
export async function readSearchRequest(c: Context): Promise<ListParams> {
  return parseSearchRequest(await readJsonObject(c))
}

/**
 * Validates the list query with zod and answers a SCIM error (never zod's raw 400) on failure; the
 * handler normalises `c.req.valid('query')` with `listParamsFromQuery`. Hono decodes `+` as a space.
 */
export const listQueryValidator = zValidator('query', listQuery, (result) => {
  if (!result.success) throw rejectIssues(result.error.issues, 'Query parameter')
})

/** The query as `listQueryValidator` passes it on. */
export type ListQuery = z.output<typeof listQuery>

/** The normalised parameters of a query that passed `listQueryValidator`. */
export const listParamsFromQuery = (query: ListQuery): ListParams => normalize(query)
