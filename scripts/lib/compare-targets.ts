/**
 * The two servers `npm run bench:compare` runs the shared workload against, each fresh for every
 * run: the shared peer (SCIMMY on Express and SQLite, installed by the operator as
 * ../shared/bench/README.md says) and this Worker under `npm start` or `wrangler dev`.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CliError } from './cli-error'
import type { PhaseRates } from './compare-report'
import { freePort, startDevServer } from './dev-server'

export interface WorkloadShape {
  users: number
  groups: number
  concurrency: number
}

export interface Bench {
  /** The folder holding workload.mjs. */
  benchDir: string
  /** The installed peer: server.mjs and its node_modules. */
  peerDir: string
  shape: WorkloadShape
  /** Count a run with errors (reported beside the table) instead of running it again. */
  acceptErrors: boolean
  /** Each run's error count, as `<label> <errors>`. */
  errors: string[]
  log: (line: string) => void
}

export type Runner = 'start' | 'wrangler-dev'

/** Per-tenant requests a minute for the product's run: the peer has no rate limit. */
export const UNTHROTTLED = 1_000_000

/** A workload run with errors: it does not count, and the comparison runs it again. */
export class InvalidRun extends Error {}

export function checkBench(bench: Bench): void {
  if (!existsSync(join(bench.benchDir, 'workload.mjs'))) {
    throw new CliError(
      `No workload.mjs in ${bench.benchDir}`,
      'Pass --bench-dir <folder of ../shared/bench>.',
    )
  }
  if (!existsSync(join(bench.peerDir, 'node_modules', 'better-sqlite3'))) {
    throw new CliError(
      `The peer is not installed in ${bench.peerDir}`,
      `cp -r ${join(bench.benchDir, 'peer-scimmy')} ${bench.peerDir} && (cd ${bench.peerDir} && npm ci)`,
    )
  }
}

/** Runs workload.mjs once against a target and answers its ops/s per phase; an invalid run throws. */
async function runWorkload(bench: Bench, port: number, host: string, token: string, label: string) {
  const dir = await mkdtemp(join(tmpdir(), 'edge-scim-compare-'))
  const json = join(dir, 'result.json')
  const { users, groups, concurrency } = bench.shape
  const args = [join(bench.benchDir, 'workload.mjs'), '--base', `http://127.0.0.1:${port}/scim/v2`]
  args.push('--token', token, '--host', host, '--label', label, '--json', json)
  args.push('--users', String(users), '--groups', String(groups), '--concurrency', String(concurrency))
  try {
    const output = await new Promise<string>((resolve) => {
      // It exits 1 on an invalid run, which its JSON says too.
      execFile(process.execPath, args, { maxBuffer: 16 * 2 ** 20 }, (_error, stdout, stderr) =>
        resolve(`${stdout}${stderr}`),
      )
    })
    bench.log(output.trimEnd())
    const result = JSON.parse(await readFile(json, 'utf8')) as {
      valid: boolean
      errors: number
      phases: { name: string; ops_per_s: number }[]
    }
    if (!result.valid && !bench.acceptErrors) throw new InvalidRun(`The run against ${label} is invalid`)
    bench.errors.push(`${label} ${result.errors}`)
    return Object.fromEntries(result.phases.map((p) => [p.name, p.ops_per_s])) as PhaseRates
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function stopPeer(peer: ChildProcess): Promise<void> {
  if (peer.exitCode !== null || peer.signalCode !== null) return
  const exited = once(peer, 'exit')
  peer.kill('SIGTERM')
  await exited
}

/** One run against the peer, on a fresh SQLite file. */
export async function runPeer(bench: Bench): Promise<PhaseRates> {
  const dir = await mkdtemp(join(tmpdir(), 'edge-scim-peer-'))
  const port = await freePort()
  const token = randomBytes(16).toString('hex')
  const args = [join(bench.peerDir, 'server.mjs'), '--port', String(port), '--token', token]
  const peer = spawn(process.execPath, [...args, '--db', join(dir, 'peer.sqlite'), '--reset'], {
    cwd: bench.peerDir,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  try {
    let output = ''
    peer.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    const deadline = Date.now() + 30_000
    while (!output.includes('listening')) {
      if (peer.exitCode !== null || Date.now() > deadline)
        throw new CliError(`The peer did not start:\n${output}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    return await runWorkload(bench, port, `acme.localhost:${port}`, token, 'peer-scimmy')
  } finally {
    await stopPeer(peer)
    await rm(dir, { recursive: true, force: true })
  }
}

/** One run against this Worker, on fresh storage, with the rate limit of a copied configuration. */
export async function runProduct(bench: Bench, runner: Runner, config: string): Promise<PhaseRates> {
  const server = await startDevServer({
    runner,
    config,
    vars: { CURSOR_SECRET: randomBytes(32).toString('base64url') },
  })
  try {
    const token = await server.createTenant('acme')
    return await runWorkload(bench, server.port, server.baseHost('acme'), token, runner)
  } catch (error) {
    // The runtime's own account of what went wrong (a reset connection, say).
    if (error instanceof InvalidRun) bench.log(`Server output (last lines):\n${server.output().slice(-4000)}`)
    throw error
  } finally {
    await server.stop()
  }
}
