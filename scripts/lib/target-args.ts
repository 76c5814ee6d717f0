import { CliError } from './cli-error'
import type { WranglerTarget } from './wrangler'

/** The `parseArgs` options that choose where wrangler acts, shared by the scripts. */
export const TARGET_OPTIONS = {
  local: { type: 'boolean' },
  remote: { type: 'boolean' },
  'persist-to': { type: 'string' },
  env: { type: 'string' },
} as const

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
  return { remote: values.remote ?? false, persistTo: values['persist-to'], env: values.env }
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
