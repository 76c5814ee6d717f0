/**
 * The README's consumer examples, run as an application would run them, against the Worker under
 * `wrangler dev` (as `npm run dev` serves it, with its queues): examples/webhook-receiver.ts gets the
 * signed webhooks of SCIM writes, survives being stopped while a write happens (the queue retries),
 * and examples/feed-poller.ts reads the same events from the change feed, resuming from its saved
 * position. examples/saas-worker runs in the same `wrangler dev`, consuming the SCIM_EVENTS queue and
 * reading each changed user through the Directory RPC entrypoint; examples/d1-contract.sql runs as the
 * README's `wrangler d1 execute` command.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DevServer, freePort, startDevServer } from '../../scripts/lib/dev-server'
import { portsOf } from '../../scripts/lib/tenant-store'
import { createWrangler, PROJECT_ROOT } from '../../scripts/lib/wrangler'
import { createOperatorKey } from '../../src/control/operator-keys'

const TSX = join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs')

let server: DevServer
let operatorKey = ''
let token = ''
let stateDir = ''
const children: ChildProcess[] = []

beforeAll(async () => {
  server = await startDevServer({
    companions: ['examples/saas-worker/wrangler.toml'],
    vars: {
      CURSOR_SECRET: randomBytes(32).toString('base64url'),
      WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64url'),
    },
  })
  const ports = await portsOf(createWrangler({ remote: false, persistTo: server.persistDir }))
  operatorKey = (await createOperatorKey(ports.control, 'e2e examples')).key
  token = await server.createTenant('dev')
  stateDir = await mkdtemp(join(tmpdir(), 'edge-scim-examples-'))
})

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM')
  await server?.stop()
  if (stateDir) await rm(stateDir, { recursive: true, force: true })
})

const adminUrl = () => `http://localhost:${server.port}/admin/v1`

async function adminApi(method: string, path: string, body?: unknown) {
  return server.request(method, `/admin/v1${path}`, {
    host: `localhost:${server.port}`,
    headers: { Authorization: `Bearer ${operatorKey}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
}

function scim(method: string, path: string, body?: unknown) {
  return server.request(method, `/scim/v2${path}`, { host: server.baseHost('dev'), token, body })
}

const user = (userName: string) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName,
  name: { givenName: 'Jane', familyName: 'Doe' },
  emails: [{ value: userName, type: 'work', primary: true }],
  active: true,
})

/** An example as a child process; its stdout parsed line by line as JSON. */
function run(file: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [TSX, file, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
  })
  children.push(child)
  const lines: Record<string, unknown>[] = []
  let stderr = ''
  let pending = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk
    const complete = pending.split('\n')
    pending = complete.pop() ?? ''
    for (const line of complete) if (line.trim()) lines.push(JSON.parse(line))
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  return { child, lines, stderr: () => stderr }
}

async function eventually(what: string, check: () => boolean, timeoutMs: number, context = () => '') {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}\n${context()}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

async function pollFeed(stateFile: string) {
  const poller = run('examples/feed-poller.ts', ['dev', '--once'], {
    OPERATOR_KEY: operatorKey,
    EDGE_SCIM_ADMIN_URL: adminUrl(),
    FEED_STATE: stateFile,
  })
  const [code] = (await once(poller.child, 'close')) as [number]
  expect(code, poller.stderr()).toBe(0)
  return poller.lines as { position: string; operation: string; resourceId: string; jti: string }[]
}

describe('the consumer examples against the local Worker', () => {
  it('the webhook receiver verifies every change, survives its own outage, and the feed poller reads the same', async () => {
    const receiverPort = await freePort()
    const registered = await adminApi('POST', '/webhooks', {
      url: `http://localhost:${receiverPort}/webhooks`,
      tenant: 'dev',
    })
    expect(registered.status, registered.body).toBe(201)
    const secret = (registered.json as { secret: string }).secret
    const receiverEnv = { WEBHOOK_SECRET: secret, PORT: String(receiverPort) }
    let receiver = run('examples/webhook-receiver.ts', [], receiverEnv)
    await eventually('the receiver listens', () => receiver.stderr().includes('Receiving webhooks'), 60_000)

    const ann = await scim('POST', '/Users', user('ann@examples.example'))
    expect(ann.status, ann.body).toBe(201)
    const annId = (ann.json as { id: string }).id
    const deactivated = await scim('PATCH', `/Users/${annId}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    })
    expect(deactivated.status, deactivated.body).toBe(200)
    await eventually('both webhooks are applied', () => receiver.lines.length === 2, 60_000, receiver.stderr)
    expect(receiver.lines.map((e) => [e.type, e.types])).toEqual([
      ['created', ['created']],
      ['deactivated', ['deactivated', 'deactivation']],
    ])

    // A forged delivery is refused.
    const forged = await fetch(`http://localhost:${receiverPort}/webhooks`, {
      method: 'POST',
      headers: {
        'webhook-id': 'x',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': 'v1,AAAA',
      },
      body: '{}',
    })
    expect(forged.status).toBe(401)

    // The application goes down; a change happens; it comes back on the same port.
    receiver.child.kill('SIGTERM')
    await once(receiver.child, 'close')
    const bob = await scim('POST', '/Users', user('bob@examples.example'))
    expect(bob.status, bob.body).toBe(201)
    await new Promise((resolve) => setTimeout(resolve, 3_000))
    receiver = run('examples/webhook-receiver.ts', [], receiverEnv)
    // The queue retries the failed attempt after 24–36 s.
    await eventually(
      "bob's creation arrives after the outage",
      () => receiver.lines.length >= 1,
      120_000,
      receiver.stderr,
    )
    expect(receiver.lines[0]).toMatchObject({
      type: 'created',
      resource: { type: 'User', id: (bob.json as { id: string }).id },
    })
    const webhookIds = [...receiver.lines.map((e) => e.id)]

    // The feed poller reads the three events, with the ids the webhooks carried, then only new ones.
    const stateFile = join(stateDir, 'position')
    const firstRun = await pollFeed(stateFile)
    expect(firstRun.map((e) => e.operation)).toEqual(['created', 'deactivated', 'created'])
    expect(firstRun.at(-1)?.jti).toBe(webhookIds[0])
    const carol = await scim('POST', '/Users', user('carol@examples.example'))
    expect(carol.status, carol.body).toBe(201)
    const secondRun = await pollFeed(stateFile)
    expect(secondRun.map((e) => [e.operation, e.resourceId])).toEqual([
      ['created', (carol.json as { id: string }).id],
    ])
    expect(await pollFeed(stateFile)).toEqual([])
  }, 300_000)

  it("the SaaS app's Worker consumes the queue and reads each changed user over RPC", async () => {
    const dora = await scim('POST', '/Users', user('dora@examples.example'))
    expect(dora.status, dora.body).toBe(201)
    const id = (dora.json as { id: string }).id
    const logged = () =>
      server
        .output()
        .split('\n')
        .filter((line) => line.includes('"saasApp"') && line.includes(id))
        .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>)
    await eventually(
      'the app logs the event',
      () => logged().length > 0,
      60_000,
      () => server.output().slice(-3000),
    )
    expect(logged()[0]).toMatchObject({
      tenant: 'dev',
      type: 'Users',
      change: 'prov:create:notice',
      userName: 'dora@examples.example',
    })
  })

  it('the D1 contract query reads the users with their latest change', async () => {
    const wrangler = join(PROJECT_ROOT, 'node_modules/wrangler/bin/wrangler.js')
    const args = ['d1', 'execute', 'DB', '--local', '--file', 'examples/d1-contract.sql']
    const query = spawn(process.execPath, [wrangler, ...args, '--persist-to', server.persistDir, '--json'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
    })
    let stdout = ''
    query.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    const [code] = (await once(query, 'close')) as [number]
    expect(code, stdout).toBe(0)
    const [result] = JSON.parse(stdout) as { results: Record<string, unknown>[] }[]
    expect(result?.results.map((r) => [r.user_name, r.active, r.last_change])).toEqual([
      ['ann@examples.example', 0, 'deactivated'],
      ['bob@examples.example', 1, 'created'],
      ['carol@examples.example', 1, 'created'],
      ['dora@examples.example', 1, 'created'],
    ])
  })
})
