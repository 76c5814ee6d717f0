import { type ParseArgsConfig, parseArgs } from 'node:util'
import { CliError } from './cli-error'

/** Parses flags only (no positionals; unknown flags refused); a mistake is a CliError showing `usage`. */
type Options = NonNullable<ParseArgsConfig['options']>

export function parseFlags<const T extends Options>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: false, options }).values
  } catch (error) {
    throw new CliError((error as Error).message, usage)
  }
}

/** Parses a command with positionals (unknown flags refused); a mistake is a CliError showing `usage`. */
export function parseCommandLine<const T extends Options>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: true, options })
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error), usage)
  }
}

/** A whole number from 1 to `max` (`_` separators allowed), `fallback` when the flag is absent. */
export function positiveInt(
  name: string,
  text: string | undefined,
  fallback: number,
  max: number,
  usage: string,
): number {
  if (text === undefined) return fallback
  const value = Number(text.replaceAll('_', ''))
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new CliError(`--${name} must be a whole number from 1 to ${max}, not ${text}`, usage)
  }
  return value
}
