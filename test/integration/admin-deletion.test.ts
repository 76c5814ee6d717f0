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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 120_000,
) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (done(value)) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`)
    await sleep(50)
  }
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

    const started = Date.now()
    const deleted = await admin(`/tenants/${big.name}`, { key, method: 'DELETE' })
    expect(deleted.status).toBe(202)
    const handle = deleted.json.id
    expect(handle).toMatch(/^del_[0-9a-f]{16}$/)
    expect(deleted.headers.get('location')).toBe(`/admin/v1/deletions/${handle}`)
    // Closed at once: the SCIM endpoint answers 401 before any round ran.
    const closed = await scim(big, '/Users?count=1')
    expect(closed.status).toBe(401)
    expect(closed.json.detail).toBe('This tenant is being deleted')
    // A second DELETE while it runs: the same handle.
    const again = await admin(`/tenants/${big.name}`, { key, method: 'DELETE' })
    expect(again.status).toBe(202)
    expect(again.json.id).toBe(handle)
    // Suspending or resuming it, or reading its feed, is refused.
    expect((await admin(`/tenants/${big.name}/resume`, { key, method: 'POST' })).status).toBe(409)
    expect((await admin(`/tenants/${big.name}/events`, { key })).status).toBe(409)

    // The other tenant answers throughout; its latency while the rounds run.
    const latencies: number[] = []
    const progress: { rounds: number; rowsLeft: number | null; ms: number }[] = []
    for (;;) {
      const t0 = Date.now()
      const read = await scim(other, `/Users/${ann.id}`)
      latencies.push(Date.now() - t0)
      expect(read.status).toBe(200)
      const tenant = await admin(`/tenants/${big.name}`, { key })
      if (tenant.status === 404) break
      expect(tenant.json.status).toBe('deleting')
      const { rounds, rowsLeft } = tenant.json.deletion
      if (progress.at(-1)?.rounds !== rounds) progress.push({ rounds, rowsLeft, ms: Date.now() - started })
    }
    const total = Date.now() - started
    const done = await admin(`/deletions/${handle}`, { key })
    expect(done.json).toMatchObject({ state: 'complete', rowsLeft: 0, rowsDeleted: seeded, tenant: big.name })
    // 20,000 users at 2,000 rows per table per round: ten rounds at least, plus the final one.
    expect(done.json.rounds).toBeGreaterThanOrEqual(11)
    expect(progress.length).toBeGreaterThan(3)
    console.log(
      JSON.stringify({
        seeded,
        rounds: done.json.rounds,
        totalMs: total,
        progress,
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
  })

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

  it('restarts a terminated deletion on the next DELETE, which finishes it', async ({ expect }) => {
    await using workflow = await introspectWorkflow(env.TENANT_DELETION)
    await workflow.modifyAll(async (m) => {
      await m.disableSleeps()
    })
    const tenant = await onboard(key)
    await seedDirectory(env.DB, tenant.name, 6000, 5)
    const first = await admin(`/tenants/${tenant.name}`, { key, method: 'DELETE' })
    const [instance] = workflow.get()
    await instance?.waitForStepResult({ name: 'round 1' })
    await (await env.TENANT_DELETION.get(first.json.id)).terminate()
    await until(
      'terminated',
      () => admin(`/deletions/${first.json.id}`, { key }),
      (r) => r.json.state === 'terminated',
    )
    const left = await rowsOf(tenant.name)
    expect(left).toBeGreaterThan(0)
    const second = await admin(`/tenants/${tenant.name}`, { key, method: 'DELETE' })
    expect(second.json.id).toBe(first.json.id)
    const done = await until(
      'complete',
      () => admin(`/deletions/${first.json.id}`, { key }),
      (r) => r.json.state === 'complete',
    )
    expect(done.json.rowsLeft).toBe(0)
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
    expect(during.json.deletion).toMatchObject({ state: 'waiting', rowsLeft: 0 })
    await instance?.waitForStatus('complete')
    expect(await instance?.waitForStepResult({ name: 'final round 1' })).toMatchObject({
      deletedTotal: 16,
      rowsLeft: 0,
    })
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(deletion.finalRoundAfter))
    expect(await rowsOf(tenant.name)).toBe(0)
  })
})
