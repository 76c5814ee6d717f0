/**
 * The Worker on a free port over local storage — under `wrangler dev` or `npm start` — for scripts
 * and end-to-end tests: migrations
 * applied and tenants created with the same code as `npm run db:migrate` and `npm run tenant`, and
 * requests to 127.0.0.1 with `Host: <tenant>.localhost:<port>` — Node does not resolve
 * `*.localhost`, and its fetch cannot set Host, hence node:http.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import net, { type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { migrateAllDatabases } from './migrate'
import { createTenant } from './tenant-commands'
import { createWrangler, PROJECT_ROOT, quietWranglerEnv, type WranglerTarget } from './wrangler'

const WRANGLER_JS = join(PROJECT_ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js')
const TSX_CLI = join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs')
// npm start bundles the Worker before it listens (about a minute on a busy 2-core machine).
const STARTUP_TIMEOUT_MS = 180_000
const DEFAULT_TIMEOUT_MS = 10_000

export interface DevServerAnswer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
  /** The body parsed as JSON; undefined when it is empty or not JSON. */
  json: unknown
}

/**
 * wrangler dev's proxy answers 503 "Your worker restarted mid-request" when the runtime drops a
 * request in flight (it retries only GET and HEAD itself): an artefact of the local runtime, not an
 * answer of the Worker.
 */
export const isWorkerRestart = (answer: Pick<DevServerAnswer, 'status' | 'body'>) =>
  answer.status === 503 && answer.body.startsWith('Your worker restarted mid-request')

export interface RequestOptions {
  /** The Host header: `baseHost(tenant)`, or any other to test tenancy. */
  host: string
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string | undefined
  /** Sent as JSON (`application/scim+json`) unless a string. */
  body?: unknown
  headers?: http.OutgoingHttpHeaders
  timeoutMs?: number
}

export interface DevServer {
  port: number
  /** The Worker's DevTools inspector (under `npm start` only when started with `inspect`). */
  inspectorPort: number
  /** The server's process (it leads its own process group; workerd is among its descendants). */
  pid: number
  persistDir: string
  /** `<tenant>.localhost:<port>`: the Host of a tenant's requests. */
  baseHost(tenant: string): string
  request(method: string, path: string, options: RequestOptions): Promise<DevServerAnswer>
  /** Creates the tenant (as `npm run tenant -- create <name> --db <db>`) and answers its bearer token. */
  createTenant(name: string, db?: string): Promise<string>
  /** The last 64 kB of the server's output: what to show when something goes wrong. */
  output(): string
  /** Ends the server and removes the storage directory (unless it was given, or `keep`). */
  stop(options?: { keep?: boolean }): Promise<void>
}

export interface DevServerOptions {
  /** Local storage (`--persist-to`); a new temporary directory when absent. */
  persistDir?: string
  /** Worker variables and secrets (`--var NAME:value`), e.g. CURSOR_SECRET. */
  vars?: Record<string, string>
  /** Progress lines (wrangler's own output is kept and shown only on failure). */
  log?: (line: string) => void
  /** The port to listen on (its inspector on the next one); a free one when absent. */
  port?: number
  /** `wrangler dev` (default), or `npm start`: the built Worker without the development proxy. */
  runner?: 'wrangler-dev' | 'start'
  /** A wrangler configuration other than wrangler.toml (`--config`), e.g. a copy with a higher rate limit. */
  config?: string
  /**
   * More Workers in the same `wrangler dev` (one more `--config` each, wrangler dev only), e.g. an
   * application consuming this Worker's queue and calling its Directory entrypoint.
   */
  companions?: string[]
  /** Also answer /cdn-cgi/handler/scheduled (`--test-scheduled`). */
  testScheduled?: boolean
  /** Open the Worker's inspector on `inspectorPort` under `npm start` too (wrangler dev always does). */
  inspect?: boolean
}

export async function freePort(): Promise<number> {
  const probe = net.createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as AddressInfo
  probe.close()
  await once(probe, 'close')
  return port
}

// Reused connections: a benchmark then times the Worker, not TCP set-up.
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 })

function send(port: number, method: string, path: string, options: RequestOptions): Promise<DevServerAnswer> {
  const { host, token, body, timeoutMs = DEFAULT_TIMEOUT_MS } = options
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
  const headers: http.OutgoingHttpHeaders = {
    Host: host,
    Accept: 'application/scim+json',
    ...options.headers,
  }
  if (token) headers.Authorization = `Bearer ${token}`
  if (payload !== undefined) {
    headers['Content-Type'] ??= 'application/scim+json'
    headers['Content-Length'] = Buffer.byteLength(payload)
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, agent }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk
      })
      res.on('end', () => {
        let json: unknown
        try {
          json = text === '' ? undefined : JSON.parse(text)
        } catch {
          json = undefined
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)),
    )
    req.end(payload)
  })
}

/** Ends the server and workerd, its child: the whole process group the server leads. */
async function endGroup(child: ChildProcess): Promise<void> {
  if (!child.pid || child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  process.kill(-child.pid, 'SIGTERM')
  const timer = setTimeout(() => {
    if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL')
  }, 5_000)
  await exited
  clearTimeout(timer)
}

/** Migrates the storage, starts the server on a free port and waits until it answers. */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const log = options.log ?? (() => {})
  const ownDir = options.persistDir === undefined
  const persistDir = options.persistDir ?? (await mkdtemp(join(tmpdir(), 'edge-scim-dev-')))
  const target: WranglerTarget = { remote: false, persistTo: persistDir }
  await migrateAllDatabases(target, log)

  const port = options.port ?? (await freePort())
  const inspectorPort = options.port === undefined ? await freePort() : options.port + 1
  const runner = options.runner ?? 'wrangler-dev'
  const name = runner === 'start' ? 'npm start' : 'wrangler dev'
  const vars = Object.entries(options.vars ?? {}).flatMap(([key, value]) => ['--var', `${key}:${value}`])
  // The flags both understand, with the same meaning.
  const common = ['--port', String(port), '--ip', '127.0.0.1', '--persist-to', persistDir, ...vars]
  const companions = options.companions ?? []
  if (companions.length > 0 && runner === 'start') throw new Error('Companion Workers need wrangler dev')
  if (options.config || companions.length > 0) common.push('--config', options.config ?? 'wrangler.toml')
  for (const companion of companions) common.push('--config', companion)
  if (options.testScheduled) common.push('--test-scheduled')
  const inspect = options.inspect ? ['--inspector-port', String(inspectorPort)] : []
  const args =
    runner === 'start'
      ? [TSX_CLI, join(PROJECT_ROOT, 'scripts', 'start.ts'), ...common, ...inspect]
      : [WRANGLER_JS, 'dev', ...common, '--inspector-port', String(inspectorPort)]
  if (runner === 'wrangler-dev') args.push('--show-interactive-dev-session=false')
  // detached: wrangler leads its own process group, so stop() ends workerd with it.
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...quietWranglerEnv(), FORCE_COLOR: '0', NO_COLOR: '1' },
  })
  let output = ''
  const keep = (chunk: Buffer) => {
    // The last 64 kB are enough to explain a failure; a benchmark's request log would be unbounded.
    output = (output + chunk.toString()).slice(-65_536)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)

  const stop = async ({ keep: keepDir = false } = {}) => {
    await endGroup(child)
    agent.destroy()
    if (ownDir && !keepDir) await rm(persistDir, { recursive: true, force: true })
  }

  try {
    const deadline = Date.now() + STARTUP_TIMEOUT_MS
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${name} exited:\n${output}`)
      // wrangler dev stays up after a failed build, waiting for edits: no point waiting for it.
      if (output.includes('Build failed')) throw new Error(`The Worker does not build:\n${output}`)
      try {
        const probe = await send(port, 'GET', '/', { host: `startup.localhost:${port}`, timeoutMs: 2_000 })
        // The Worker's own answer (its request log sets X-Request-Id on every one), not that of
        // whatever else may have taken the port while the server was still building.
        if (probe.headers['x-request-id']) break
        throw new Error('not the Worker yet')
      } catch {
        if (Date.now() > deadline)
          throw new Error(`${name} did not answer within ${STARTUP_TIMEOUT_MS / 1000} s:\n${output}`)
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
    }
  } catch (error) {
    await stop()
    throw error
  }
  log(`${name} on 127.0.0.1:${port}, storage ${persistDir}`)

  return {
    port,
    inspectorPort,
    pid: child.pid ?? 0,
    persistDir,
    baseHost: (tenant) => `${tenant}.localhost:${port}`,
    request: (method, path, requestOptions) => send(port, method, path, requestOptions),
    async createTenant(name, db = 'DB') {
      const issued = await createTenant(createWrangler(target), { name, db, label: 'dev-server' }, log)
      return issued.token
    },
    output: () => output,
    stop,
  }
}
