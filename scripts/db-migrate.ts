/**
 * `npm run db:migrate -- --local|--remote [--persist-to <dir>] [--env <name>]`: applies
 * `wrangler d1 migrations apply` to every D1 binding that wrangler.toml declares for that env,
 * since each tenant's data may live on any of them.
 */
import { parseArgs } from 'node:util'
import { CliError, runMain } from './lib/cli-error'
import { migrateAllDatabases } from './lib/migrate'
import { TARGET_OPTIONS, targetFromValues } from './lib/target-args'

const USAGE = 'Usage: npm run db:migrate -- --local|--remote [--persist-to <dir>] [--env <name>]'

async function main(): Promise<void> {
  let values: ReturnType<typeof parseArgs<{ options: typeof TARGET_OPTIONS }>>['values']
  try {
    ;({ values } = parseArgs({ args: process.argv.slice(2), options: TARGET_OPTIONS, strict: true }))
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error), USAGE)
  }
  await migrateAllDatabases(targetFromValues(values, USAGE), (line) => process.stderr.write(`${line}\n`))
}

await runMain(main)
