import { parseArgs } from 'node:util'
import { CliError } from './cli-error'

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
  --help`

export interface BenchArgs {
  users: number
  samples: number
  json: boolean
  compare?: number | undefined
  keep: boolean
  help: boolean
}

// Beyond this the load alone takes long on a laptop, and D1 itself caps a database at 10 GB.
const MAX_USERS = 100_000

function positiveInt(name: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback
  const value = Number(text.replaceAll('_', ''))
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new CliError(`--${name} must be a whole number from 1 to ${max}, not ${text}`, BENCH_USAGE)
  }
  return value
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  let values: ReturnType<typeof parse>['values']
  try {
    values = parse(argv).values
  } catch (error) {
    throw new CliError((error as Error).message, BENCH_USAGE)
  }
  const users = positiveInt('users', values.users, 1000, MAX_USERS)
  // Fewer leave too few users outside the big group for the PATCH samples (bench.ts checks exactly).
  if (users < 100) throw new CliError('--users must be at least 100', BENCH_USAGE)
  return {
    users,
    samples: positiveInt('samples', values.samples, 50, 10_000),
    json: values.json ?? false,
    compare: values.compare === undefined ? undefined : positiveInt('compare', values.compare, 0, MAX_USERS),
    keep: values.keep ?? false,
    help: values.help ?? false,
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      users: { type: 'string' },
      samples: { type: 'string' },
      json: { type: 'boolean' },
      compare: { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}
