import { introspectWorkflow } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeAll, describe, it } from 'vitest'
import { ensureRunning } from '../../src/admin/deletion-view'
import { workerPorts } from '../../src/admin/worker-ports'
import { beginDeletion } from '../../src/deletion/deletions'
import { tenantTables } from '../../src/deletion/rounds'
import { tenantKey } from '../../src/tenancy/tenant-record'
import { admin, newOperatorKey, onboard } from '../support/admin-client'
import { seedDirectory } from '../support/bulk-seed'
import { createUser } from '../support/fixtures'
import { scim } from '../support/scim-client'

let key: string

beforeAll(async () => {
  key = (await newOperatorKey()).key
})

/** Rows of `tenant` left in `db`, over every tenant table. */
async function rowsOf(tenant: string, db: D1Database = env.DB) {
  const sum = tenantTables()
    .map((t) => `(SELECT count(*) FROM ${t} WHERE tenant_id = ?1)`)
    .join(' + ')
  return Number(await db.prepare(`SELECT ${sum} AS n`).bind(tenant).first('n'))
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))] ?? 0

describe('management API: deleting a tenant', () => {
  it('deletes 20,000 users and 50 groups in rounds, closed at once, while another tenant answers', async ({
    expect,
  }) => {
    await using workflow = await introspectWorkflow(env.TENANT_DELETION)
    // The revocation delay (120 s) is a real sleep; the test of the delay itself is below.
    await workflow.modifyAll(async (m) => {
      await m.disableSleeps()
    })
    const big = await onboard(key)
    const other = await onboard(key)
    const seedStart = Date.now()
    await seedDirectory(env.DB, big.name, 20_000, 50)
    const seeded = await rowsOf(big.name)
    console.log(`seeded ${seeded} rows in ${Date.now() - seedStart} ms`)
    const ann = await createUser(other, 'ann@other.example')
    const otherRows = await rowsOf(other.name)
    expect((await scim(big, '/Users?count=1')).json.totalResults).toBe(20_000)

    // The other tenant on the same database answers throughout; its latency while the rounds run.
    const latencies: number[] = []
    let deleting = true
    const reads = (async () => {
      while (deleting) {
        const t0 = Date.now()
        const read = await scim(other, `/Users/${ann.id}`)
        latencies.push(Date.now() - t0)
        if (read.status !== 200) throw new Error(`the other tenant answered ${read.status}`)
      }
    })()

    const started = Date.now()
    const deleted = await admin(`/tenants/${big.name}`, { key, method: 'DELETE' })
    expect(deleted.status).toBe(202)
    const handle = deleted.json.id
    expect(handle).toMatch(/^del_[0-9a-f]{16}$/)
    expect(deleted.headers.get('location')).toBe(`/admin/v1/deletions/${handle}`)
    // Closed at once: the SCIM endpoint answers 401 before the rounds are done.
    const closed = await scim(big, '/Users?count=1')
    expect(closed.status).toBe(401)
    expect(closed.json.detail).toBe('This tenant is being deleted')

    // Each round's outcome, as its durable step recorded it.
    const [instance] = workflow.get()
    const rounds: { deletedTotal: number; rowsLeft: number; ms: number }[] = []
    for (let n = 1; rounds.at(-1)?.rowsLeft !== 0; n++)
      rounds.push((await instance?.waitForStepResult({ name: `round ${n}` })) as (typeof rounds)[number])
    await instance?.waitForStatus('complete')
    const total = Date.now() - started
    deleting = false
    await reads
    const left = rounds.map((r) => r.rowsLeft)
    expect(left).toEqual([...left].sort((x, y) => y - x))
    // 5 tables hold rows of this tenant; a round deletes at most 2,000 rows of each.
    expect(Math.max(...rounds.map((r) => r.deletedTotal))).toBeLessThanOrEqual(5 * 2000)
    expect(rounds.length).toBeGreaterThanOrEqual(10)
    const done = await admin(`/deletions/${handle}`, { key })
    expect(done.json).toMatchObject({ state: 'complete', rowsLeft: 0, rowsDeleted: seeded, tenant: big.name })
    expect(done.json.rounds).toBe(rounds.length + 1)
    expect((await admin(`/tenants/${big.name}`, { key })).status).toBe(404)
    console.log(
      JSON.stringify({
        seeded,
        rounds: rounds.map((r) => [r.deletedTotal, r.rowsLeft, r.ms]),
        totalMs: total,
        otherTenantMs: {
          requests: latencies.length,
          p50: percentile(latencies, 0.5),
          p95: percentile(latencies, 0.95),
          max: Math.max(...latencies),
        },
      }),
    )
    expect(await rowsOf(big.name)).toBe(0)
    expect(await env.TENANTS.get(tenantKey(big.name))).toBeNull()
    expect((await scim(big, '/Users')).status).toBe(401)
    // The other tenant on the same database: every row still there.
    expect(await rowsOf(other.name)).toBe(otherRows)
    expect((await admin(`/tenants/${big.name}`, { key, method: 'DELETE' })).status).toBe(404)
  }, 180_000)

  it('retries a round that fails (a restart mid-way) and resumes where it was', async ({ expect }) => {
    await using workflow = await introspectWorkflow(env.TENANT_DELETION)
    await workflow.modifyAll(async (m) => {
      await m.disableSleeps()
      await m.disableRetryDelays()
      await m.mockStepError({ name: 'round 2' }, new Error('the runtime restarted'), 1)
    })
    const tenant = await onboard(key)
    await seedDirectory(env.DB, tenant.name, 5000, 5)
    const deleted = await admin(`/tenants/${tenant.name}`, { key, method: 'DELETE' })
    const [instance] = workflow.get()
    await instance?.waitForStatus('complete')
    const done = await admin(`/deletions/${deleted.json.id}`, { key })
    expect(done.json).toMatchObject({ state: 'complete', rowsLeft: 0 })
    expect(await rowsOf(tenant.name)).toBe(0)
  })

  it('runs the final round only after the revocation delay, deleting rows written meanwhile', async ({
    expect,
  }) => {
    await using workflow = await introspectWorkflow(env.TENANT_DELETION)
    const tenant = await onboard(key)
    await createUser(tenant, 'ann@delay.example')
    // The API's own steps with a 3-second delay instead of 120 s (the route passes REVOCATION_DELAY_SECONDS).
    const { deletion } = await beginDeletion(workerPorts(env), tenant.name, 3)
    await ensureRunning(env.TENANT_DELETION, deletion.id)
    const [instance] = workflow.get()
    expect(await instance?.waitForStepResult({ name: 'round 1' })).toMatchObject({ rowsLeft: 0 })
    // A request that still held the active record in another location writes after the rounds.
    await seedDirectory(env.DB, tenant.name, 3, 1)
    const during = await admin(`/tenants/${tenant.name}`, { key })
    // A second DELETE while it runs: the same handle. Suspending, resuming or reading its feed: 409.
    const again = await admin(`/tenants/${tenant.name}`, { key, method: 'DELETE' })
    expect(again.status).toBe(202)
    expect(again.json.id).toBe(deletion.id)
    expect((await admin(`/tenants/${tenant.name}/resume`, { key, method: 'POST' })).status).toBe(409)
    expect((await admin(`/tenants/${tenant.name}/events`, { key })).status).toBe(409)
    // Sleeping through the delay (the local engine reports a sleeping instance as running).
    expect(during.json.deletion).toMatchObject({ rowsLeft: 0, finishedAt: null })
    expect(['running', 'waiting']).toContain(during.json.deletion.state)
    await instance?.waitForStatus('complete')
    expect(await instance?.waitForStepResult({ name: 'final round 1' })).toMatchObject({
      deletedTotal: 16,
      rowsLeft: 0,
    })
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(deletion.finalRoundAfter))
    expect(await rowsOf(tenant.name)).toBe(0)
  })
})
