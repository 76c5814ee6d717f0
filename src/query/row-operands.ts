import { type SQL, sql } from 'drizzle-orm'
import type { AttributePath } from '../filter/ast'
import type { AttributeDefinition, ResourceTypeDefinition } from '../schema/attribute'
import { absentOperand, jsonOperand, jsonPath, jsonPresent, type Operand } from './compare-sql'

/** The resource rows a filter is compiled against: `users` or `groups` under `alias`, in one tenant. */
export interface FilterTarget {
  readonly resourceType: ResourceTypeDefinition
  /** SQL alias of the row (`u`, `g`); a constant of ours, never request input. */
  readonly alias: string
  readonly tenantId: string
  /** The tenant's SCIM base URL, from which `meta.location` and `$ref` values are derived. */
  readonly baseUrl: string
}

/** The row's column or expression `name` under the target's alias. */
export function column(target: FilterTarget, name: string): SQL {
  if (!/^[a-z_][a-z0-9_]*$/.test(target.alias)) throw new TypeError(`Unsafe SQL alias ${target.alias}`)
  return sql.raw(`${target.alias}.${name}`)
}

export const isUserTarget = (target: FilterTarget) => target.resourceType.name === 'User'

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/** Whether the target's resource type has the schema of `path` (at the root, a path may be another type's). */
export const hasSchema = (target: FilterTarget, schema: string) =>
  same(target.resourceType.schema, schema) ||
  target.resourceType.schemaExtensions.some((e) => same(e.schema, schema))

/** Whether `path` is the core attribute `name` of the target's own resource type. */
export const isCore = (target: FilterTarget, path: AttributePath, name: string) =>
  same(path.schema, target.resourceType.schema) && same(path.attribute.name, name)

/** The JSON document keys of an attribute: extension attributes live under their schema URN (RFC 7643 §3.3). */
export function jsonKeys(target: FilterTarget, path: AttributePath): string[] {
  const core = same(path.schema, target.resourceType.schema)
  return core ? [path.attribute.name] : [path.schema, path.attribute.name]
}

/** The case-folded JSON of the row; caseExact attributes are stored unchanged in it. */
export const foldedDocument = (target: FilterTarget) => column(target, 'resource_folded')

const columnOperand = (value: SQL, definition: AttributeDefinition, indexed: boolean): Operand => ({
  value,
  present: sql`${value} <> ''`,
  definition,
  indexed,
})

/** Indexed columns of both tables (the `*_folded` ones hold foldCase of caseExact: false values). */
const SHARED_COLUMNS: Record<string, string> = {
  id: 'id',
  externalid: 'external_id',
  displayname: 'display_name_folded',
  'meta.created': 'created',
  'meta.lastmodified': 'last_modified',
}
const USER_COLUMNS: Record<string, string> = { username: 'user_name_folded', active: 'active' }

/** `meta` sub-attributes that are not stored but derived from the row, as the renderer derives them. */
function derivedMeta(target: FilterTarget, name: string): SQL | undefined {
  const endpoint = sql.raw(isUserTarget(target) ? `'/Users/'` : `'/Groups/'`)
  switch (name) {
    case 'resourcetype':
      return sql.raw(isUserTarget(target) ? `'User'` : `'Group'`)
    case 'location':
      return sql`(${target.baseUrl} || ${endpoint} || ${column(target, 'id')})`
    case 'version':
      return sql`('W/"' || ${column(target, 'version')} || '"')`
    default:
      return undefined
  }
}

/**
 * The operand of a single-valued attribute or sub-attribute of the target row: an indexed column
 * where the table has one, a value derived from the row for `meta`, otherwise the value in
 * `resource_folded` (RFC 7644 §3.4.2.2). An attribute of another resource type is absent.
 */
export function rowOperand(path: AttributePath, target: FilterTarget): Operand {
  const definition = path.subAttribute ?? path.attribute
  if (!hasSchema(target, path.schema)) return absentOperand(definition)
  if (same(path.schema, target.resourceType.schema)) {
    const name =
      `${path.attribute.name}${path.subAttribute ? `.${path.subAttribute.name}` : ''}`.toLowerCase()
    const stored = SHARED_COLUMNS[name] ?? (isUserTarget(target) ? USER_COLUMNS[name] : undefined)
    if (stored) return columnOperand(column(target, stored), definition, stored !== 'active')
    if (name === 'meta') return { value: sql`NULL`, present: sql`1`, definition }
    const derived = name.startsWith('meta.') ? derivedMeta(target, name.slice(5)) : undefined
    if (derived) return { value: derived, present: sql`1`, definition }
  }
  const keys = [...jsonKeys(target, path), ...(path.subAttribute ? [path.subAttribute.name] : [])]
  return jsonOperand(foldedDocument(target), jsonPath(...keys), definition)
}

/** Whether a multi-valued attribute has at least one element (`emails pr`, `members pr`). */
export function listPresent(path: AttributePath, target: FilterTarget): SQL {
  if (!hasSchema(target, path.schema)) return sql`0`
  const membership = sql`SELECT 1 FROM group_members gm WHERE gm.tenant_id = ${target.tenantId}`
  if (isCore(target, path, 'members') && !isUserTarget(target)) {
    return sql`EXISTS (${membership} AND gm.group_id = ${column(target, 'id')})`
  }
  if (isCore(target, path, 'groups') && isUserTarget(target)) {
    return sql`EXISTS (${membership} AND gm.member_id = ${column(target, 'id')})`
  }
  return jsonPresent(foldedDocument(target), jsonPath(...jsonKeys(target, path)))
}
