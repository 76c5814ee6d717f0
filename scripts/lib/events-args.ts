import { TENANT_NAME_PATTERN } from '../../src/tenancy/tenant-record'
import { CliError } from './cli-error'
import { parseCommandLine } from './cli-flags'
import { TARGET_OPTIONS, targetFromValues } from './target-args'
import { parseDuration } from './tenant-args'
import type { WranglerTarget } from './wrangler'

/** Events shown without `--since`. */
export const TAIL_EVENTS = 20

/** Usage of `npm run events`. */
export const EVENTS_USAGE = `Usage: npm run events -- <tenant> [options]

The change events of a tenant (its outbox in D1), oldest first: what changed, when, by which token,
and whether it was delivered to the SCIM_EVENTS queue.

Options:
  --since <time>     events from then on: an ISO 8601 time (2026-05-14T09:00:00Z) or how long ago
                     (30s, 15m, 1h, 7d); without it, the last ${TAIL_EVENTS} events
  --follow, -f       then keep printing new events until Ctrl-C
  --json             one JSON object per event on stdout (JSON Lines); progress goes to stderr
  --local            the local runtime's storage (default), as \`wrangler dev\` sees it
  --remote           the Cloudflare account (env production unless --env)
  --persist-to <dir> local storage directory, as \`wrangler dev --persist-to\`
  --env <name>       a [env.<name>] of wrangler.toml`

/** A validated `npm run events` invocation. */
export interface EventsArgs {
  tenant: string
  target: WranglerTarget
  /** ISO time; absent: the last TAIL_EVENTS events. */
  since?: string
  follow: boolean
  json: boolean
}

const OPTIONS = {
  ...TARGET_OPTIONS,
  since: { type: 'string' },
  follow: { type: 'boolean', short: 'f' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

const USAGE_HINT = 'Run `npm run events -- --help` for usage.'
const usageError = (message: string) => new CliError(message, USAGE_HINT)

/** `--since` as an ISO time: a duration before `now`, or a date-time with a zone (or a date). */
export function parseSince(text: string, now: Date): string {
  if (/^\d+[smhd]$/.test(text.trim()))
    return new Date(now.getTime() - parseDuration(text, '--since')).toISOString()
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text)
  const zoned = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text)
  const at = Date.parse(text)
  if ((!dateOnly && !zoned) || Number.isNaN(at)) {
    throw usageError(
      `--since ${JSON.stringify(text)} is neither a time nor a duration: use 2026-05-14T09:00:00Z, 2026-05-14 (UTC) or 30s, 15m, 1h, 7d`,
    )
  }
  return new Date(at).toISOString()
}

/** Validates the command line of `npm run events`; `'help'` when usage was asked for. */
export function parseEventsArgs(argv: string[], now = new Date()): EventsArgs | 'help' {
  const { values, positionals } = parseCommandLine(argv, OPTIONS, USAGE_HINT)
  if (values.help || positionals.length === 0) return 'help'
  const [tenant = '', ...extra] = positionals
  if (extra.length > 0) throw usageError(`Unexpected argument ${JSON.stringify(extra[0])}`)
  if (!TENANT_NAME_PATTERN.test(tenant)) {
    throw new CliError(
      `${JSON.stringify(tenant)} is not a valid tenant name`,
      'See the tenants with: npm run tenant -- list',
    )
  }
  return {
    tenant,
    target: targetFromValues(values, USAGE_HINT),
    ...(values.since !== undefined && { since: parseSince(values.since, now) }),
    follow: values.follow ?? false,
    json: values.json ?? false,
  }
}
