import { type CursorEnds, PAGE } from './bench-cases'
import type { Log, ScimClient } from './bench-client'

/** Pages of the walk to the end: the largest page, so that 100,000 users take 100 requests. */
const WALK_PAGE = 1000

interface CursorPage {
  itemsPerPage: number
  nextCursor?: string
}

// The walk is set-up, not a measurement: it leaves out each user's groups, whose read is slow on big
// directories (see the README's "Performance"); a cursor is not bound to the projection.
const WALK_TIMEOUT_MS = 120_000

async function page(api: ScimClient, cursor: string, count: number): Promise<CursorPage> {
  const path = `/Users?cursor=${encodeURIComponent(cursor)}&count=${count}&excludedAttributes=groups`
  const answer = await api.expect(200, 'GET', path, undefined, WALK_TIMEOUT_MS)
  return answer.json as CursorPage
}

/**
 * Follows `nextCursor` to the last page of PAGE users (RFC 9865): WALK_PAGE at a time while more
 * follow, then PAGE at a time from the last big page's cursor (a cursor is bound to the filter and
 * sort, not to `count`). Answers the cursor of the last page, to be timed; also proves that the
 * walk reaches every user exactly once.
 */
export async function walkToLastPage(api: ScimClient, users: number, log: Log): Promise<CursorEnds> {
  let cursor = ''
  let seen = 0
  let requests = 0
  for (;;) {
    const big = await page(api, cursor, WALK_PAGE)
    requests++
    if (!big.nextCursor) break
    seen += big.itemsPerPage
    cursor = big.nextCursor
  }
  // `cursor` now fetches the last WALK_PAGE page; walk it again by PAGE.
  for (;;) {
    const small = await page(api, cursor, PAGE)
    requests++
    if (!small.nextCursor) {
      seen += small.itemsPerPage
      if (seen !== users) throw new Error(`The cursor walk saw ${seen} users, not ${users}`)
      log(`  cursor walk: ${requests} requests to the last page (${small.itemsPerPage} users)`)
      return { lastPageCursor: cursor, lastPageItems: small.itemsPerPage }
    }
    seen += small.itemsPerPage
    cursor = small.nextCursor
  }
}
