import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CliError } from './cli-error'
import { PROJECT_ROOT } from './wrangler'

// The top-level RATE_LIMITER's limit; the production one comes later in the file and is left alone.
const TOP_LEVEL_LIMIT = /^(simple = \{ limit = )\d+(, period = \d+ \})$/m

export interface ConfigCopy {
  path: string
  remove(): Promise<void>
}

/**
 * A copy of wrangler.toml with another per-tenant rate limit, for a benchmark or test that must not
 * be throttled (or must be, quickly). It sits beside wrangler.toml because wrangler resolves `main`,
 * `migrations_dir` and `.dev.vars` relative to the configuration file.
 */
export async function copyConfigWithRateLimit(limit: number): Promise<ConfigCopy> {
  const original = await readFile(join(PROJECT_ROOT, 'wrangler.toml'), 'utf8')
  if (!TOP_LEVEL_LIMIT.test(original)) {
    throw new CliError('wrangler.toml has no top-level `simple = { limit = N, period = P }` to raise')
  }
  const path = join(PROJECT_ROOT, `.wrangler-copy-${process.pid}-${limit}.toml`)
  await writeFile(path, original.replace(TOP_LEVEL_LIMIT, `$1${limit}$2`))
  return { path, remove: () => rm(path, { force: true }) }
}
