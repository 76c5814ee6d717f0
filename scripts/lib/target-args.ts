import { resolve } from 'node:path'
import { CliError } from './cli-error'
import type { WranglerTarget } from './wrangler'

/** The `parseArgs` options that choose where wrangler acts, shared by the scripts. */
export const TARGET_OPTIONS = {
  local: { type: 'boolean' },
  remote: { type: 'boolean' },
  'persist-to': { type: 'string' },
  env: { type: 'string' },
} as const

/**
 * The environment `--remote` acts on unless `--env` says otherwise: the one `npm run deploy`
 * ships, so a token created remotely lands in the KV namespace the deployed Worker reads.
 */
export const DEFAULT_REMOTE_ENV = 'production'

/** The target named by parsed TARGET_OPTIONS; local unless --remote. */
export function targetFromValues(
  values: { local?: boolean; remote?: boolean; 'persist-to'?: string; env?: string },
  hint: string,
): WranglerTarget {
  if (values.local && values.remote) throw new CliError('Choose one of --local and --remote', hint)
  if (values.remote && values['persist-to'] !== undefined) {
    throw new CliError('--persist-to applies to --local only', hint)
  }
  if (values.env === '') throw new CliError('--env needs an environment name', hint)
  // Relative to where the operator is, not to the project root where wrangler runs.
  const persistTo = values['persist-to'] === undefined ? undefined : resolve(values['persist-to'])
  const remote = values.remote ?? false
  return { remote, persistTo, env: values.env ?? (remote ? DEFAULT_REMOTE_ENV : undefined) }
}

/** The value of `--<name> <v>`, `--<name>=<v>` (or `-<short> <v>`) in wrangler-style arguments. */
export function optionValue(args: readonly string[], name: string, short?: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === `--${name}` || (short !== undefined && arg === `-${short}`)) return args[i + 1]
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3)
  }
  return undefined
}

/** The arguments with the value of `--persist-to` made absolute (wrangler runs in the project root). */
export function absolutePersistTo(args: readonly string[]): string[] {
  return args.map((arg, i) => {
    if (args[i - 1] === '--persist-to') return resolve(arg)
    return arg.startsWith('--persist-to=')
      ? `--persist-to=${resolve(arg.slice('--persist-to='.length))}`
      : arg
  })
}
