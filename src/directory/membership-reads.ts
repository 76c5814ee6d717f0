/** Membership reads of Directory: a group's members page by page, and transitive membership. */
import { sql } from 'drizzle-orm'
import { runBatch } from '../db/batch'
import type { MemberOfGroup } from '../db/resource-store'
import type { TenantReader } from '../env'
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../query/limits'
import { renderMembers } from '../resources/render'
import { directoryError, stringArgument } from './directory-error'
import type { GroupMember, MembersOptions, MembersPage } from './types'

const base64url = (text: string) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '')

const invalidCursor = () =>
  directoryError('invalidCursor', 'The cursor is not a nextCursor of this group: omit it for the first page')

/** The member id after which a page starts; the cursor names its group so it fits no other. */
function afterOf(groupId: string, cursor: string | undefined): string {
  if (cursor === undefined) return ''
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(
      Uint8Array.from(atob(cursor.replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0)),
    )
    const [group, after] = JSON.parse(text) as unknown[]
    if (group === groupId && typeof after === 'string' && after !== '') return after
  } catch {
    // Falls through to the one answer for every bad cursor.
  }
  throw invalidCursor()
}

function countOf(count: number | undefined): number {
  if (count === undefined) return DEFAULT_PAGE_SIZE
  if (!Number.isInteger(count) || count < 1 || count > MAX_PAGE_SIZE) {
    throw directoryError('invalidCount', `"count" must be an integer from 1 to ${MAX_PAGE_SIZE}`)
  }
  return count
}

/**
 * A page of a group's direct members in id order, or null when the group does not exist. Keyset
 * paging on the (tenant_id, group_id, member_id) key, so every page costs the same however large
 * the group; `selectMembersOfGroups` reads all members at once and cannot page.
 */
export async function groupMembersPage(
  tenant: TenantReader,
  group: unknown,
  options: MembersOptions,
): Promise<MembersPage | null> {
  const groupId = stringArgument('The group id', group)
  const count = countOf(options.count)
  const after = afterOf(groupId, options.cursor)
  const [found = [], rows = []] = await runBatch(tenant.d1, [
    sql`SELECT 1 AS found FROM groups WHERE tenant_id = ${tenant.name} AND id = ${groupId}`,
    sql`SELECT m.group_id AS groupId, m.member_id AS value, m.member_type AS type,
        coalesce(u.display_name, u.user_name, g.display_name) AS display
      FROM group_members m
      LEFT JOIN users u ON m.member_type = 'User' AND u.tenant_id = m.tenant_id AND u.id = m.member_id
      LEFT JOIN groups g ON m.member_type = 'Group' AND g.tenant_id = m.tenant_id AND g.id = m.member_id
      WHERE m.tenant_id = ${tenant.name} AND m.group_id = ${groupId} AND m.member_id > ${after}
      ORDER BY m.member_id LIMIT ${count + 1}`,
  ])
  if (found.length === 0) return null
  const page = rows.slice(0, count) as unknown as MemberOfGroup[]
  const members = renderMembers(page, tenant.baseUrl) as GroupMember[]
  const last = page.at(-1)
  return {
    members,
    ...(rows.length > count && last ? { nextCursor: base64url(JSON.stringify([groupId, last.value])) } : {}),
  }
}

/**
 * Whether the user is a member of the group directly or through nested groups (RFC 7643 §4.1.2).
 * The walk goes up over group ids only (UNION), so it reads each reachable group once however many
 * paths lead there, and `CROSS JOIN` keeps SQLite on the membership index. False when either does
 * not exist.
 */
export async function isMemberOf(tenant: TenantReader, user: unknown, group: unknown): Promise<boolean> {
  const userId = stringArgument('The user id', user)
  const groupId = stringArgument('The group id', group)
  const t = tenant.name
  const [rows = []] = await runBatch(tenant.d1, [
    sql`WITH RECURSIVE reached(id) AS (
        SELECT gm.group_id FROM users u
        CROSS JOIN group_members gm ON gm.tenant_id = u.tenant_id AND gm.member_id = u.id
        WHERE u.tenant_id = ${t} AND u.id = ${userId}
        UNION SELECT gm.group_id FROM reached r
        CROSS JOIN group_members gm ON gm.tenant_id = ${t} AND gm.member_id = r.id
      )
      SELECT 1 AS found FROM reached r CROSS JOIN groups g ON g.tenant_id = ${t} AND g.id = r.id
      WHERE r.id = ${groupId} LIMIT 1`,
  ])
  return rows.length > 0
}
