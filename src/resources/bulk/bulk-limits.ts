import { CALLS_BEFORE_HANDLER, CALLS_PER_DELIVERY_PAGE, type Limits } from '../../limits'

/** RFC 7644 §3.7.4 — the most operations any BulkRequest may carry, whatever the query budget allows. */
export const MAX_BULK_OPERATIONS = 1000

/** RFC 7644 §3.7.4 — the largest BulkRequest body in bytes (ServiceProviderConfig `bulk.maxPayloadSize`). */
export const MAX_BULK_PAYLOAD_BYTES = 1024 * 1024

/** D1 round trips an operation needs at most when each depends on the one before: its wave's read and write. */
const ROUND_TRIPS_PER_OPERATION = 2

/**
 * The D1 round trips a /Bulk request may make: MAX_QUERIES_PER_INVOCATION less the calls before the
 * handler and one page of event delivery (the rest of the events go with the cron).
 */
export const bulkQueryBudget = (limits: Limits) =>
  limits.queriesPerInvocation - CALLS_BEFORE_HANDLER - CALLS_PER_DELIVERY_PAGE

/**
 * `bulk.maxOperations` (RFC 7644 §3.7.4), advertised and enforced: as many operations as the query
 * budget runs even when every operation waits for the one before (1,000 PATCHes of one user), so a
 * request within it is never cut short by the budget unless a batch fails and is re-run.
 */
export const maxBulkOperations = (limits: Limits) =>
  Math.max(1, Math.min(MAX_BULK_OPERATIONS, Math.floor(bulkQueryBudget(limits) / ROUND_TRIPS_PER_OPERATION)))
