/**
 * `npm run bench:costs [-- --users 200 --samples 20 --members 50 --runner start|wrangler-dev
 * --profile <dir>]`: the production cost of each operation of the Okta-shaped workload, from the
 * Worker's own `Server-Timing`: D1 round trips, statements, rows read and rows written (what D1
 * bills, as each result's meta reports it), plus the CPU that workerd spent per request, requests
 * sent one at a time, and what they leave to run after their answers (event delivery, queue consumers).
 * `--profile` also records a CPU profile of the Worker's isolate per operation
 * (`<dir>/<n>.cpuprofile`, for DevTools) and prints the Worker's own JavaScript time per request and
 * the functions that spent most of it.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { median } from './lib/bench-stats'
import { CliError, runMain } from './lib/cli-error'
import { parseFlags, positiveInt } from './lib/cli-flags'
import { type CostFixture, type CostOp, costOps } from './lib/cost-ops'
import { connectProfiler, type Profiler, type ProfileSummary, summarize } from './lib/cpu-profile'
import { type DevServer, startDevServer } from './lib/dev-server'
import { cpuSeconds, descendantsNamed } from './lib/process-cpu'

const USAGE =
  'Usage: npm run bench:costs -- [--users 200] [--samples 20] [--members 50] [--runner start|wrangler-dev] [--profile <dir>]'
const log = (line: string) => process.stderr.write(`${line}\n`)
// wrangler.toml's consumers wait up to 1 s for a batch; the delivery window is 50 ms.
const SETTLE_MS = 1500

interface D1Cost {
  roundTrips: number
  statements: number
  rowsRead: number
  rowsWritten: number
}

/** `d1;dur=…;desc="2 round trips", d1-cost;desc="9 statements, 12 rows read, 8 rows written"`. */
export function parseD1Cost(header: string | string[] | undefined): D1Cost | undefined {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '')
  const trips = /d1;dur=[\d.]+;desc="(\d+) round trips?"/.exec(text)
  const cost = /d1-cost;desc="(\d+) statements, (\d+) rows read, (\d+) rows written"/.exec(text)
  if (!trips || !cost) return undefined
  return {
    roundTrips: Number(trips[1]),
    statements: Number(cost[1]),
    rowsRead: Number(cost[2]),
    rowsWritten: Number(cost[3]),
  }
}

interface OpResult extends D1Cost {
  label: string
  samples: number
  /** workerd CPU per request (Worker, local D1 and HTTP), ms. */
  cpuMs: number
  /** With --profile: the Worker isolate's own JavaScript per request. */
  profile?: ProfileSummary
}

interface Profiling {
  profiler: Profiler
  dir: string
}

async function measure(
  server: DevServer,
  host: string,
  token: string,
  op: CostOp,
  count: number,
  f: CostFixture,
  profiling: Profiling | undefined,
  index: number,
) {
  const costs: D1Cost[] = []
  const workerd = descendantsNamed(server.pid, 'workerd')
  await profiling?.profiler.start()
  const before = cpuSeconds(workerd)
  for (let i = 0; i < count; i++) {
    const { method, path, body, status } = op.request(i)
    const answer = await server.request(method, `/scim/v2${path}`, { host, token, body })
    if (answer.status !== status)
      throw new CliError(`${op.label}: ${answer.status} ${answer.body.slice(0, 300)}`)
    const id = (answer.json as { id?: string } | undefined)?.id
    if (method === 'POST' && id) (path === '/Users' ? f.userIds : f.groupIds).push(id)
    const cost = parseD1Cost(answer.headers['server-timing'])
    if (!cost) throw new CliError(`${op.label}: no d1 and d1-cost in Server-Timing`)
    costs.push(cost)
  }
  // The op's work after its answers (change events sent within a delivery window, queue consumers
  // batching for up to 1 s) is the op's own: read the CPU once it has run, not during the next op.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS))
  const cpuMs = ((cpuSeconds(workerd) - before) * 1000) / count
  const recorded = await profiling?.profiler.stop()
  if (profiling && recorded) {
    await writeFile(join(profiling.dir, `${index + 1}.cpuprofile`), JSON.stringify(recorded))
  }
  const med = (key: keyof D1Cost) => median(costs.map((c) => c[key]))
  return {
    label: op.label,
    samples: count,
    cpuMs,
    ...(recorded ? { profile: perRequest(summarize(recorded), count) } : {}),
    roundTrips: med('roundTrips'),
    statements: med('statements'),
    rowsRead: med('rowsRead'),
    rowsWritten: med('rowsWritten'),
  } satisfies OpResult
}

const perRequest = (summary: ProfileSummary, count: number): ProfileSummary => ({
  busyMs: summary.busyMs / count,
  top: summary.top.map(({ frame, ms }) => ({ frame, ms: ms / count })),
})

function format(results: OpResult[], users: number): string {
  const profiled = results.some((r) => r.profile)
  const rows = results.map(
    (r) =>
      `| ${r.label} | ${r.roundTrips} | ${r.statements} | ${r.rowsRead} | ${r.rowsWritten} | ${r.cpuMs.toFixed(1)} |` +
      (profiled ? ` ${r.profile?.busyMs.toFixed(2) ?? ''} |` : ''),
  )
  const hotspots = results.flatMap((r, i) =>
    r.profile
      ? [
          `${i + 1}. ${r.label}: ${r.profile.top.map(({ frame, ms }) => `${frame} ${ms.toFixed(2)}`).join(', ')}`,
        ]
      : [],
  )
  return [
    `Directory of ${users} users; medians per request (CPU: mean over the samples).`,
    '',
    `| operation | D1 round trips | statements | rows read | rows written | workerd CPU ms |${profiled ? ' Worker JS ms |' : ''}`,
    `|---|---:|---:|---:|---:|---:|${profiled ? '---:|' : ''}`,
    ...rows,
    ...(hotspots.length > 0 ? ['', 'Most self time per request (ms), by profile file:', ...hotspots] : []),
  ].join('\n')
}

async function main(): Promise<void> {
  const values = parseFlags(
    process.argv.slice(2),
    {
      users: { type: 'string' },
      samples: { type: 'string' },
      members: { type: 'string' },
      runner: { type: 'string' },
      profile: { type: 'string' },
    },
    USAGE,
  )
  const users = positiveInt('users', values.users, 200, 10_000, USAGE)
  const samples = positiveInt('samples', values.samples, 20, 1000, USAGE)
  const members = positiveInt('members', values.members, 50, 1000, USAGE)
  if (samples * 2 > users) throw new CliError('--users must be at least twice --samples', USAGE)
  const runner = values.runner === 'wrangler-dev' ? 'wrangler-dev' : 'start'
  const server = await startDevServer({
    runner,
    vars: { CURSOR_SECRET: randomBytes(32).toString('base64url') },
    log,
    inspect: values.profile !== undefined,
  })
  let profiling: Profiling | undefined
  try {
    if (values.profile !== undefined) {
      await mkdir(values.profile, { recursive: true })
      profiling = { profiler: await connectProfiler(server.inspectorPort), dir: values.profile }
    }
    const token = await server.createTenant('acme')
    const host = server.baseHost('acme')
    const fixture: CostFixture = { userIds: [], groupIds: [] }
    const results: OpResult[] = []
    for (const op of costOps(fixture, samples, members)) {
      // The creates build the directory: POST /Users runs once per user.
      const count = op.label === 'POST /Users' ? users : samples
      log(`${op.label} × ${count}`)
      results.push(await measure(server, host, token, op, count, fixture, profiling, results.length))
    }
    process.stdout.write(`${format(results, users)}\n`)
  } finally {
    profiling?.profiler.close()
    await server.stop()
  }
}

await runMain(main)
