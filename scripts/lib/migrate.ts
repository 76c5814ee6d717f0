import { CliError } from './cli-error'
import { createWrangler, type WranglerTarget } from './wrangler'
import { readD1Bindings } from './wrangler-config'

/**
 * Applies the pending migrations to every D1 binding of the target's env, one after the other.
 * `echo: false` keeps wrangler's tables out of the output (a failure still shows wrangler's message).
 */
export async function migrateAllDatabases(
  target: WranglerTarget,
  log: (line: string) => void,
  { echo = true }: { echo?: boolean } = {},
): Promise<string[]> {
  const bindings = await readD1Bindings(target.env)
  const scope = target.env ? `env ${target.env}` : 'the top level of wrangler.toml'
  if (bindings.length === 0) {
    throw new CliError(
      `No D1 databases are declared for ${scope}.`,
      'Add a [[d1_databases]] entry to wrangler.toml.',
    )
  }
  const w = createWrangler(target)
  const where = target.remote ? 'remote' : `local${target.persistTo ? ` (${target.persistTo})` : ''}`
  for (const binding of bindings) {
    if (echo) log(`Applying migrations to ${binding} (${where}, ${scope})…`)
    // wrangler's own table of applied migrations is useful here, so it is echoed (to stderr).
    await w.d1MigrationsApply(binding, { echo })
  }
  log(`Migrations applied to ${bindings.join(', ')}.`)
  return bindings
}
