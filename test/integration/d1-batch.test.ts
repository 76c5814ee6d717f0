import { env } from 'cloudflare:workers'
import { it } from 'vitest'

// Write paths rely on D1 batches being all-or-nothing; miniflare#484 once showed a local runtime
// that did not roll back. This proves it holds here.
it('rolls back the earlier statements of a batch whose later statement fails', async ({ expect }) => {
  const tenant = `rollback-${crypto.randomUUID()}`
  const insert = env.DB.prepare(
    `INSERT INTO groups (tenant_id, id, display_name, display_name_folded, created, last_modified, version, resource, resource_folded)
     VALUES (?, ?, ?, ?, '2026-01-01', '2026-01-01', 1, '{}', '{}')`,
  )
  await expect(
    env.DB.batch([
      insert.bind(tenant, 'g1', 'One', 'one'),
      insert.bind(tenant, 'g2', 'Two', 'two'),
      insert.bind(tenant, 'g3', 'One again', 'one'),
    ]),
  ).rejects.toThrow(/UNIQUE constraint failed/)
  const { results } = await env.DB.prepare('SELECT id FROM groups WHERE tenant_id = ?').bind(tenant).all()
  expect(results).toEqual([])
})

it('aborts a batch when the write guard sees a moved version', async ({ expect }) => {
  const guard = env.DB.prepare('INSERT INTO write_guard (conflict) SELECT NULL WHERE ? <> ?')
  await expect(env.DB.batch([guard.bind(1, 2)])).rejects.toThrow(
    /NOT NULL constraint failed: write_guard.conflict/,
  )
  await env.DB.batch([guard.bind(1, 1)])
  const row = await env.DB.prepare('SELECT count(*) AS n FROM write_guard').first<{ n: number }>()
  expect(row?.n).toBe(0)
})
