import type { PaginationFeatures } from '../discovery/render'

/**
 * The largest page, RFC 7644 §3.4.2.4: a larger `count` is clamped to it. ServiceProviderConfig
 * advertises it both as `filter.maxResults` (RFC 7643 §5) and `pagination.maxPageSize` (RFC 9865 §4).
 * A thousand users with their JSON stay far below D1's response and Worker memory limits.
 */
export const MAX_PAGE_SIZE = 1000

/** The page size when a request gives no `count`, RFC 7644 §3.4.2.4 and RFC 9865 §4 `defaultPageSize`. */
export const DEFAULT_PAGE_SIZE = 100

/** Seconds a cursor stays valid after it was issued, RFC 9865 §4 `cursorTimeout`. */
export const CURSOR_TIMEOUT_SECONDS = 3600

/**
 * Bound parameters the compiled filters of one statement may use. D1 allows 100 a statement; the
 * rest of a list statement (tenant, cursor position, limit, offset) needs fewer than 20.
 */
export const MAX_FILTER_PARAMETERS = 80

/**
 * The height a compiled filter's SQL condition may have. SQLite (and so D1) refuses expression trees
 * deeper than 100; the list statements put the filter under two or three more levels (the tenant
 * and keyset conditions), and the leaf heights the compiler assumes are upper bounds.
 */
export const MAX_FILTER_SQL_DEPTH = 90

/** The `pagination` of ServiceProviderConfig, RFC 9865 §4; cursors only when their secret is configured. */
export function paginationFeatures(cursorSupported: boolean): PaginationFeatures {
  return {
    cursor: cursorSupported,
    index: true,
    // RFC 9865 §2.4 — servers that had index paging keep it as the default.
    defaultPaginationMethod: 'index',
    defaultPageSize: DEFAULT_PAGE_SIZE,
    maxPageSize: MAX_PAGE_SIZE,
    cursorTimeout: CURSOR_TIMEOUT_SECONDS,
  }
}
