/**
 * Directory: the directory over Workers RPC, for an application that is itself a Worker. It binds
 * this Worker with a service binding (`entrypoint = "Directory"`) whose `props` name the tenants
 * it may read; every call is checked against them. Read only; no public URL, no network hop.
 */
import { WorkerEntrypoint } from 'cloudflare:workers'
import { readFeed } from '../events/feed'
import { toDirectoryError } from './directory-error'
import { groupMembersPage, isMemberOf } from './membership-reads'
import { type DirectoryTenant, openTenant } from './open-tenant'
import {
  getGroup,
  getUser,
  groupsOfUser,
  listGroups,
  listUsers,
  userByExternalId,
  userByUserName,
} from './reads'
import type {
  ChangesOptions,
  DirectoryProps,
  FeedPage,
  GroupOfUser,
  ListOptions,
  ListResult,
  MembersOptions,
  MembersPage,
  ReadOptions,
  ScimGroup,
  ScimUser,
} from './types'

export class Directory extends WorkerEntrypoint<Env, DirectoryProps> {
  /** Opens the tenant for one call and gives errors Directory's form; `#private`, so RPC does not expose it. */
  async #read<T>(
    tenant: unknown,
    options: ReadOptions | undefined,
    run: (opened: DirectoryTenant) => Promise<T>,
  ): Promise<T> {
    try {
      return await run(await openTenant(this.env, this.ctx.props, tenant, options))
    } catch (error) {
      throw toDirectoryError(error)
    }
  }

  /** A user with its groups (direct and indirect), or null. */
  getUser(tenant: string, id: string, options?: ReadOptions): Promise<ScimUser | null> {
    return this.#read(tenant, options, ({ reader }) => getUser(reader, id))
  }

  /** The user with this userName (compared case-insensitively, as the SCIM API does), or null. */
  getUserByUserName(tenant: string, userName: string, options?: ReadOptions): Promise<ScimUser | null> {
    return this.#read(tenant, options, ({ reader }) => userByUserName(reader, this.env, userName))
  }

  /** The user with this externalId, or null; `ambiguous` when several have it. */
  getUserByExternalId(tenant: string, externalId: string, options?: ReadOptions): Promise<ScimUser | null> {
    return this.#read(tenant, options, ({ reader }) => userByExternalId(reader, this.env, externalId))
  }

  /** A group without its members, or null. */
  getGroup(tenant: string, id: string, options?: ReadOptions): Promise<ScimGroup | null> {
    return this.#read(tenant, options, ({ reader }) => getGroup(reader, id))
  }

  /** Users by SCIM filter, sort and paging (index or cursor), as `GET /Users`. */
  listUsers(tenant: string, options?: ListOptions): Promise<ListResult<ScimUser>> {
    return this.#read(tenant, options, ({ reader }) => listUsers(reader, this.env, options))
  }

  /** Groups (without members) by SCIM filter, sort and paging, as `GET /Groups`. */
  listGroups(tenant: string, options?: ListOptions): Promise<ListResult<ScimGroup>> {
    return this.#read(tenant, options, ({ reader }) => listGroups(reader, this.env, options))
  }

  /** A user's groups, direct and indirect through nested groups; null when the user does not exist. */
  groupsOfUser(tenant: string, userId: string, options?: ReadOptions): Promise<GroupOfUser[] | null> {
    return this.#read(tenant, options, ({ reader }) => groupsOfUser(reader, userId))
  }

  /** A page of a group's direct members; null when the group does not exist. */
  groupMembers(tenant: string, groupId: string, options?: MembersOptions): Promise<MembersPage | null> {
    return this.#read(tenant, options, ({ reader }) => groupMembersPage(reader, groupId, options ?? {}))
  }

  /** Whether the user is in the group, directly or through nested groups. */
  isMember(tenant: string, userId: string, groupId: string, options?: ReadOptions): Promise<boolean> {
    return this.#read(tenant, options, ({ reader }) => isMemberOf(reader, userId, groupId))
  }

  /** A page of the tenant's change feed, with a bookmark covering every event in it. */
  changes(tenant: string, options?: ChangesOptions): Promise<FeedPage> {
    return this.#read(tenant, options, ({ session }) => readFeed(session, this.env, tenant, options ?? {}))
  }
}
