/**
 * The documented local workflow, end to end and for real: `db:migrate` and `tenant` against a
 * temporary `--persist-to` directory, `wrangler dev` on a free port over the same directory, and
 * HTTP requests to 127.0.0.1 with `Host: <tenant>.localhost:<port>` (Node does not resolve
 * `*.localhost`, and its fetch cannot set Host, hence node:http).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import net, { type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWrangler, type WranglerClient } from '../../scripts/lib/wrangler'
import { tenantTables } from '../../src/deletion/rounds'
import { ISOLATE_CACHE_SECONDS } from '../../src/tenancy/tenant-cache'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs')
const WRANGLER = join(ROOT, 'node_modules/wrangler/bin/wrangler.js')
const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse'

interface Run {
  code: number
  stdout: string
  stderr: string
}

let persistDir = ''
let port = 0
let server: ChildProcess | undefined
let serverOutput = ''
const tokens: string[] = []

/** Runs a project script with tsx, as `npm run <script>` does, on the temporary storage. */
function script(file: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [TSX, file, ...args, '--persist-to', persistDir],
      { cwd: ROOT },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    )
  })
}

async function tenant(...args: string[]): Promise<Run> {
  const run = await script('scripts/tenant.ts', ...args)
  if (run.code !== 0) {
    throw new Error(`tenant ${args.join(' ')} failed (${run.code}):\n${run.stderr}`)
  }
  return run
}

/** `create`/`rotate --json`: stdout must be exactly one JSON object and nothing else. */
function issued(run: Run): { tenant: string; token: string; tokenId: string } {
  expect(run.stdout.trim().split('\n')).toHaveLength(1)
  const parsed = JSON.parse(run.stdout) as { tenant: string; token: string; tokenId: string }
  expect(Object.keys(parsed).sort()).toEqual(['tenant', 'token', 'tokenId'])
  tokens.push(parsed.token)
  return parsed
}

async function freePort(): Promise<number> {
  const probe = net.createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as AddressInfo
  probe.close()
  await once(probe, 'close')
  return port
}

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

function get(path: string, host: string, token?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { Host: `${host}:${port}`, Accept: 'application/scim+json' }
    if (token) headers.Authorization = `Bearer ${token}`
    const req = http.request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${path} timed out`)))
    req.end()
  })
}

/** `GET /scim/v2/Users` on acme with `token`. */
const users = (token: string, host = 'acme.localhost') => get('/scim/v2/Users', host, token)

/**
 * Polls until `check` holds: the Worker keeps a tenant record in the isolate for
 * ISOLATE_CACHE_SECONDS, so a revocation is awaited for that long and 10 s more, rather than slept on.
 */
async function eventually(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = (ISOLATE_CACHE_SECONDS + 10) * 1000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

const answers =
  (token: string, status: number, path = '/scim/v2/Users') =>
  async () =>
    (await get(path, 'acme.localhost', token)).status === status

async function waitForServer(): Promise<void> {
  const deadline = Date.now() + 90_000
  for (;;) {
    if (server?.exitCode !== null) throw new Error(`wrangler dev exited:\n${serverOutput}`)
    // wrangler dev stays up after a failed build, waiting for edits: no point waiting for it.
    if (serverOutput.includes('Build failed')) throw new Error(`The Worker does not build:\n${serverOutput}`)
    try {
      await get('/', 'acme.localhost')
      return
    } catch {
      if (Date.now() > deadline) throw new Error(`wrangler dev did not answer within 90 s:\n${serverOutput}`)
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  }
}

let first: { token: string; tokenId: string }
let createRun: Run

beforeAll(async () => {
  persistDir = await mkdtemp(join(tmpdir(), 'edge-scim-e2e-'))
  const migrate = await script('scripts/db-migrate.ts', '--local')
  expect(migrate.code, migrate.stderr).toBe(0)
  createRun = await tenant('create', 'acme', '--json', '--label', 'e2e')
  first = issued(createRun)

  port = await freePort()
  const inspectorPort = await freePort()
  // With --env-file, wrangler reads neither the developer's .dev.vars nor .env: the test depends on
  // no local file.
  const noSecrets = join(persistDir, 'empty.env')
  await writeFile(noSecrets, '')
  server = spawn(
    process.execPath,
    [WRANGLER, 'dev', '--port', String(port), '--ip', '127.0.0.1', '--persist-to', persistDir].concat([
      '--inspector-port',
      String(inspectorPort),
      '--show-interactive-dev-session=false',
      '--env-file',
      noSecrets,
    ]),
    { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  server.stdout?.on('data', (chunk) => {
    serverOutput += chunk
  })
  server.stderr?.on('data', (chunk) => {
    serverOutput += chunk
  })
  await waitForServer()
})

afterAll(async () => {
  // wrangler dev runs workerd as a child: end the whole process group it leads.
  if (server?.pid && server.exitCode === null) {
    const exited = once(server, 'exit')
    process.kill(-server.pid, 'SIGTERM')
    const timer = setTimeout(() => server?.pid && process.kill(-server.pid, 'SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
  }
  if (persistDir) await rm(persistDir, { recursive: true, force: true })
})

describe('the local workflow: wrangler dev with tenants made by the tenant command', () => {
  it('create --json prints exactly one JSON object on stdout', () => {
    expect(createRun.stdout).toBe(
      `${JSON.stringify({ tenant: 'acme', token: first.token, tokenId: first.tokenId })}\n`,
    )
    expect(first.token).toMatch(/^scimsk_[A-Za-z0-9_-]{43}$/)
  })

  it('the token works on its tenant and answers a SCIM ListResponse', async () => {
    const answer = await users(first.token)
    expect(answer.status, answer.body).toBe(200)
    expect(answer.headers['content-type']).toContain('application/scim+json')
    expect(JSON.parse(answer.body).schemas).toEqual([LIST_RESPONSE])
  })

  it('the token gets 401 on another tenant', async () => {
    const answer = await users(first.token, 'dev.localhost')
    expect(answer.status).toBe(401)
    expect(answer.headers['www-authenticate']).toMatch(/^Bearer/)
    expect(JSON.parse(answer.body).status).toBe('401')
  })

  it('create of an existing tenant fails with a clear message and prints nothing on stdout', async () => {
    const again = await script('scripts/tenant.ts', 'create', 'acme', '--json')
    expect(again.code).toBe(1)
    expect(again.stdout).toBe('')
    expect(again.stderr).toContain('already exists')
  })

  it('a revoked token gets 401', async () => {
    await tenant('revoke', 'acme', '--token-id', first.tokenId)
    await eventually('the revoked token is refused', answers(first.token, 401))
  })

  it('rotate issues a new token; with --grace 1h the previous one keeps working', async () => {
    const second = issued(await tenant('rotate', 'acme', '--json'))
    await eventually('the rotated token works', answers(second.token, 200))
    expect((await users(first.token)).status).toBe(401)

    const third = issued(await tenant('rotate', 'acme', '--grace', '1h', '--json'))
    await eventually('the new token works', answers(third.token, 200))
    expect((await users(second.token)).status).toBe(200)
  })

  it('a suspended tenant gets 401 on every request until it is resumed', async () => {
    const [, second, third] = tokens as [string, string, string]
    await tenant('suspend', 'acme')
    for (const token of [second, third]) {
      await eventually('the suspended tenant is refused', answers(token, 401))
      expect((await get('/scim/v2/Users/not-a-user', 'acme.localhost', token)).status).toBe(401)
    }
    await tenant('resume', 'acme')
    for (const token of [second, third]) await eventually('the resumed tenant works', answers(token, 200))
  })

  it('list shows tokens without their hashes', async () => {
    const run = await tenant('list', '--json')
    const [acme] = JSON.parse(run.stdout) as { name: string; status: string; tokens: { id: string }[] }[]
    expect(acme).toMatchObject({ name: 'acme', status: 'active', db: 'DB' })
    expect(acme!.tokens).toHaveLength(2)
    expect(run.stdout).not.toContain('hash')
  })

  it('delete removes the tenant and every one of its rows, and only its rows', async () => {
    const d1 = createWrangler({ remote: false, persistTo: persistDir })
    const tables = tenantTables()
    await d1.d1Execute((await insertRowsSql(d1, tables, ['acme', 'zeta'])).join('; '), 'DB')
    await tenant('delete', 'acme')
    await eventually('the deleted tenant is refused', answers(tokens[2]!, 401))

    const listed = JSON.parse((await tenant('list', '--json')).stdout) as { name: string }[]
    expect(listed.map((t) => t.name)).not.toContain('acme')
    const counts = await d1.d1Execute(
      tables
        .map(
          (table) => `SELECT sum(tenant_id = 'acme') AS acme, sum(tenant_id = 'zeta') AS zeta FROM ${table}`,
        )
        .join('; '),
      'DB',
    )
    const byTable = Object.fromEntries(tables.map((table, i) => [table, counts[i]?.results[0]]))
    expect(byTable).toEqual(Object.fromEntries(tables.map((table) => [table, { acme: 0, zeta: 1 }])))
  })

  it('no token appears in clear text anywhere in the local storage', async () => {
    expect(tokens.length).toBeGreaterThanOrEqual(3)
    const files = (await readdir(persistDir, { recursive: true, withFileTypes: true })).filter((f) =>
      f.isFile(),
    )
    expect(files.some((f) => f.name.endsWith('.sqlite'))).toBe(true)
    for (const file of files) {
      const content = await readFile(join(file.parentPath ?? file.path, file.name))
      for (const token of tokens) expect(content.includes(token), `${file.name} holds a token`).toBe(false)
    }
  })
})

/** One row per owner in each table, every NOT NULL column filled, read from the live schema. */
async function insertRowsSql(d1: WranglerClient, tables: string[], owners: string[]): Promise<string[]> {
  const infos = await d1.d1Execute(tables.map((table) => `PRAGMA table_info(${table})`).join('; '), 'DB')
  return tables.flatMap((table, i) => {
    const columns = (infos[i]?.results ?? []) as { name: string; type: string; notnull: number; pk: number }[]
    // An INTEGER PRIMARY KEY alone is the rowid: SQLite numbers it.
    const rowid = (c: (typeof columns)[number]) =>
      c.pk === 1 && /^integer$/i.test(c.type) && !columns.some((other) => other.pk > 1)
    const filled = columns.filter((c) => c.name === 'tenant_id' || (c.notnull === 1 && !rowid(c)))
    return owners.map((owner) => {
      const values = filled.map((c) =>
        c.name === 'tenant_id' ? `'${owner}'` : /int/i.test(c.type) ? '1' : `'${owner}-${c.name}'`,
      )
      return `INSERT INTO ${table} (${filled.map((c) => `"${c.name}"`).join(', ')}) VALUES (${values.join(', ')})`
    })
  })
}
