/**
 * `npm start` for real: storage prepared by `npm run db:migrate` and `npm run tenant` in a temporary
 * `--persist-to` directory, then the built Worker served by Miniflare over the same directory from a
 * copied configuration (with a low rate limit, to show the copy is what runs): SCIM requests, the
 * change-event queue, the cron on its schedule and the rate limit.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ConfigCopy, copyConfigWithRateLimit } from '../../scripts/lib/config-copy'
import { type DevServer, startDevServer } from '../../scripts/lib/dev-server'
import { createWrangler, type WranglerClient } from '../../scripts/lib/wrangler'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs')
const RATE_LIMIT = 12

let persistDir = ''
let config: ConfigCopy | undefined
let server: DevServer | undefined
let w: WranglerClient
let token = ''

function script(file: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [TSX, file, ...args, '--persist-to', persistDir],
      { cwd: ROOT },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    )
  })
}

async function undelivered(id: string): Promise<boolean> {
  const [result] = await w.d1Execute(`SELECT delivered_at FROM scim_events WHERE id = '${id}'`, 'DB')
  return result?.results[0]?.delivered_at === null
}

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 1_000))
  }
}

const scim = (method: string, path: string, body?: unknown) => {
  if (!server) throw new Error('npm start is not running')
  return server.request(method, `/scim/v2${path}`, { host: server.baseHost('acme'), token, body })
}

beforeAll(async () => {
  persistDir = await mkdtemp(join(tmpdir(), 'edge-scim-start-e2e-'))
  w = createWrangler({ remote: false, persistTo: persistDir })
  const migrate = await script('scripts/db-migrate.ts', '--local')
  expect(migrate.code, migrate.stderr).toBe(0)
  const created = await script('scripts/tenant.ts', 'create', 'acme', '--json')
  expect(created.code, created.stderr).toBe(0)
  token = (JSON.parse(created.stdout) as { token: string }).token
  config = await copyConfigWithRateLimit(RATE_LIMIT)
  server = await startDevServer({
    runner: 'start',
    persistDir,
    config: config.path,
    vars: { CURSOR_SECRET: 'e2e' },
  })
}, 420_000)

afterAll(async () => {
  await server?.stop({ keep: true })
  await config?.remove()
  if (persistDir) await rm(persistDir, { recursive: true, force: true })
})

describe('npm start: the built Worker on Miniflare, over wrangler-layout storage', () => {
  it('keeps its state where wrangler keeps it, so the tenant made by npm run tenant works', async () => {
    const answer = await scim('GET', '/Users')
    expect(answer.status, answer.body).toBe(200)
    const other = await server!.request('GET', '/scim/v2/Users', { host: server!.baseHost('other'), token })
    expect(other.status).toBe(401)
  })

  it('hands requests straight to the Worker, as the edge does: no emulating entry Worker re-encodes the answer', async () => {
    // Miniflare's entry Worker gzips a JSON answer for a client that accepts it; the Worker does not.
    const health = await server!.request('GET', '/healthz', {
      host: `localhost:${server!.port}`,
      headers: { 'Accept-Encoding': 'gzip' },
    })
    expect(health.status, health.body).toBe(200)
    expect(health.headers['content-type']).toMatch(/^application\/json/)
    expect(health.headers['content-encoding']).toBeUndefined()
  })

  it('provisions a user and sends its change event to the queue', async () => {
    const created = await scim('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'ada',
    })
    expect(created.status, created.body).toBe(201)
    const id = (created.json as { id: string }).id
    expect((await scim('GET', `/Users/${id}`)).status).toBe(200)
    // Delivery runs in waitUntil after the answer: the event row is marked once the queue took it.
    await eventually(
      'the create event is delivered',
      async () => {
        const [result] = await w.d1Execute(
          `SELECT count(*) AS n FROM scim_events WHERE resource_id = '${id}' AND delivered_at IS NOT NULL`,
          'DB',
        )
        return result?.results[0]?.n === 1
      },
      30_000,
    )
  })

  it('runs the cron on its schedule: an undelivered event past the re-send age is re-sent within a minute', async () => {
    // The cron re-sends only events older than RESEND_AFTER_MS (2 minutes): younger ones may still
    // be on their way from the request that wrote them.
    await w.d1Execute(
      `INSERT INTO scim_events (id, tenant_id, resource_type, resource_id, operation, attributes, version, occurred_at)
       VALUES ('e2e-cron', 'acme', 'User', 'r-cron', 'created', '["userName"]', 1, '${new Date(Date.now() - 180_000).toISOString()}')`,
      'DB',
    )
    await eventually('the cron re-sends the event', async () => !(await undelivered('e2e-cron')), 90_000)
    // Only the cron re-sends (a write delivers only its own events), and it logs what it re-sent.
    expect(server!.output()).toMatch(/"message":"change events","database":"DB","resent":1\b/)
  }, 150_000)

  it('applies the copied configuration: its rate limit answers 429 with Retry-After', async () => {
    const statuses: number[] = []
    for (let i = 0; i < RATE_LIMIT + 2; i++) statuses.push((await scim('GET', '/Users?count=0')).status)
    expect(statuses).toContain(429)
    const limited = await scim('GET', '/Users?count=0')
    expect(limited.status).toBe(429)
    expect(limited.headers['retry-after']).toBe('60')
  })
})
