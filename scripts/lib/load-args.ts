import { CliError } from './cli-error'
import { parseFlags, positiveInt } from './cli-flags'

export const LOAD_USAGE = `Usage: npm run load [-- options]

Starts the Worker with wrangler dev on throwaway local storage, creates one tenant, and runs an
Okta-like and an Entra-like provisioning storm against it at once (creates, PATCHes, PUTs,
deletes and membership changes, with deliberate conflicts); then reads everything back and checks
it against what was acknowledged. Exits 1 on a failed check, a 5xx or a request without answer.

  --users <n>         users in the directory (default 300; about 8 requests each)
  --concurrency <n>   requests in flight per client (default 64)
  --seed <n>          seed of the schedule (default 1): the same seed, the same requests
  --json              print the report as one JSON document on stdout (progress stays on stderr)
  --help`

const OPTIONS = {
  users: { type: 'string' },
  concurrency: { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

const MIN_USERS = 20

export interface LoadArgs {
  users: number
  concurrency: number
  seed: number
  json: boolean
  help: boolean
}

export function parseLoadArgs(argv: string[]): LoadArgs {
  const values = parseFlags(argv, OPTIONS, LOAD_USAGE)
  const users = positiveInt('users', values.users, 300, 20_000, LOAD_USAGE)
  // Fewer users leave some roles (shared, deleted) and group kinds without anyone in them.
  if (users < MIN_USERS) throw new CliError(`--users must be at least ${MIN_USERS}`, LOAD_USAGE)
  return {
    users,
    concurrency: positiveInt('concurrency', values.concurrency, 64, 1000, LOAD_USAGE),
    seed: positiveInt('seed', values.seed, 1, 2 ** 31, LOAD_USAGE),
    json: values.json ?? false,
    help: values.help ?? false,
  }
}
