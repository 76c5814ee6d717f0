/**
 * `npm run bench:compare [-- --runs 3 --runner start|wrangler-dev --peer-dir /tmp/peer --json]`:
 * the shared Okta-shaped workload (../shared/bench/workload.mjs) against the shared peer and this
 * Worker in one sitting, runs interleaved so the machine's load hits both alike, each run on fresh
 * storage; prints each phase's median ops/s, the ratio product ÷ peer and their geometric mean.
 */
import { existsSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { currentLoad, machine, revision } from './lib/bench-report'
import { CliError, runMain } from './lib/cli-error'
import { parseFlags, positiveInt } from './lib/cli-flags'
import { compare, formatComparison, type PhaseRates, verdict } from './lib/compare-report'
import {
  type Bench,
  checkBench,
  InvalidRun,
  type Runner,
  runPeer,
  runProduct,
  UNTHROTTLED,
} from './lib/compare-targets'
import { copyConfigWithRateLimit } from './lib/config-copy'
import { PROJECT_ROOT } from './lib/wrangler'

const USAGE = `Usage: npm run bench:compare -- [--runs 3] [--runner start|wrangler-dev]
    [--users 1000] [--groups 20] [--concurrency 8]
    [--bench-dir ../shared/bench] [--peer-dir /tmp/peer] [--data-dir <dir>] [--json] [--accept-errors]
  --data-dir is where both servers keep their data (default: the system's temporary directory);
    --data-dir /dev/shm keeps it in memory, where neither pays for syncing it to disk.
  --accept-errors counts runs with errors (listed under the table) instead of running them again.
  The peer must be installed first (../shared/bench/README.md):
    cp -r ../shared/bench/peer-scimmy /tmp/peer && (cd /tmp/peer && npm ci)`

const log = (line: string) => process.stderr.write(`${line}\n`)

/**
 * Puts both servers' data under `dir`: every run's storage is a fresh `mkdtemp(tmpdir())`, and
 * SQLite, in workerd as in the peer, writes its temporary files (such as a large write's journal)
 * to TMPDIR, which children inherit.
 */
function useDataDir(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new CliError(`--data-dir ${dir} is not a directory`, USAGE)
  process.env.TMPDIR = resolve(dir)
}

// Attempts per run: a run with any error is invalid (the workload's rule) and is run again.
const ATTEMPTS = 3

/** A run that the workload found valid, after at most ATTEMPTS tries; each invalid one is counted. */
async function validRun(
  run: () => Promise<PhaseRates>,
  discarded: Record<'peer' | 'product', number>,
  who: 'peer' | 'product',
): Promise<PhaseRates> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run()
    } catch (error) {
      if (!(error instanceof InvalidRun) || attempt >= ATTEMPTS) throw error
      discarded[who]++
      log(`${error.message}: discarded, running it again`)
    }
  }
}

async function main(): Promise<void> {
  const values = parseFlags(
    process.argv.slice(2),
    {
      runs: { type: 'string' },
      runner: { type: 'string' },
      users: { type: 'string' },
      groups: { type: 'string' },
      concurrency: { type: 'string' },
      'bench-dir': { type: 'string' },
      'peer-dir': { type: 'string' },
      'data-dir': { type: 'string' },
      json: { type: 'boolean' },
      'accept-errors': { type: 'boolean' },
      help: { type: 'boolean' },
    },
    USAGE,
  )
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const runner = (values.runner ?? 'start') as Runner
  if (runner !== 'start' && runner !== 'wrangler-dev')
    throw new CliError('--runner is start or wrangler-dev', USAGE)
  const runs = positiveInt('runs', values.runs, 3, 9, USAGE)
  const bench: Bench = {
    benchDir: values['bench-dir'] ?? join(PROJECT_ROOT, '..', 'shared', 'bench'),
    peerDir: values['peer-dir'] ?? '/tmp/peer',
    shape: {
      users: positiveInt('users', values.users, 1000, 100_000, USAGE),
      groups: positiveInt('groups', values.groups, 20, 1000, USAGE),
      concurrency: positiveInt('concurrency', values.concurrency, 8, 256, USAGE),
    },
    acceptErrors: values['accept-errors'] ?? false,
    errors: [],
    log,
  }
  checkBench(bench)
  const dataDir = values['data-dir']
  if (dataDir !== undefined) useDataDir(dataDir)

  const config = await copyConfigWithRateLimit(UNTHROTTLED)
  const label = runner === 'start' ? 'npm start' : 'wrangler dev'
  const discarded = { peer: 0, product: 0 }
  const product: PhaseRates[] = []
  const peer: PhaseRates[] = []
  const loadBefore = currentLoad()
  const started = new Date()
  try {
    for (let run = 1; run <= runs; run++) {
      log(`\n## run ${run} of ${runs}: peer`)
      peer.push(await validRun(() => runPeer(bench), discarded, 'peer'))
      log(`\n## run ${run} of ${runs}: ${label}`)
      product.push(await validRun(() => runProduct(bench, runner, config.path), discarded, 'product'))
    }
  } finally {
    await config.remove()
  }
  const comparison = compare(product, peer)
  const m = machine()
  const { users, groups, concurrency } = bench.shape
  process.stdout.write(
    `\n${formatComparison(comparison, label)}\n\n` +
      `${users} users, ${groups} groups, ${concurrency} in flight; medians of ${runs} runs each, interleaved. ` +
      `Revision ${revision()}, ${started.toISOString().slice(0, 16)}Z, data in ${tmpdir()}, ${m.cpus} × ${m.cpuModel}, ` +
      `${m.memoryGb} GB, Node ${m.node}; load average ${loadBefore} before, ${currentLoad()} after. ` +
      `${verdict(comparison)}. ` +
      `Invalid runs discarded and run again: peer ${discarded.peer}, ${label} ${discarded.product}. ` +
      `Errors per run, in order: ${bench.errors.join('; ')}.\n`,
  )
  if (values.json)
    process.stdout.write(`${JSON.stringify({ runner, shape: bench.shape, product, peer, comparison })}\n`)
}

await runMain(main)
