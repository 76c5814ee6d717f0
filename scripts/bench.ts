/**
 * `npm run bench [-- --users 100000 --compare 1000 --json]`: starts the Worker with `wrangler dev`
 * on throwaway local storage, loads a directory through the SCIM API and times the queries identity
 * providers send (see BENCH_USAGE and the README's "Performance").
 */
import { randomBytes } from 'node:crypto'
import { BENCH_USAGE, parseBenchArgs } from './lib/bench-args'
import { type BenchCase, benchCases } from './lib/bench-cases'
import { type ScimClient, scimClient } from './lib/bench-client'
import { walkToLastPage } from './lib/bench-cursor'
import { loadDirectory } from './lib/bench-load'
import { measureCase, WARMUPS } from './lib/bench-measure'
import { runNoisyNeighbour } from './lib/bench-noisy'
import {
  type BenchReport,
  type BenchRun,
  checkTarget,
  currentLoad,
  formatReport,
  machine,
  revision,
} from './lib/bench-report'
import { CliError, runMain } from './lib/cli-error'
import { type DevServer, startDevServer } from './lib/dev-server'

const log = (line: string) => process.stderr.write(`${line}\n`)

/** One directory size: its own tenant on its own D1 database, so sizes never share a table. */
interface Size {
  users: number
  api: ScimClient
  cases: BenchCase[]
  run: Omit<BenchRun, 'results'>
}

async function prepareSize(server: DevServer, users: number, db: string, samples: number): Promise<Size> {
  const tenant = `bench${users}`
  const api = scimClient(server, tenant, await server.createTenant(tenant, db), log)
  // The PATCH samples each add a user who is not yet in the big group.
  const reserve = WARMUPS + samples
  log(`Loading ${users} users into tenant ${tenant} (D1 binding ${db}) through POST /Bulk…`)
  const fixture = await loadDirectory(api, users, reserve, log)
  const ends = await walkToLastPage(api, users, log)
  return {
    users,
    api,
    cases: benchCases(fixture, ends, users - reserve),
    run: {
      users,
      groups: fixture.groupIds.length,
      bigGroupMembers: fixture.bigGroupMembers,
      load: { seconds: fixture.loadSeconds, usersPerSecond: fixture.usersPerSecond },
    },
  }
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2))
  if (args.help) {
    process.stdout.write(`${BENCH_USAGE}\n`)
    return
  }
  if (args.noisyNeighbour) {
    const { text, passed } = await runNoisyNeighbour(log, args.runner)
    process.stdout.write(`\n${text}\n`)
    if (!passed) throw new CliError('The noisy-neighbour check failed')
    return
  }
  const counts = args.compare === undefined ? [args.users] : [args.users, args.compare]
  const least = WARMUPS + args.samples + 10
  if (counts.some((n) => n < least)) {
    throw new CliError(`With ${args.samples} samples, every size needs at least ${least} users`, BENCH_USAGE)
  }

  log('Starting wrangler dev on throwaway storage…')
  // Cursors need a signing secret (src/query/cursor.ts): a random one, for this run only.
  const server = await startDevServer({ vars: { CURSOR_SECRET: randomBytes(32).toString('base64url') }, log })
  // wrangler dev leads its own process group (so that stop() ends workerd too): Ctrl-C does not reach
  // it, so end it here rather than leave it running.
  process.once('SIGINT', () => {
    log('Interrupted: stopping wrangler dev…')
    void server.stop({ keep: args.keep }).finally(() => process.exit(130))
  })
  try {
    if (args.keep) log(`Storage kept in ${server.persistDir}`)
    // The smaller (comparison) size on DB_2, loaded first; the main size on DB.
    const compared =
      args.compare === undefined ? [] : [await prepareSize(server, args.compare, 'DB_2', args.samples)]
    const sizes = [await prepareSize(server, args.users, 'DB', args.samples), ...compared]

    log(`Timing ${args.samples} samples a query${sizes.length > 1 ? ', both sizes interleaved' : ''}…`)
    const before = currentLoad()
    const results = sizes.map(() => [] as BenchRun['results'])
    for (let k = 0; k < sizes[0]!.cases.length; k++) {
      const targets = sizes.map((size) => ({ api: size.api, c: size.cases[k]! }))
      const measured = await measureCase(targets, args.samples, log)
      for (const [i, result] of measured.entries()) results[i]!.push(result)
    }
    const runs = sizes.map((size, i): BenchRun => ({ ...size.run, results: results[i]! }))
    const report: BenchReport = {
      revision: revision(),
      samples: args.samples,
      machine: machine(),
      loadAverage: { before, after: currentLoad() },
      runs,
    }
    if (runs[1]) report.target = checkTarget(runs[0]!, runs[1])

    const text = formatReport(report)
    if (args.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
      log(`\n${text}`)
    } else {
      process.stdout.write(`\n${text}\n`)
    }
  } catch (error) {
    log(`\nwrangler dev's last output:\n${server.output().slice(-4000)}`)
    throw error
  } finally {
    await server.stop({ keep: args.keep })
  }
}

await runMain(main)
