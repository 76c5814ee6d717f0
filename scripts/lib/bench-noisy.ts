/**
 * `npm run bench -- --noisy-neighbour` (issue #12): tenant A holds the adversarial group graph and
 * sends its two worst requests twice each, all four at once, while tenant B, on the same D1
 * database and from a process of its own (bench-victim.ts), sends `GET /Users?count=1` one after
 * another. Passes when B's median latency during the attacks is at
 * most max(3 × its quiet median, quiet median + 50 ms), nothing answers 5xx and no request of A
 * takes more than 5 s. Figures come from Server-Timing: D1 time and the Worker's time outside D1.
 */

import { fork } from 'node:child_process'
import { once } from 'node:events'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type ScimClient, scimClient, type TimedAnswer } from './bench-client'
import { median, parseServerTiming } from './bench-stats'
import type { VictimCommand, VictimSample } from './bench-victim'
import { type DevServer, startDevServer } from './dev-server'
import { PROJECT_ROOT } from './wrangler'

type Log = (line: string) => void

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest'
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const [LEVELS, WIDTH, USERS] = [32, 16, 1000]
const ATTACKS = 10
const QUIET_SAMPLES = 60
const A_LIMIT_MS = 5000
// B's requests and A's stay far from it, but a 429's minute-long wait would hide the finding.
const RAISED_RATE_LIMIT = 100_000
const CONFIG = '.wrangler-noisy-neighbour.toml'
const VICTIM = join(PROJECT_ROOT, 'scripts', 'lib', 'bench-victim.ts')

const WORST = [
  `/Users?count=0&filter=${encodeURIComponent('groups[type eq "indirect"]')}`,
  '/Users?count=1000',
]

async function bulk(api: ScimClient, Operations: unknown[]): Promise<string[]> {
  const answer = await api.expect(200, 'POST', '/Bulk', { schemas: [BULK], Operations }, 300_000)
  const results = (answer.json as { Operations: { status: string; location?: string }[] }).Operations
  const failed = results.find((r) => !r.status.startsWith('2'))
  if (failed) throw new Error(`graph not built: ${JSON.stringify(failed)}`)
  return results.map((r) => r.location?.split('/').at(-1) ?? '')
}

/** 1,000 users, then 32 levels of 16 groups, each with all users (bottom) or all 16 groups below. */
async function buildGraph(api: ScimClient, log: Log) {
  const users: string[] = []
  for (let first = 0; first < USERS; first += 400) {
    const ops = Array.from({ length: Math.min(400, USERS - first) }, (_, k) => ({
      method: 'POST',
      path: '/Users',
      bulkId: `u${k}`,
      data: { schemas: [USER], userName: `adversary-${first + k}@example.com` },
    }))
    users.push(...(await bulk(api, ops)))
  }
  let below = users
  for (let level = 0; level < LEVELS; level++) {
    const ops = Array.from({ length: WIDTH }, (_, i) => ({
      method: 'POST',
      path: '/Groups',
      bulkId: `g${i}`,
      data: { schemas: [GROUP], displayName: `L${level}-${i}`, members: below.map((value) => ({ value })) },
    }))
    below = await bulk(api, ops)
  }
  log(`  tenant A: ${USERS} users under ${LEVELS} levels of ${WIDTH} groups (${LEVELS * WIDTH} groups)`)
}

interface Figures {
  ms: number
  d1Ms: number
  workerMs: number
  status: number
  bytes: number
  rowsRead: number
  items?: number
}

type Sample = VictimSample & { items?: number }

const sampleOf = (answer: TimedAnswer): Sample => {
  const json = answer.json as { itemsPerPage?: number } | undefined
  return {
    ms: answer.ms,
    status: answer.status,
    serverTiming: String(answer.headers['server-timing'] ?? ''),
    bytes: Buffer.byteLength(answer.body),
    ...(json?.itemsPerPage === undefined ? {} : { items: json.itemsPerPage }),
  }
}

function figuresOf(sample: Sample): Figures {
  const timing = parseServerTiming(sample.serverTiming)
  const rows = /d1-cost;desc="\d+ statements, (\d+) rows read/.exec(sample.serverTiming)
  return {
    ms: sample.ms,
    d1Ms: timing.d1Ms ?? Number.NaN,
    workerMs: (timing.totalMs ?? Number.NaN) - (timing.d1Ms ?? 0),
    status: sample.status,
    bytes: sample.bytes,
    rowsRead: Number(rows?.[1] ?? Number.NaN),
    ...(sample.items === undefined ? {} : { items: sample.items }),
  }
}

/** Tenant B's client, `GET /Users?count=1` one after another, in its own process (bench-victim.ts says why). */
async function startVictim(server: DevServer, token: string) {
  const args = ['--port', String(server.port), '--host', server.baseHost('tenantb'), '--token', token]
  const child = fork(VICTIM, [...args, '--path', '/scim/v2/Users?count=1'])
  // (fork keeps this process's execArgv: tsx's loader, so the child runs TypeScript too.)
  await once(child, 'message')
  const run = async (command: VictimCommand, attack?: Promise<unknown>) => {
    const answer = once(child, 'message') as Promise<[{ samples?: VictimSample[]; error?: string }]>
    child.send(command)
    await attack?.finally(() => child.send('stop'))
    const [{ samples, error }] = await answer
    if (!samples) throw new Error(`tenant B's client failed: ${error}`)
    return samples.map(figuresOf)
  }
  return {
    quiet: (n: number) => run({ samples: n }),
    during: (attack: Promise<unknown>) => run('start', attack),
    stop: () => child.kill(),
  }
}

const round = (n: number) => Math.round(n * 10) / 10
const medianOf = (rows: Figures[], key: keyof Figures) => round(median(rows.map((r) => Number(r[key]))))

export async function runNoisyNeighbour(
  log: Log,
  runner: 'wrangler-dev' | 'start',
): Promise<{ text: string; passed: boolean }> {
  const original = await readFile(join(PROJECT_ROOT, 'wrangler.toml'), 'utf8')
  await writeFile(
    join(PROJECT_ROOT, CONFIG),
    original.replaceAll('limit = 1500, period = 60', `limit = ${RAISED_RATE_LIMIT}, period = 60`),
  )
  // BENCH_PORT=8800 picks the port (and the next one for the inspector) on a shared machine.
  const base = Number(process.env.BENCH_PORT)
  const port = Number.isInteger(base) && base > 0 ? base : undefined
  const server = await startDevServer({ config: CONFIG, log, runner, ...(port ? { port } : {}) })
  try {
    const a = scimClient(server, 'tenanta', await server.createTenant('tenanta'), log)
    const bToken = await server.createTenant('tenantb')
    const b = scimClient(server, 'tenantb', bToken, log)
    log('Building the adversarial graph in tenant A through /Bulk…')
    await buildGraph(a, log)
    await b.expect(201, 'POST', '/Users', { schemas: [USER], userName: 'bystander@example.com' })
    const victim = await startVictim(server, bToken)
    const quiet: Figures[] = []
    const attackers: Figures[][] = [[], []]
    const during: Figures[] = []
    try {
      quiet.push(...(await victim.quiet(QUIET_SAMPLES)))
      for (let n = 0; n < ATTACKS; n++) {
        log(`  attack ${n + 1}/${ATTACKS}: A's four worst requests at once`)
        const requests = [...WORST, ...WORST].map((path, i) =>
          a
            .send('GET', path, undefined, 60_000)
            .then((answer) => attackers[i % 2]?.push(figuresOf(sampleOf(answer)))),
        )
        during.push(...(await victim.during(Promise.all(requests))))
      }
    } finally {
      victim.stop()
    }
    const quietMedian = medianOf(quiet, 'ms')
    const bound = Math.max(3 * quietMedian, quietMedian + 50)
    const duringMedian = medianOf(during, 'ms')
    const all = [...quiet, ...during, ...attackers.flat()]
    const faults = all.filter((f) => f.status >= 500).length
    const slowest = Math.max(...attackers.flat().map((f) => f.ms))
    const passed = duringMedian <= bound && faults === 0 && slowest <= A_LIMIT_MS
    const line = (label: string, rows: Figures[]) =>
      `| ${label} | ${rows.length} | ${medianOf(rows, 'ms')} | ${round(Math.max(...rows.map((r) => r.ms)))} | ` +
      `${medianOf(rows, 'd1Ms')} | ${medianOf(rows, 'workerMs')} | ${medianOf(rows, 'rowsRead')} | ` +
      `${medianOf(rows, 'bytes')} | ${[...new Set(rows.map((r) => r.items ?? '-'))].join(', ')} |`
    const text = [
      `Noisy neighbour: tenant A ${LEVELS}x${WIDTH} groups over ${USERS} users, ${ATTACKS} attacks of 4 requests`,
      '',
      '| requests | n | median ms | max ms | D1 ms | Worker ms outside D1 | D1 rows read | body bytes | itemsPerPage |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      line('B `GET /Users?count=1`, quiet', quiet),
      line('B `GET /Users?count=1`, during the attacks', during),
      line('A `groups[type eq "indirect"]`, count=0', attackers[0] ?? []),
      line('A `GET /Users?count=1000`', attackers[1] ?? []),
      '',
      `B during: ${duringMedian} ms, bound max(3 x ${quietMedian}, ${quietMedian} + 50) = ${round(bound)} ms; ` +
        `5xx: ${faults}; slowest request of A: ${round(slowest)} ms (limit ${A_LIMIT_MS}) — ${passed ? 'PASSED' : 'FAILED'}.`,
    ].join('\n')
    return { text, passed }
  } catch (error) {
    log(`\nThe server's last output:\n${server.output().slice(-4000)}`)
    throw error
  } finally {
    await server.stop()
    await rm(join(PROJECT_ROOT, CONFIG), { force: true })
  }
}
