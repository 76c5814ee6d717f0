/**
 * The fields `npm run load` tracks on each user: what a POST or PUT body sets (every field: what it
 * omits, it clears) and what the final read-back holds, read by the same functions.
 */
import type { FieldWrite } from './load-history'

export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

type Json = Record<string, unknown>

const objectAt = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined

function workEmail(user: Json): unknown {
  const emails = Array.isArray(user.emails) ? user.emails.map(objectAt) : []
  return emails.find((email) => email?.type === 'work')?.value
}

const USER_FIELDS: Record<string, (user: Json) => unknown> = {
  userName: (user) => user.userName,
  displayName: (user) => user.displayName,
  active: (user) => user.active,
  title: (user) => user.title,
  externalId: (user) => user.externalId,
  givenName: (user) => objectAt(user.name)?.givenName,
  familyName: (user) => objectAt(user.name)?.familyName,
  workEmail,
  department: (user) => objectAt(user[ENTERPRISE])?.department,
}

/** The tracked fields of a user resource (or body); undefined where absent. */
export function userFields(user: Json): Record<string, unknown> {
  return Object.fromEntries(Object.entries(USER_FIELDS).map(([name, read]) => [name, read(user)]))
}

/** What a POST or PUT of `body` writes: every tracked field, absent ones as undefined. */
export const bodyWrites = (body: Json): FieldWrite[] =>
  Object.entries(userFields(body)).map(([field, value]) => ({ field, value }))

export const MEMBER_PREFIX = 'member:'

/** The field of a group membership, as a register of true (member) or false. */
export const memberField = (userId: string) => `${MEMBER_PREFIX}${userId}`

/** A value as a comparable key; absent and null are one state. */
export const valueKey = (value: unknown) =>
  value === undefined || value === null ? '(absent)' : JSON.stringify(value)

export interface FinalUser {
  id: string
  version: number
  fields: Record<string, unknown>
}

export interface FinalGroup {
  id: string
  version: number
  displayName: string
  members: string[]
}

/** Every user and group as read back after the storm. */
export interface FinalState {
  users: FinalUser[]
  groups: FinalGroup[]
}

/** The number in a weak ETag (`W/"3"`), as meta.version and the ETag header carry it. */
export function parseVersion(tag: unknown): number | undefined {
  const match = /^W\/"(\d+)"$/.exec(String(tag))
  return match ? Number(match[1]) : undefined
}

// A resource without a version reads as 0, below every acknowledged one: the version check fails.
const versionOf = (resource: Json) => parseVersion(objectAt(resource.meta)?.version) ?? 0

export const finalUser = (user: Json): FinalUser => ({
  id: String(user.id),
  version: versionOf(user),
  fields: userFields(user),
})

export const finalGroup = (group: Json): FinalGroup => ({
  id: String(group.id),
  version: versionOf(group),
  displayName: String(group.displayName),
  members: (Array.isArray(group.members) ? group.members : []).map((m) => String(objectAt(m)?.value)),
})
