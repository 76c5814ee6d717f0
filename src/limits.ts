/**
 * The cost model's bounds (issue #12): every one is a Worker var (wrangler.toml `[vars]` and
 * `[env.production.vars]`), documented in README "Limits", and advertised where SCIM has a place.
 * An absent or malformed var falls back to its default, so a typo never lifts a bound.
 */
export interface Limits {
  /** Groups in the longest chain of nested groups (a group with only users in it is 1). */
  readonly groupNestingDepth: number
  /** Groups directly inside one group. */
  readonly nestedGroupsPerGroup: number
  /** `groups` elements of the users on one page (or `members` of its groups); a page stops before exceeding it. */
  readonly computedElementsPerPage: number
  /** Elements of one multi-valued attribute of a resource (emails, phoneNumbers, …; members per request). */
  readonly multiValuedElements: number
  /** D1 queries, KV reads and rate-limiter calls one /Bulk invocation may spend (D1's 1,000 a Worker invocation). */
  readonly queriesPerInvocation: number
}

export type LimitVars = Partial<
  Record<
    | 'MAX_GROUP_NESTING_DEPTH'
    | 'MAX_NESTED_GROUPS_PER_GROUP'
    | 'MAX_COMPUTED_ELEMENTS_PER_PAGE'
    | 'MAX_MULTI_VALUED_ELEMENTS'
    | 'MAX_QUERIES_PER_INVOCATION',
    string
  >
>

export const DEFAULT_LIMITS: Limits = {
  groupNestingDepth: 32,
  nestedGroupsPerGroup: 1000,
  computedElementsPerPage: 10_000,
  multiValuedElements: 1000,
  queriesPerInvocation: 1000,
}

const positive = (text: string | undefined, fallback: number) => {
  const n = Number(text)
  return text !== undefined && Number.isSafeInteger(n) && n > 0 ? n : fallback
}

/** The limits the Worker's vars set. */
export function limitsOf(vars: LimitVars): Limits {
  return {
    groupNestingDepth: positive(vars.MAX_GROUP_NESTING_DEPTH, DEFAULT_LIMITS.groupNestingDepth),
    nestedGroupsPerGroup: positive(vars.MAX_NESTED_GROUPS_PER_GROUP, DEFAULT_LIMITS.nestedGroupsPerGroup),
    computedElementsPerPage: positive(
      vars.MAX_COMPUTED_ELEMENTS_PER_PAGE,
      DEFAULT_LIMITS.computedElementsPerPage,
    ),
    multiValuedElements: positive(vars.MAX_MULTI_VALUED_ELEMENTS, DEFAULT_LIMITS.multiValuedElements),
    queriesPerInvocation: positive(vars.MAX_QUERIES_PER_INVOCATION, DEFAULT_LIMITS.queriesPerInvocation),
  }
}

/** Calls of every authenticated invocation before its handler: the tenant's KV read and the rate limiter. */
export const CALLS_BEFORE_HANDLER = 2

/** Calls of change-event delivery after a write: a `sendBatch` per page of events and queue (two queues)… */
export const QUEUE_SENDS_PER_DELIVERY_PAGE = 2
/** …and one D1 statement marking every event sent delivered, however many pages (nothing is read back). */
export const DELIVERY_MARK_CALLS = 1
/** Calls of delivering one page of events after a write: what /Bulk's query budget keeps for it. */
export const CALLS_PER_DELIVERY_PAGE = QUEUE_SENDS_PER_DELIVERY_PAGE + DELIVERY_MARK_CALLS
