/**
 * `npm run load [-- --users 300 --concurrency 64 --seed 1 --json]`: an Okta-like and an Entra-like
 * provisioning storm at once against one tenant under `wrangler dev` on throwaway storage, then
 * every user and group read back and checked against what the storm had acknowledged (see
 * LOAD_USAGE, scripts/lib/load-check.ts and the README's "Load test").
 *
 * The tenant's rate limit (1500 a minute, wrangler.toml) is kept: a 429 is counted, waited out as
 * its Retry-After asks and sent again, as bench does, and never counts as acknowledged.
 */
import { machine, revision } from './lib/bench-report'
import { runMain } from './lib/cli-error'
import { startDevServer } from './lib/dev-server'
import { LOAD_USAGE, parseLoadArgs } from './lib/load-args'
import { runChecks } from './lib/load-check'
import { loadHttp } from './lib/load-client'
import { readFinalState } from './lib/load-final'
import { planStorm } from './lib/load-plan'
import { formatReport, type LoadReport, planSummary, runPassed } from './lib/load-report'
import { newStats, summarize } from './lib/load-stats'
import { runStorm } from './lib/load-storm'

const log = (line: string) => process.stderr.write(`${line}\n`)
const TENANT = 'load'

async function main(): Promise<void> {
  const args = parseLoadArgs(process.argv.slice(2))
  if (args.help) {
    process.stdout.write(`${LOAD_USAGE}\n`)
    return
  }
  const plan = planStorm(args.users, args.seed)
  log('Starting wrangler dev on throwaway storage…')
  const server = await startDevServer({ log })
  // wrangler dev leads its own process group: Ctrl-C does not reach it, so end it here.
  process.once('SIGINT', () => {
    log('Interrupted: stopping wrangler dev…')
    void server.stop().finally(() => process.exit(130))
  })
  const stats = newStats()
  try {
    const token = await server.createTenant(TENANT)
    const http = loadHttp({
      port: server.port,
      host: server.baseHost(TENANT),
      token,
      sockets: 2 * args.concurrency,
      stats,
      log,
    })
    log(
      `Storm: ${plan.okta.length} Okta and ${plan.entra.length} Entra jobs, ${args.concurrency} lanes each…`,
    )
    const started = performance.now()
    await runStorm(http, plan, args.concurrency, log)
    const seconds = (performance.now() - started) / 1000
    log('Reading every user and group back…')
    const final = await readFinalState(http)
    http.destroy()
    const requests = summarize(stats, seconds)
    const checks = runChecks(http.ops, final)
    const report: LoadReport = {
      revision: revision(),
      machine: machine(),
      options: { users: args.users, concurrency: args.concurrency, seed: args.seed },
      plan: planSummary(plan),
      seconds,
      requests,
      checks,
      passed: runPassed(requests, checks),
    }
    const text = formatReport(report)
    if (args.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
      log(`\n${text}`)
    } else process.stdout.write(`\n${text}\n`)
    if (!report.passed) {
      process.exitCode = 1
      // The Worker logs each 5xx with its error (README "Request logs"): the lines that explain them.
      const errors = server
        .output()
        .split('\n')
        .filter((line) => line.includes('"level":"error"'))
      log(`\nwrangler dev's last error lines (of its last 64 kB of output):\n${errors.slice(-20).join('\n')}`)
    }
  } catch (error) {
    log(`\nwrangler dev's last output:\n${server.output().slice(-4000)}`)
    throw error
  } finally {
    await server.stop()
  }
}

await runMain(main)
