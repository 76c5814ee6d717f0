import { CliError } from './cli-error'
import { parseFlags, positiveInt } from './cli-flags'

export const BENCH_USAGE = `Usage: npm run bench [-- options]

Starts the Worker with wrangler dev on throwaway local storage, loads users and groups through the
SCIM API (/Bulk, then PATCH), and times the queries identity providers send.

  --users <n>        users to load (default 1000, at most 100000)
  --samples <n>      timed requests per query (default 50)
  --json             print the results as one JSON document on stdout (progress stays on stderr)
  --compare <n>      also load a second tenant of n users (e.g. 1000) on its own D1 database, time
                     both sizes interleaved sample by sample (so machine load hits both alike), and
                     check the target: each lookup, GET, cursor page and PATCH median
                     within 1.5x of its median at n users
  --keep             keep the local storage directory (its path is printed) for EXPLAIN QUERY PLAN
  --noisy-neighbour  instead: issue #12's adversarial group graph (32 levels of 16 groups over
                     1,000 users) in tenant A, whose four worst requests run at once while tenant B
                     sends GET /Users?count=1 one after another; checks B's median latency
  --runner <r>       with --noisy-neighbour: wrangler-dev (default) or start (npm start, no dev proxy)
  --help`

export interface BenchArgs {
  users: number
  samples: number
  json: boolean
  compare?: number | undefined
  keep: boolean
  noisyNeighbour: boolean
  runner: 'wrangler-dev' | 'start'
  help: boolean
}

const OPTIONS = {
  users: { type: 'string' },
  samples: { type: 'string' },
  json: { type: 'boolean' },
  compare: { type: 'string' },
  keep: { type: 'boolean' },
  'noisy-neighbour': { type: 'boolean' },
  runner: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

// Beyond this the load alone takes long on a laptop, and D1 itself caps a database at 10 GB.
const MAX_USERS = 100_000

const int = (name: string, text: string | undefined, fallback: number, max: number) =>
  positiveInt(name, text, fallback, max, BENCH_USAGE)

function runnerOf(text: string | undefined): BenchArgs['runner'] {
  if (text === undefined || text === 'wrangler-dev' || text === 'start') return text ?? 'wrangler-dev'
  throw new CliError(`--runner must be wrangler-dev or start, not ${text}`, BENCH_USAGE)
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const values = parseFlags(argv, OPTIONS, BENCH_USAGE)
  const users = int('users', values.users, 1000, MAX_USERS)
  // Fewer leave too few users outside the big group for the PATCH samples (bench.ts checks exactly).
  if (users < 100) throw new CliError('--users must be at least 100', BENCH_USAGE)
  return {
    users,
    samples: int('samples', values.samples, 50, 10_000),
    json: values.json ?? false,
    compare: values.compare === undefined ? undefined : int('compare', values.compare, 0, MAX_USERS),
    keep: values.keep ?? false,
    noisyNeighbour: values['noisy-neighbour'] ?? false,
    runner: runnerOf(values.runner),
    help: values.help ?? false,
  }
}
