import { env } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import { createGroup, createUser, patchOp } from '../support/fixtures'
import { scim } from '../support/scim-client'
import { createTenant, type TestTenant } from '../support/tenant'
import { type Call, callWith, faultyD1, isWrite } from '../support/wrapped-bindings'

/**
 * A user's write, with the statements of its first write batch (change-event delivery may follow
 * it); `inject` runs at the start of that batch only, as a competing write would land.
 */
async function writeOf(tenant: TestTenant, path: string, call: Call, inject?: D1PreparedStatement) {
  let injected = false
  const d1 = faultyD1(env.DB, ({ kind, sql }) => {
    if (!inject || injected || kind !== 'batch' || !isWrite(sql)) return undefined
    injected = true
    return { inject: { at: 0, statement: inject } }
  })
  const res = await callWith({ DB: d1.binding }, tenant, path, call)
  const [batch] = d1.calls.filter((c) => c.kind === 'batch' && isWrite(c.sql))
  return { res, statements: batch?.sql ?? [] }
}

const mentions = (statements: readonly string[], text: string) =>
  statements.filter((s) => s.includes(text)).length

/** A write that lands between the request's read and its write batch: the user's version moves. */
const bumpVersion = (tenant: TestTenant, id: string) =>
  env.DB.prepare('UPDATE users SET version = version + 1 WHERE tenant_id = ? AND id = ?').bind(
    tenant.name,
    id,
  )

describe('statements of a user write', () => {
  it('a PATCH that leaves emails alone: its guarded event, the update and the groups read, nothing read back', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'stmts@example.com')
    const { res, statements } = await writeOf(tenant, `/Users/${user.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', path: 'name.givenName', value: 'Renamed' }),
    })
    expect(res.status, res.text).toBe(200)
    expect(res.json.name.givenName).toBe('Renamed')
    expect(res.json.meta.version).toBe('W/"2"')
    expect(res.headers.get('etag')).toBe('W/"2"')
    expect(statements).toHaveLength(3)
    expect(mentions(statements, 'user_emails')).toBe(0)
    expect(mentions(statements, 'write_guard')).toBe(0)
    // The answer is the row as written, the same as a later read of it.
    const read = await scim(tenant, `/Users/${user.id}`)
    expect(res.json).toEqual(read.json)
  })

  it('a PATCH of the emails rewrites their rows, which filters then find', async ({ expect }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'mails@example.com')
    const { res, statements } = await writeOf(tenant, `/Users/${user.id}`, {
      method: 'PATCH',
      body: patchOp({
        op: 'replace',
        path: 'emails',
        value: [{ value: 'new.mail@example.com', type: 'work' }],
      }),
    })
    expect(res.status, res.text).toBe(200)
    expect(mentions(statements, 'user_emails')).toBe(2)
    const filter = encodeURIComponent('emails[type eq "work"].value eq "new.mail@example.com"')
    const found = await scim(tenant, `/Users?filter=${filter}`)
    expect(found.json.Resources.map((u: { id: string }) => u.id)).toEqual([user.id])
  })

  it('retries a PATCH whose guard failed, from a fresh read', async ({ expect }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'raced@example.com')
    let writes = 0
    // The first write batch fails as a lost race does: its guard finds another version (the
    // competing write is in the same batch, so it rolls back with it).
    const d1 = faultyD1(env.DB, ({ kind, sql }) =>
      kind === 'batch' && isWrite(sql) && ++writes === 1
        ? { inject: { at: 0, statement: bumpVersion(tenant, user.id) } }
        : undefined,
    )
    const res = await callWith({ DB: d1.binding }, tenant, `/Users/${user.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', path: 'title', value: 'After the race' }),
    })
    expect(res.status, res.text).toBe(200)
    expect(writes).toBeGreaterThanOrEqual(2)
    const after = await scim(tenant, `/Users/${user.id}`)
    expect(after.json.title).toBe('After the race')
    expect(after.json.meta.version).toBe('W/"2"')
    expect(res.json).toEqual(after.json)
  })

  it('answers 412 to a PATCH with If-Match whose version moved after its read, and records no event', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'raced-if-match@example.com')
    const events = () =>
      env.DB.prepare('SELECT count(*) AS n FROM scim_events WHERE tenant_id = ? AND resource_id = ?')
        .bind(tenant.name, user.id)
        .first<{ n: number }>()
    const before = await events()
    const { res } = await writeOf(
      tenant,
      `/Users/${user.id}`,
      {
        method: 'PATCH',
        body: patchOp({ op: 'replace', path: 'title', value: 'Never' }),
        headers: { 'if-match': 'W/"1"' },
      },
      bumpVersion(tenant, user.id),
    )
    expect(res.status, res.text).toBe(412)
    expect((await scim(tenant, `/Users/${user.id}`)).json.title).toBeUndefined()
    expect(await events()).toEqual(before)
  })

  it('a DELETE guards by its count change, and records the deletion after the groups it left', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'leaving@example.com', {
      emails: [{ value: 'leaving@example.com', type: 'work', primary: true }],
    })
    const group = await createGroup(tenant, 'Left', [user.id])
    const { res, statements } = await writeOf(tenant, `/Users/${user.id}`, { method: 'DELETE' })
    expect(res.status, res.text).toBe(204)
    // The count (its guard), the groups it left, their events and its own in one INSERT, its row.
    expect(statements).toHaveLength(4)
    expect(mentions(statements, 'write_guard')).toBe(0)
    const feed = await env.DB.prepare(
      'SELECT resource_id AS id, operation FROM scim_events WHERE tenant_id = ? ORDER BY seq DESC LIMIT 2',
    )
      .bind(tenant.name)
      .all<{ id: string; operation: string }>()
    expect(feed.results.reverse()).toEqual([
      { id: group.id, operation: 'membersRemoved' },
      { id: user.id, operation: 'deleted' },
    ])
    const count = () =>
      env.DB.prepare("SELECT count FROM resource_counts WHERE tenant_id = ? AND resource_type = 'User'")
        .bind(tenant.name)
        .first<{ count: number }>()
    expect(await count()).toEqual({ count: 0 })
    // Deleting it again: 404, and the count stays.
    expect((await scim(tenant, `/Users/${user.id}`, { method: 'DELETE' })).status).toBe(404)
    expect(await count()).toEqual({ count: 0 })
    // Its memberships, emails and unique values went with its row.
    for (const [table, column] of [
      ['group_members', 'member_id'],
      ['user_emails', 'user_id'],
      ['unique_values', 'resource_id'],
    ]) {
      const left = await env.DB.prepare(
        `SELECT count(*) AS n FROM ${table} WHERE tenant_id = ? AND ${column} = ?`,
      )
        .bind(tenant.name, user.id)
        .first<{ n: number }>()
      expect(left, table).toEqual({ n: 0 })
    }
    expect((await scim(tenant, `/Groups/${group.id}`)).json.members ?? []).toEqual([])
    expect((await createUser(tenant, 'leaving@example.com')).id).not.toBe(user.id)
  })

  it('writes each row and index entry a user needs, and no more: its create and its delete', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const rowsWritten = (res: { headers: Headers }) =>
      Number(/(\d+) rows written/.exec(res.headers.get('server-timing') ?? '')?.[1])
    const created = await scim(tenant, '/Users', {
      method: 'POST',
      body: {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'costly@example.com',
        externalId: 'ext-costly',
        emails: [
          { value: 'costly@example.com', type: 'work', primary: true },
          { value: 'costly@home.example', type: 'home' },
        ],
      },
    })
    expect(created.status, created.text).toBe(201)
    // D1 bills these (`meta.rows_written`, index entries included): an index or a statement more
    // shows here. A change event is one row and the two index entries its readers use.
    expect(rowsWritten(created)).toBe(19)
    const deleted = await scim(tenant, `/Users/${created.json.id}`, { method: 'DELETE' })
    expect(deleted.status).toBe(204)
    expect(rowsWritten(deleted)).toBe(8)
  })

  it('answers 412 to a DELETE whose If-Match names an older version, and deletes nothing', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'kept@example.com')
    await bumpVersion(tenant, user.id).run()
    const { res } = await writeOf(tenant, `/Users/${user.id}`, {
      method: 'DELETE',
      headers: { 'if-match': 'W/"1"' },
    })
    expect(res.status, res.text).toBe(412)
    expect((await scim(tenant, `/Users/${user.id}`)).status).toBe(200)
  })
})
