/**
 * `npm run deploy [-- --env <name>] [<wrangler deploy options>]`: applies the remote migrations to
 * every D1 binding of the env (default `production`), then runs `wrangler deploy --env <name>`.
 * Migrations go first so the new code never runs against an old schema; each migration must
 * therefore also suit the code still deployed until `wrangler deploy` finishes.
 * With `--dry-run` nothing remote is touched: no migrations, only wrangler's bundle build.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { runMain } from './lib/cli-error'
import { migrateAllDatabases } from './lib/migrate'
import { DEFAULT_REMOTE_ENV, optionValue } from './lib/target-args'
import { PROJECT_ROOT } from './lib/wrangler'

const log = (line: string) => process.stderr.write(`${line}\n`)

/** The arguments without `--env <v>`, `--env=<v>` and `-e <v>`. */
function withoutEnv(args: readonly string[]): string[] {
  const rest: string[] = []
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--env' || args[i] === '-e') i++
    else if (!args[i]!.startsWith('--env=')) rest.push(args[i]!)
  }
  return rest
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  const env = optionValue(argv, 'env', 'e') ?? DEFAULT_REMOTE_ENV
  const passthrough = withoutEnv(argv)
  const dryRun = passthrough.includes('--dry-run')

  if (dryRun) log('--dry-run: skipping the remote migrations.')
  else await migrateAllDatabases({ remote: true, env }, log)

  log(`Deploying with: wrangler deploy --env ${env} ${passthrough.join(' ')}`.trimEnd())
  const child = spawn(
    process.execPath,
    [join(PROJECT_ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--env', env, ...passthrough],
    { cwd: PROJECT_ROOT, stdio: 'inherit' },
  )
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)))
  if (code !== 0) {
    log(`\n✘ wrangler deploy failed (exit ${code}).`)
    if (!dryRun) log('  The migrations above are applied; fix the error and run `npm run deploy` again.')
  }
  process.exitCode = code
}

await runMain(main)
