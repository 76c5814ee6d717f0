import { databaseBindingSchema, labelSchema, tenantNameSchema } from '../../src/control/rules'
import { CliError } from './cli-error'
import { parseCommandLine } from './cli-flags'
import { TARGET_OPTIONS, targetFromValues } from './target-args'
import { parseSchemaArgs, type SchemaArgs } from './tenant-schema'
import type { WranglerTarget } from './wrangler'

/** Usage of `npm run tenant`. */
export const TENANT_USAGE = `Usage: npm run tenant -- <command> [options]

Commands:
  create <tenant> [--label <text>] [--expires <duration>] [--db <BINDING>]
                                  new tenant with one token (printed once)
  rotate <tenant> [--grace <duration>] [--label <text>] [--expires <duration>]
                                  new token; the old ones keep working for the grace period
                                  (default --grace 0: they stop working at once)
  revoke <tenant> [--token-id <id>]
                                  remove one token, or all of them without --token-id
  setup-link <tenant> [--expires <duration>]
                                  a one-time link to the setup page for the tenant's IT admin
                                  (default --expires 72h, at most 30d)
  suspend <tenant>                every request of the tenant gets 401 until resume
  resume <tenant>
  list                            tenants with status, database and tokens (never their hashes)
  import                          copy tenants made before D1 held tenants (KV only) into D1
  delete <tenant>                 remove the tenant's record and all its rows in D1
  schema add <tenant> <file.json> [--resource User|Group] [--required]
                                  declare (or update) an extension schema, RFC 7643 §7 JSON;
                                  the resource type defaults to the URN's last segment
  schema list <tenant>            the tenant's extension schemas and their attributes
  schema remove <tenant> <urn>    stop serving an extension (stored values stay, hidden)

Options:
  --local            act on the local runtime's storage (default), as \`wrangler dev\` sees it
  --remote           act on the Cloudflare account (needs \`wrangler login\` or CLOUDFLARE_API_TOKEN)
  --persist-to <dir> local storage directory, as \`wrangler dev --persist-to\`
  --env <name>       a [env.<name>] of wrangler.toml (its KV and D1 bindings)
  --json             machine-readable output on stdout; progress goes to stderr

Durations: 30s, 15m, 1h, 7d (and 0 for --grace).`

/** The commands of `npm run tenant`. */
export const TENANT_COMMANDS = [
  'create',
  'rotate',
  'revoke',
  'setup-link',
  'suspend',
  'resume',
  'list',
  'import',
  'delete',
  'schema',
] as const
export type TenantCommand = (typeof TENANT_COMMANDS)[number]

/** A validated `npm run tenant` invocation. */
export interface TenantArgs {
  command: TenantCommand
  /** Empty for `list`. */
  tenant: string
  target: WranglerTarget
  json: boolean
  label?: string
  expiresInMs?: number
  graceMs: number
  tokenId?: string
  /** D1 binding for a new tenant. */
  db: string
  /** The action of `schema`. */
  schema?: SchemaArgs
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const MAX_DURATION_MS = 3650 * UNITS.d!

/** `30s`, `15m`, `1h`, `7d` (or `0`) in milliseconds; throws a CliError naming `flag` otherwise. */
export function parseDuration(text: string, flag: string): number {
  if (text.trim() === '0') return 0
  const match = /^(\d{1,7})([smhd])$/.exec(text.trim())
  if (!match) {
    throw new CliError(
      `${flag} ${JSON.stringify(text)} is not a duration`,
      'Use a number and a unit: 30s, 15m, 1h or 7d.',
    )
  }
  const ms = Number(match[1]) * UNITS[match[2]!]!
  if (ms > MAX_DURATION_MS)
    throw new CliError(`${flag} ${text} is longer than 10 years`, 'Use a shorter duration.')
  return ms
}

const OPTIONS = {
  ...TARGET_OPTIONS,
  json: { type: 'boolean' },
  label: { type: 'string' },
  expires: { type: 'string' },
  grace: { type: 'string' },
  'token-id': { type: 'string' },
  db: { type: 'string' },
  resource: { type: 'string' },
  required: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

// Options that only some commands take; the rest (target, --json) apply to all.
const COMMAND_OPTIONS: Record<string, readonly TenantCommand[]> = {
  label: ['create', 'rotate'],
  expires: ['create', 'rotate', 'setup-link'],
  db: ['create'],
  grace: ['rotate'],
  'token-id': ['revoke'],
  resource: ['schema'],
  required: ['schema'],
}

const USAGE_HINT = 'Run `npm run tenant -- --help` for usage.'
const usageError = (message: string) => new CliError(message, USAGE_HINT)

/** Validates the command line of `npm run tenant`; `'help'` when usage was asked for. */
export function parseTenantArgs(argv: string[]): TenantArgs | 'help' {
  const { values, positionals } = parseCommandLine(argv, OPTIONS, USAGE_HINT)
  if (values.help || positionals.length === 0 || positionals[0] === 'help') return 'help'

  const [command, ...rest] = positionals as [string, ...string[]]
  if (!(TENANT_COMMANDS as readonly string[]).includes(command))
    throw usageError(`Unknown command ${JSON.stringify(command)}`)
  const cmd = command as TenantCommand
  const schema = cmd === 'schema' ? parseSchemaArgs(rest, values, usageError) : undefined
  const [tenant = '', ...extra] = schema ? [schema.tenant] : rest

  if (cmd === 'list' || cmd === 'import') {
    if (tenant) throw usageError(`\`${cmd}\` takes no tenant name`)
  } else {
    if (!tenant) throw usageError(`\`${cmd}\` needs a tenant name: npm run tenant -- ${cmd} <tenant>`)
    if (!tenantNameSchema.safeParse(tenant).success) {
      throw new CliError(
        `${JSON.stringify(tenant)} is not a valid tenant name`,
        'Use 1–63 lowercase letters, digits and inner hyphens (it becomes the subdomain <tenant>.<BASE_DOMAIN>).',
      )
    }
  }
  if (extra.length > 0) throw usageError(`Unexpected argument ${JSON.stringify(extra[0])}`)

  for (const [option, commands] of Object.entries(COMMAND_OPTIONS)) {
    if (values[option as keyof typeof values] !== undefined && !commands.includes(cmd)) {
      throw usageError(`--${option} is not an option of \`${cmd}\` (only of ${commands.join(', ')})`)
    }
  }
  const target = targetFromValues(values, USAGE_HINT)

  const label = values.label
  if (label !== undefined && !labelSchema.safeParse(label).success) {
    throw usageError('--label must be at most 100 printable characters')
  }
  const db = values.db ?? 'DB'
  if (!databaseBindingSchema.safeParse(db).success)
    throw usageError(`--db ${JSON.stringify(db)} is not a D1 binding name (like DB or DB_2)`)
  const expiresInMs = values.expires === undefined ? undefined : parseDuration(values.expires, '--expires')
  if (expiresInMs === 0) throw usageError('--expires must be longer than 0')
  if (values['token-id'] === '')
    throw usageError('--token-id needs a token id (see `npm run tenant -- list`)')

  return {
    command: cmd,
    tenant,
    target,
    json: values.json ?? false,
    ...(label !== undefined && { label }),
    ...(expiresInMs !== undefined && { expiresInMs }),
    graceMs: values.grace === undefined ? 0 : parseDuration(values.grace, '--grace'),
    ...(values['token-id'] !== undefined && { tokenId: values['token-id'] }),
    db,
    ...(schema && { schema: schema.schema }),
  }
}
