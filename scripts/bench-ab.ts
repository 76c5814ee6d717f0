/**
 * `npm run bench:ab -- --before <checkout> [--rounds 15] [--phases lookup,get,list,…]`: what a
 * change did to workerd's CPU per request, this checkout against another (a `git worktree` of the
 * revision before, with its own `npm ci`). Both run under `npm start` at once, each with 1,000 users
 * in 20 groups; each round runs every phase on one server, then on the other (the order alternates),
 * 8 requests in flight. Under `npm start` one workerd thread serves a request whole (the Worker, the
 * local D1, KV and queues), so ops/s ≈ 1 ÷ its CPU per request. The rounds are paired because a
 * phase's figure moves by a fifth between sittings of the same code on a quiet 2-core machine.
 */
import { join } from 'node:path'
import { type AbPhase, type AbSide, abPhases, loadDirectory } from './lib/ab-phases'
import { currentLoad, revision } from './lib/bench-report'
import { median } from './lib/bench-stats'
import { CliError, runMain } from './lib/cli-error'
import { parseFlags, positiveInt } from './lib/cli-flags'
import { PROJECT_ROOT } from './lib/wrangler'

const USAGE = `Usage: npm run bench:ab -- --before <checkout> [--after <checkout>] [--rounds 15]
    [--phases ${abPhases.map((p) => p.name).join(',')}] [--port 8860]
  Each checkout needs its own node_modules and scripts/lib/dev-server.ts (npm start).`

const log = (line: string) => process.stderr.write(`${line}\n`)
const IN_FLIGHT = 8
// What a write leaves to run after its answer (its delivery window, 50 ms) counts for its own phase.
const SETTLE_MS = 400

interface RunningSide extends AbSide {
  /** workerd's CPU seconds so far. */
  cpuSeconds(): number
  stop(): Promise<void>
}

/** Starts `npm start` in `root` (that checkout's own scripts) and loads the directory. */
async function startSide(name: string, root: string, port: number): Promise<RunningSide> {
  const load = (file: string) => import(join(root, 'scripts', 'lib', file))
  let modules: Record<string, Record<string, unknown>>
  try {
    modules = {
      server: await load('dev-server.ts'),
      client: await load('bench-client.ts'),
      cpu: await load('process-cpu.ts'),
      copy: await load('config-copy.ts'),
    }
  } catch (error) {
    throw new CliError(
      `${root} has no npm start to run: ${error instanceof Error ? error.message : error}`,
      USAGE,
    )
  }
  const { startDevServer } = modules.server as typeof import('./lib/dev-server')
  const { scimClient } = modules.client as typeof import('./lib/bench-client')
  const { cpuSeconds, descendantsNamed } = modules.cpu as typeof import('./lib/process-cpu')
  const { copyConfigWithRateLimit } = modules.copy as typeof import('./lib/config-copy')
  const config = await copyConfigWithRateLimit(1_000_000)
  const server = await startDevServer({ log: () => {}, runner: 'start', port, config: config.path })
  try {
    const api = scimClient(server, 'acme', await server.createTenant('acme'), log)
    const side: AbSide = { name, api, ...(await loadDirectory(api)), created: [] }
    const workerd = descendantsNamed(server.pid, 'workerd')
    return {
      ...side,
      cpuSeconds: () => cpuSeconds(workerd),
      stop: async () => {
        await server.stop()
        await config.remove()
      },
    }
  } catch (error) {
    await server.stop()
    await config.remove()
    throw error
  }
}

/** One phase on one side: workerd CPU ms per request and requests per second. */
async function runPhase(side: RunningSide, phase: AbPhase, round: number) {
  const before = side.cpuSeconds()
  const started = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < phase.requests) {
        const request = phase.request(side, round * phase.requests + next++)
        const answer = await side.api.send(request.method, request.path, request.body)
        if (answer.status !== request.status)
          throw new Error(
            `${side.name} ${phase.name}: ${request.method} ${request.path} answered ${answer.status}`,
          )
        phase.answered?.(side, answer)
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS))
  return { cpuMs: ((side.cpuSeconds() - before) * 1000) / phase.requests, rate: phase.requests / seconds }
}

async function main(): Promise<void> {
  const values = parseFlags(
    process.argv.slice(2),
    {
      before: { type: 'string' },
      after: { type: 'string' },
      rounds: { type: 'string' },
      phases: { type: 'string' },
      port: { type: 'string' },
      help: { type: 'boolean' },
    },
    USAGE,
  )
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  if (!values.before) throw new CliError('--before <checkout> is required', USAGE)
  const rounds = positiveInt('rounds', values.rounds, 15, 99, USAGE)
  const port = positiveInt('port', values.port, 8860, 65_000, USAGE)
  const wanted = values.phases?.split(',') ?? abPhases.map((p) => p.name)
  const unknown = wanted.filter((name) => !abPhases.some((p) => p.name === name))
  if (unknown.length > 0) throw new CliError(`Unknown phase: ${unknown.join(', ')}`, USAGE)
  const phases = abPhases.filter((p) => wanted.includes(p.name))
  if ((wanted.includes('patch') || wanted.includes('delete')) && !wanted.includes('create'))
    throw new CliError('The patch and delete phases act on what the create phase made: name it too', USAGE)
  const roots = { before: values.before, after: values.after ?? PROJECT_ROOT }
  log(`Starting both servers and loading 1,000 users in 20 groups into each…`)
  const sides = [
    await startSide('before', roots.before, port),
    await startSide('after', roots.after, port + 10),
  ]
  // Per phase and side: workerd CPU ms per request, and requests per second, one entry per round.
  const samples = new Map<string, { cpuMs: number[]; rate: number[] }>()
  const samplesOf = (phase: string, side: string) => {
    const key = `${phase} ${side}`
    if (!samples.has(key)) samples.set(key, { cpuMs: [], rate: [] })
    return samples.get(key) as { cpuMs: number[]; rate: number[] }
  }
  const loadBefore = currentLoad()
  try {
    for (let round = 0; round < rounds; round++) {
      log(`round ${round + 1} of ${rounds}`)
      for (const phase of phases) {
        for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
          const result = await runPhase(side, phase, round)
          const kept = samplesOf(phase.name, side.name)
          kept.cpuMs.push(result.cpuMs)
          kept.rate.push(result.rate)
        }
      }
    }
  } finally {
    for (const side of sides) await side.stop()
  }
  const lines = [
    '| phase | requests per round | workerd CPU ms/request, before | after | after ÷ before | ops/s, before | after |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...phases.map((phase) => {
      const [before, after] = [samplesOf(phase.name, 'before'), samplesOf(phase.name, 'after')]
      const [b, a] = [median(before.cpuMs), median(after.cpuMs)]
      const [rb, ra] = [median(before.rate), median(after.rate)]
      return `| ${phase.name} | ${phase.requests} | ${b.toFixed(2)} | ${a.toFixed(2)} | ${(a / b).toFixed(3)} | ${rb.toFixed(0)} | ${ra.toFixed(0)} |`
    }),
  ]
  process.stdout.write(
    `\n${lines.join('\n')}\n\nMedians of ${rounds} paired rounds, ${IN_FLIGHT} in flight. Before: ${roots.before}; ` +
      `after: ${roots.after} (${revision()}). Load average ${loadBefore} before, ${currentLoad()} after.\n`,
  )
}

await runMain(main)
