import type { SQL } from 'drizzle-orm'
import { runBatch } from '../db/batch'
import type { GroupOfUser } from '../db/group-graph'
import { type MemberOfGroup, selectMembersOfGroups, toStored } from '../db/resource-store'
import type { TenantReader } from '../env'
import { parseFilter } from '../filter/parser'
import { parseAttributeList, projectResource, wantsAttribute } from '../projection/project'
import { type Computed, renderResource } from '../resources/render'
import type { SchemaRegistry } from '../schema/registry'
import { LIST_RESPONSE } from '../schema/urns'
import { checkParameterBudget, compileFilter, isIndexedLookup } from './compile-filter'
import { type CursorBinding, type CursorPosition, cursorsDisabled, openCursor, sealCursor } from './cursor'
import type { ListParams } from './list-params'
import { ALIASES, type Arm, countQuery, type PageWindow, pageIdsQuery, pageQuery } from './list-sql'
import { groupsOfPage, selectGroupsOfPage } from './page-groups'
import { type RowPosition, resolveSortBy, type SortValue, sortKeyOf } from './sort'

/** What a list request searches: one resource type, or both at the root (RFC 7644 §3.4.3 `POST /.search`). */
export type ListScope = 'User' | 'Group' | 'root'

/** RFC 7644 §3.4.2 ListResponse, with RFC 9865's cursors. */
export interface ListResponse {
  schemas: [typeof LIST_RESPONSE]
  totalResults: number
  itemsPerPage: number
  startIndex?: number
  nextCursor?: string
  previousCursor?: string
  Resources: Record<string, unknown>[]
}

type Row = Record<string, unknown>

/**
 * At the root a filter or sortBy may name an attribute of only one resource type (`userName`);
 * for the other type the path resolves to the first type's schema, which that type does not have,
 * so the compiler treats it as absent there (it never matches, `ne` always does).
 */
function acrossTypes(registry: SchemaRegistry): SchemaRegistry {
  return {
    ...registry,
    resolve: (resourceType, path) =>
      registry.resolve(resourceType, path) ??
      registry.resourceTypes.map((other) => registry.resolve(other, path)).find((p) => p !== undefined),
  }
}

/**
 * The resource types a request searches, each with its compiled filter, sort key and projection
 * (RFC 7644 §3.4.2); throws `invalidFilter` for a filter that does not parse or is too complex.
 */
export function listArms(
  tenant: Pick<TenantReader, 'name' | 'registry' | 'baseUrl'>,
  scope: ListScope,
  params: ListParams,
): Arm[] {
  const kinds = scope === 'root' ? (['User', 'Group'] as const) : [scope]
  const registry = scope === 'root' ? acrossTypes(tenant.registry) : tenant.registry
  const resourceTypes = kinds.map((kind) => {
    const resourceType = tenant.registry.resourceType(kind)
    if (!resourceType) throw new TypeError(`No ${kind} resource type in the registry`)
    return resourceType
  })
  const sortPaths = params.sortBy ? resolveSortBy(params.sortBy, registry, resourceTypes) : []
  const arms = resourceTypes.map((resourceType, i): Arm => {
    const kind = kinds[i] as 'User' | 'Group'
    const target = { resourceType, alias: ALIASES[kind], tenantId: tenant.name, baseUrl: tenant.baseUrl }
    const filter =
      params.filter === undefined ? undefined : parseFilter(params.filter, registry, resourceType)
    return {
      kind,
      resourceType,
      target,
      filter: filter && compileFilter(filter, target),
      key: sortKeyOf(sortPaths[i], target),
      indexedLookup: filter !== undefined && isIndexedLookup(filter, target),
      projection: {
        attributes: parseAttributeList(params.attributes, tenant.registry, resourceType),
        excludedAttributes: parseAttributeList(params.excludedAttributes, tenant.registry, resourceType),
      },
    }
  })
  checkParameterBudget(...arms.flatMap((arm) => (arm.filter ? [arm.filter] : [])))
  return arms
}

/** The page to read: by offset (startIndex), or by keyset after a cursor's row, one row more to see what follows. */
interface Plan {
  readonly window: PageWindow
  readonly cursor?: {
    readonly binding: CursorBinding
    readonly position: CursorPosition
    readonly secret: string
  }
}

async function planOf(
  tenant: Pick<TenantReader, 'name'>,
  scope: ListScope,
  params: ListParams,
  secret: string | undefined,
): Promise<Plan> {
  const ascending = params.sortOrder === 'ascending'
  if (params.cursor === undefined) {
    return { window: { ascending, limit: params.count, offset: params.startIndex - 1 } }
  }
  if (secret === undefined) throw cursorsDisabled()
  const binding: CursorBinding = {
    tenant: tenant.name,
    resourceType: scope,
    filter: params.filter,
    sortBy: params.sortBy,
    sortOrder: params.sortOrder,
  }
  // RFC 9865 §2 — an empty cursor asks for the first page.
  const position =
    params.cursor === '' ? { direction: 'next' as const } : await openCursor(secret, binding, params.cursor)
  // A previous page is read backwards from the first row of the page the client is on.
  const forward = position.direction === 'next'
  const window = {
    ascending: forward === ascending,
    after: position.after,
    limit: params.count + 1,
    offset: 0,
  }
  return { window, cursor: { binding, position, secret } }
}

const positionOf = (row: Row): RowPosition => ({ key: (row.sk ?? null) as SortValue, id: String(row.id) })

/** RFC 9865 §2 — `nextCursor` unless this is the last page, `previousCursor` unless it is the first. */
async function cursorsOf(plan: Plan, fetched: Row[], count: number) {
  const cursor = plan.cursor
  if (!cursor || count === 0) return { rows: fetched }
  const { binding, position, secret } = cursor
  const more = fetched.length > count
  const page = fetched.slice(0, count)
  const sign = (direction: 'next' | 'previous', row: Row | undefined) =>
    sealCursor(secret, binding, row ? { direction, after: positionOf(row) } : { direction })
  if (position.direction === 'next') {
    return {
      rows: page,
      nextCursor: more ? await sign('next', page.at(-1)) : undefined,
      previousCursor: position.after && page.length > 0 ? await sign('previous', page[0]) : undefined,
    }
  }
  const rows = page.reverse()
  return {
    rows,
    // Nothing before the cursor's row: the next page is then the first one.
    nextCursor: await sign('next', rows.at(-1)),
    previousCursor: more ? await sign('previous', rows[0]) : undefined,
  }
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>()
  for (const row of rows) {
    const group = map.get(key(row))
    if (group) group.push(row)
    else map.set(key(row), [row])
  }
  return map
}

/**
 * The computed attributes (groups, members) of the fetched rows that the projection wants, and how
 * many rows, from the first, fit in `budget` elements together (at least one): a page stops there,
 * with fewer resources than `count` (RFC 7644 §3.4.2.4 lets itemsPerPage be smaller), so its size
 * and the Worker's work stay bounded whatever the nesting (README "Limits"). `groups` holds only the
 * users that fit (`groupsOfPage`).
 */
function computedOfPage(
  fetched: readonly Row[],
  groups: ReadonlyMap<string, readonly GroupOfUser[]> | undefined,
  members: readonly Row[] | undefined,
  budget: number,
) {
  const computed = new Map<string, Computed>()
  const byGroup = members && groupBy(members as unknown as MemberOfGroup[], (m) => m.groupId)
  let total = 0
  for (const row of fetched) {
    const id = String(row.id)
    // groupsOfPage stopped before this user: the budget is spent.
    if (row.type !== 'Group' && groups && !groups.has(id)) break
    const extra: Computed =
      row.type === 'Group'
        ? byGroup
          ? { members: byGroup.get(id) ?? [] }
          : {}
        : groups
          ? { groups: groups.get(id) ?? [] }
          : {}
    total += (extra.groups ?? extra.members ?? []).length
    if (total > budget && computed.size > 0) break
    computed.set(id, extra)
  }
  return { computed, fitting: computed.size }
}

/**
 * Answers a list or search request, RFC 7644 §3.4.2–3.4.3 and RFC 9865, with ONE D1 batch: the page,
 * `totalResults`, and the computed attributes (a user's groups, a group's members) of the page's
 * rows only when the projection returns them; a second round trip only when the users after the
 * first prove to have fewer groups than its estimate allowed for (`groupsOfPage`). `count=0` reads
 * no rows, only the count.
 */
export async function listResources(
  tenant: TenantReader,
  scope: ListScope,
  params: ListParams,
  cursorSecret: string | undefined,
): Promise<ListResponse> {
  const arms = listArms(tenant, scope, params)
  const plan = await planOf(tenant, scope, params, cursorSecret)
  const db = { tenantId: tenant.name, db: tenant.db, registry: tenant.registry }
  const budget = tenant.limits.computedElementsPerPage
  const statements: SQL[] = [countQuery(arms)]
  const reads: { kind: Arm['kind']; index: number }[] = []
  if (params.count > 0) {
    statements.push(pageQuery(arms, plan.window))
    const idsPage = pageIdsQuery(arms, { ...plan.window, limit: params.count })
    const few = params.count === 1 || arms.every((arm) => arm.indexedLookup)
    for (const arm of arms) {
      const name = arm.kind === 'User' ? 'groups' : 'members'
      if (!wantsAttribute(arm.projection, tenant.registry, arm.resourceType, name)) continue
      reads.push({ kind: arm.kind, index: statements.length })
      statements.push(
        arm.kind === 'User'
          ? selectGroupsOfPage(db, idsPage, budget, few)
          : selectMembersOfGroups(db, idsPage, budget),
      )
    }
  }
  const results = await runBatch(tenant.d1, statements)
  const totalResults = Number(results[0]?.[0]?.total ?? 0)
  const fetched = results[1] ?? []
  const rowsOf = (kind: Arm['kind']) => {
    const read = reads.find((r) => r.kind === kind)
    return read && (results[read.index] ?? [])
  }
  const userRows = rowsOf('User')
  const userIds = fetched
    .slice(0, params.count)
    .filter((row) => row.type !== 'Group')
    .map((row) => String(row.id))
  const groups = userRows && (await groupsOfPage(tenant.d1, db, userRows, userIds, budget))
  const { computed, fitting } = computedOfPage(fetched, groups, rowsOf('Group'), budget)
  // Cut short by the budget: the rows after the last that fits come on the next page.
  const limit = fitting < Math.min(fetched.length, params.count) ? fitting : params.count
  const page = await cursorsOf(plan, fetched.slice(0, limit + 1), limit)
  const { nextCursor, previousCursor } = page
  const Resources = page.rows.slice(0, limit).map((row) => {
    const kind = row.type === 'Group' ? 'Group' : 'User'
    const arm = arms.find((a) => a.kind === kind) as Arm
    const extra = computed.get(String(row.id)) ?? {}
    const full = renderResource(kind, toStored(row), tenant.baseUrl, extra)
    return projectResource(full, arm.projection, tenant.registry, arm.resourceType)
  })
  return {
    schemas: [LIST_RESPONSE],
    totalResults,
    itemsPerPage: Resources.length,
    ...(plan.cursor ? {} : { startIndex: params.startIndex }),
    ...(nextCursor ? { nextCursor } : {}),
    ...(previousCursor ? { previousCursor } : {}),
    Resources,
  }
}
