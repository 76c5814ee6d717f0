/**
 * `npm run fuzz [-- --cases 100000 --seed 1 --concurrency 8 --minutes 14 --tenants 8 --port 8787]`:
 * throws generated hostile SCIM requests (scripts/lib/fuzz-cases.ts) at the real Worker under
 * `wrangler dev` on a free port (or `--port`, its inspector on the next one) with throwaway storage,
 * checks every answer (scripts/lib/scim-answer.ts: never a 5xx, always a well-formed SCIM answer or
 * error), then checks that every stored resource is valid for the schema the server publishes.
 * Prints counts by status and kind and every failure with the request that caused it; exits 1 on
 * any failure, 2 when the time limit stopped it short.
 *
 * The Worker limits requests per tenant (1500 a minute, wrangler.toml), so the cases are spread
 * over several tenants in turn; a 429 is counted, not a failure.
 */
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { runMain } from './lib/cli-error'
import { type DevServer, startDevServer } from './lib/dev-server'
import { describeRequest, type FuzzContext, type FuzzRequest, fuzzRequest } from './lib/fuzz-cases'
import { answerProblem, type ResourceSchemas, resourceProblem, resourceSchemasOf } from './lib/scim-answer'
import { createAgent, lanes, send, type WireAnswer } from './lib/wire'

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
/** Cases generated at a time for one tenant, from seed + chunk number. */
const CHUNK = 50

interface Options {
  cases: number
  seed: number
  concurrency: number
  minutes: number
  tenants: number
  /** 0: a free port. */
  port: number
}

function parseOptions(argv: string[]): Options {
  const options: Options = { cases: 100_000, seed: 1, concurrency: 8, minutes: 14, tenants: 8, port: 0 }
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]?.replace(/^--/, '') as keyof Options
    const value = Number(argv[i + 1])
    if (!(name in options) || !Number.isFinite(value) || value <= 0) {
      throw new Error(
        `Usage: npm run fuzz -- [--cases N] [--seed N] [--concurrency N] [--minutes N] [--tenants N] [--port N]`,
      )
    }
    options[name] = value
  }
  return options
}

const log = (line: string) => process.stderr.write(`${line}\n`)
const print = (line = '') => process.stdout.write(`${line}\n`)

interface Tenant {
  name: string
  host: string
  token: string
  ctx: FuzzContext
}

async function createTenants(server: DevServer, count: number): Promise<Tenant[]> {
  const tenants: Tenant[] = []
  const agent = createAgent(4)
  // One at a time: concurrent `wrangler kv` writes to the storage wrangler dev holds fail locally.
  for (let i = 0; i < count; i++) {
    const batch = [`fuzz-${i}`]
    for (const name of batch) {
      const host = server.baseHost(name)
      const token = await server.createTenant(name)
      const post = async (path: string, body: unknown) => {
        const answer = await send(server.port, agent, {
          method: 'POST',
          path: `/scim/v2${path}`,
          host,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
          body: JSON.stringify(body),
        })
        if (answer.status !== 201) throw new Error(`seeding ${name}${path}: ${answer.status} ${answer.text}`)
        return (JSON.parse(answer.text) as { id: string }).id
      }
      const users: string[] = []
      for (let k = 0; k < 4; k++)
        users.push(await post('/Users', { schemas: [USER], userName: `seed-${k}@example.com` }))
      const groups = [
        await post('/Groups', {
          schemas: [GROUP],
          displayName: 'Seed A',
          members: users.slice(0, 2).map((value) => ({ value })),
        }),
        await post('/Groups', { schemas: [GROUP], displayName: 'Seed B' }),
      ]
      tenants.push({ name, host, token, ctx: { users, groups } })
    }
    log(`  ${tenants.length}/${count} tenants`)
  }
  agent.destroy()
  return tenants
}

interface Failure {
  case: string
  problem: string
  request: string
  answer: string
}

async function main() {
  const options = parseOptions(process.argv.slice(2))
  const deadline = Date.now() + options.minutes * 60_000
  log(
    `fuzz: ${options.cases} cases, seed ${options.seed}, ${options.concurrency} lanes, ${options.tenants} tenants, at most ${options.minutes} min`,
  )
  const cursorSecret = Array.from(crypto.getRandomValues(new Uint8Array(24)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('')
  const server = await startDevServer({
    vars: { CURSOR_SECRET: cursorSecret },
    log,
    ...(options.port > 0 && { port: options.port }),
  })
  const agent = createAgent(options.concurrency)
  try {
    const tenants = await createTenants(server, options.tenants)
    const first = tenants[0] as Tenant
    const schemasAnswer = await send(server.port, agent, {
      method: 'GET',
      path: '/scim/v2/Schemas',
      host: first.host,
      headers: { authorization: `Bearer ${first.token}` },
    })
    const schemas: ResourceSchemas = resourceSchemasOf(JSON.parse(schemasAnswer.text))

    const statuses = new Map<number, number>()
    const kinds = new Map<string, Map<number, number>>()
    const failures: Failure[] = []
    const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1)
    let issued = 0
    let done = 0
    let chunk: { index: number; tenant: Tenant; requests: FuzzRequest[] } | undefined
    let position = 0
    const started = Date.now()
    let lastReport = started

    const next = (): { label: string; tenant: Tenant; request: FuzzRequest } | undefined => {
      if (issued >= options.cases || Date.now() > deadline) return undefined
      if (!chunk || position >= chunk.requests.length) {
        const index = chunk ? chunk.index + 1 : 0
        const tenant = tenants[index % tenants.length] as Tenant
        const requests = fc.sample(fuzzRequest(tenant.ctx, { large: true }), {
          seed: options.seed * 1_000_003 + index,
          numRuns: CHUNK,
        })
        chunk = { index, tenant, requests }
        position = 0
      }
      const label = `seed ${options.seed}, chunk ${chunk.index}, case ${position}, tenant ${chunk.tenant.name}`
      const request = chunk.requests[position++] as FuzzRequest
      issued++
      return { label, tenant: chunk.tenant, request }
    }

    await lanes(options.concurrency, async () => {
      const item = next()
      if (!item) return false
      const { label, tenant, request } = item
      let answer: WireAnswer | undefined
      let problem: string | undefined
      try {
        answer = await send(server.port, agent, {
          method: request.method,
          path: `/scim/v2${request.path}`,
          host: tenant.host,
          headers: { ...request.headers, authorization: `Bearer ${tenant.token}` },
          body: request.body,
        })
        problem = answerProblem(answer, schemas, request.method, request.path)
      } catch (error) {
        problem = `no answer: ${error instanceof Error ? error.message : error}`
      }
      const status = answer?.status ?? 0
      bump(statuses, status)
      const byStatus = kinds.get(request.kind) ?? new Map<number, number>()
      kinds.set(request.kind, byStatus)
      bump(byStatus, status)
      if (problem) {
        failures.push({
          case: label,
          problem,
          request: describeRequest(request, 4_000),
          answer: `${status} ${answer?.text.slice(0, 1_000) ?? ''}`,
        })
      }
      done++
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now()
        const rate = done / ((Date.now() - started) / 1000)
        log(
          `  ${done} cases, ${rate.toFixed(0)}/s, ${failures.length} failures, ${statuses.get(429) ?? 0} rate-limited`,
        )
      }
      return true
    })
    const seconds = (Date.now() - started) / 1000

    // Every stored resource of every tenant, read back through the lists, against the schema.
    const stored = { checked: 0, invalid: [] as string[] }
    for (const tenant of tenants) {
      for (const [kind, path] of [
        ['User', '/Users'],
        ['Group', '/Groups'],
      ] as const) {
        for (let startIndex = 1; ; startIndex += 1000) {
          const page = await send(server.port, agent, {
            method: 'GET',
            path: `/scim/v2${path}?count=1000&startIndex=${startIndex}`,
            host: tenant.host,
            headers: { authorization: `Bearer ${tenant.token}` },
          })
          if (page.status === 429) {
            await new Promise((resolve) => setTimeout(resolve, 5_000))
            startIndex -= 1000
            continue
          }
          if (page.status !== 200) {
            stored.invalid.push(
              `${tenant.name} ${path} page ${startIndex}: ${page.status} ${page.text.slice(0, 300)}`,
            )
            break
          }
          const body = JSON.parse(page.text) as { Resources: unknown[]; totalResults: number }
          for (const resource of body.Resources) {
            stored.checked++
            const problem = resourceProblem(kind, resource, schemas, true)
            if (problem) stored.invalid.push(`${tenant.name}: ${problem}`)
          }
          if (startIndex + 1000 > body.totalResults) break
        }
      }
    }

    print(
      `Fuzz: ${done} cases in ${seconds.toFixed(0)} s (${(done / seconds).toFixed(0)}/s), seed ${options.seed}, ${tenants.length} tenants`,
    )
    print(
      `Answers by status: ${[...statuses]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s || 'none'}: ${n}`)
        .join(', ')}`,
    )
    print('By kind of request:')
    for (const [kind, byStatus] of [...kinds].sort(([a], [b]) => a.localeCompare(b))) {
      const total = [...byStatus.values()].reduce((a, b) => a + b, 0)
      print(
        `  ${kind.padEnd(32)} ${String(total).padStart(7)}  ${[...byStatus]
          .sort(([a], [b]) => a - b)
          .map(([s, n]) => `${s}:${n}`)
          .join(' ')}`,
      )
    }
    print(`Stored resources checked against /Schemas: ${stored.checked}, invalid: ${stored.invalid.length}`)
    for (const line of stored.invalid.slice(0, 20)) print(`  ${line}`)
    const fivexx = failures.filter((f) => /^status 5|no answer/.test(f.problem)).length
    print(
      `Failures: ${failures.length} (5xx or no answer: ${fivexx}; malformed answers: ${failures.length - fivexx})`,
    )
    for (const failure of failures.slice(0, 10)) {
      print(`\n--- ${failure.problem} (${failure.case})\n${failure.request}\n→ ${failure.answer}`)
    }
    if (failures.length > 0) {
      const file = join(tmpdir(), `edge-scim-fuzz-failures-${options.seed}-${Date.now()}.json`)
      await writeFile(file, JSON.stringify(failures, null, 2))
      print(`\nEvery failure with its request: ${file}`)
    }
    if (failures.length > 0 || stored.invalid.length > 0) process.exitCode = 1
    else if (done < options.cases) {
      print(`Stopped by the ${options.minutes}-minute limit after ${done} of ${options.cases} cases.`)
      process.exitCode = 2
    } else print('Result: every answer well-formed, no 5xx, every stored resource valid.')
  } finally {
    agent.destroy()
    await server.stop()
  }
}

await runMain(main)
