/**
 * What Directory (Workers RPC) takes and returns: the SCIM representation (RFC 7643) as plain
 * objects, the same JSON the SCIM API answers. A consumer Worker imports these types only.
 */
import type { FeedEvent, FeedPage, FeedQuery } from '../events/feed'

export type { SecurityEventToken } from '../ops/set-payload'
export type { FeedEvent, FeedPage }

/**
 * Values of attributes: SCIM nests at most a complex attribute in an extension, and multi-valued
 * attributes hold scalars or complex values. Not a recursive JSON type and never `unknown`: the
 * Workers RPC types turn either into `never` (or an endless instantiation) for the caller.
 */
export type Scalar = string | number | boolean | null
export type ComplexValue = { readonly [subAttribute: string]: Scalar | undefined }
export type AttributeValue = Scalar | ComplexValue | readonly (Scalar | ComplexValue)[]
/** The attributes of an extension schema, under its URN. */
export type ExtensionValue = { readonly [attribute: string]: AttributeValue | undefined }

/** The `props` of a service binding to Directory: the tenants that binding may read. */
export interface DirectoryProps {
  readonly tenants: readonly string[] | '*'
}

/** Every method accepts it: a D1 bookmark (from a change event or a feed page) the read must be at least as new as. */
export interface ReadOptions {
  readonly bookmark?: string
}

export type ScimMeta = {
  readonly resourceType: 'User' | 'Group'
  readonly created: string
  readonly lastModified: string
  /** The resource's URL on the tenant's SCIM host. */
  readonly location: string
  /** The ETag, `W/"<version>"`. */
  readonly version: string
}

export type MultiValued = {
  readonly value?: string
  readonly display?: string
  readonly type?: string
  readonly primary?: boolean
}

/** A user's group, RFC 7643 §4.1.2: `direct`, or `indirect` through nested groups. */
export type GroupOfUser = {
  readonly value: string
  readonly $ref: string
  readonly display: string
  readonly type: 'direct' | 'indirect'
}

/** A direct member of a group, RFC 7643 §4.2. */
export type GroupMember = {
  readonly value: string
  readonly $ref: string
  readonly type: 'User' | 'Group'
  readonly display?: string
}

/** A user as the SCIM API returns it; extension attributes sit under their schema URN. */
export type ScimUser = {
  readonly schemas: readonly string[]
  readonly id: string
  readonly externalId?: string
  readonly userName: string
  readonly name?: Readonly<Record<string, string>>
  readonly displayName?: string
  readonly active?: boolean
  readonly emails?: readonly MultiValued[]
  /** Direct and indirect groups; absent when the user is in none. */
  readonly groups?: readonly GroupOfUser[]
  readonly meta: ScimMeta
  readonly [attribute: string]: AttributeValue | ExtensionValue | undefined
}

/** A group without its `members`: page them with `groupMembers` (a group may have millions). */
export type ScimGroup = {
  readonly schemas: readonly string[]
  readonly id: string
  readonly externalId?: string
  readonly displayName: string
  readonly meta: ScimMeta
  readonly [attribute: string]: AttributeValue | ExtensionValue | undefined
}

/** A list query: the SCIM filter grammar, sorting and paging of `GET /Users` (RFC 7644 §3.4.2, RFC 9865). */
export interface ListOptions extends ReadOptions {
  readonly filter?: string
  readonly sortBy?: string
  readonly sortOrder?: 'ascending' | 'descending'
  /** 0 to 1000 (default 100); 0 answers `totalResults` only. */
  readonly count?: number
  /** Cursor paging: `''` for the first page, then `nextCursor` / `previousCursor`. */
  readonly cursor?: string
  /** Index paging (1-based), when no cursor is given. */
  readonly startIndex?: number
}

export interface ListResult<T> {
  readonly totalResults: number
  readonly itemsPerPage: number
  readonly startIndex?: number
  readonly nextCursor?: string
  readonly previousCursor?: string
  readonly Resources: T[]
}

export interface MembersOptions extends ReadOptions {
  /** 1 to 1000, default 100. */
  readonly count?: number
  /** A `nextCursor` of the previous page. */
  readonly cursor?: string
}

export interface MembersPage {
  readonly members: GroupMember[]
  readonly nextCursor?: string
}

export interface ChangesOptions extends FeedQuery, ReadOptions {}
