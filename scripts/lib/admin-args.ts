import { labelSchema } from '../../src/control/rules'
import { CliError } from './cli-error'
import { parseCommandLine } from './cli-flags'
import { TARGET_OPTIONS, targetFromValues } from './target-args'
import type { WranglerTarget } from './wrangler'

/** Usage of `npm run admin`. */
export const ADMIN_USAGE = `Usage: npm run admin -- key <create|list|revoke> [options]

Operator keys of the management API (https://<BASE_DOMAIN>/admin/v1). A key is printed once and
stored only as its SHA-256 hash in D1 (binding DB); several may be live, so a key is rotated by
creating the next one, switching the backend to it, then revoking the old one.

Commands:
  key create [--label <text>]     a new key (printed only this once)
  key list                        every key: id, label, created, revoked (never the key)
  key revoke <keyId>              the key stops working with the next request

Options:
  --local            act on the local runtime's storage (default), as \`wrangler dev\` sees it
  --remote           act on the Cloudflare account (needs \`wrangler login\` or CLOUDFLARE_API_TOKEN)
  --persist-to <dir> local storage directory, as \`wrangler dev --persist-to\`
  --env <name>       a [env.<name>] of wrangler.toml (its D1 bindings)
  --json             machine-readable output on stdout; progress goes to stderr`

export interface AdminArgs {
  action: 'create' | 'list' | 'revoke'
  keyId?: string
  label?: string
  target: WranglerTarget
  json: boolean
}

const OPTIONS = {
  ...TARGET_OPTIONS,
  json: { type: 'boolean' },
  label: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

const HINT = 'Run `npm run admin -- --help` for usage.'
const usageError = (message: string) => new CliError(message, HINT)

/** Validates the command line of `npm run admin`; `'help'` when usage was asked for. */
export function parseAdminArgs(argv: string[]): AdminArgs | 'help' {
  const { values, positionals } = parseCommandLine(argv, OPTIONS, HINT)
  if (values.help || positionals.length === 0 || positionals[0] === 'help') return 'help'
  const [group, action, keyId, ...extra] = positionals
  if (group !== 'key')
    throw usageError(`Unknown command ${JSON.stringify(group)}; the commands are key create|list|revoke`)
  if (action !== 'create' && action !== 'list' && action !== 'revoke')
    throw usageError('`key` needs an action: create, list or revoke')
  if (action === 'revoke' && !keyId)
    throw usageError('`key revoke` needs the key id (see `npm run admin -- key list`)')
  const unexpected = action === 'revoke' ? extra[0] : (keyId ?? extra[0])
  if (unexpected !== undefined) throw usageError(`Unexpected argument ${JSON.stringify(unexpected)}`)
  if (values.label !== undefined && action !== 'create')
    throw usageError('--label is an option of `key create` only')
  if (values.label !== undefined && !labelSchema.safeParse(values.label).success)
    throw usageError('--label must be at most 100 printable characters')
  return {
    action,
    ...(keyId !== undefined && { keyId }),
    ...(values.label !== undefined && { label: values.label }),
    target: targetFromValues(values, HINT),
    json: values.json ?? false,
  }
}
