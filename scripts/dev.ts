/**
 * `npm run dev [-- <wrangler dev options>]`: applies the local migrations, makes sure tenant `dev`
 * exists (printing its token only when it is new), then runs `wrangler dev` with the given options.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runMain } from './lib/cli-error'
import { migrateAllDatabases } from './lib/migrate'
import { absolutePersistTo, optionValue } from './lib/target-args'
import { createTenant } from './lib/tenant-commands'
import { flagsText, readTenant } from './lib/tenant-store'
import { createWrangler, PROJECT_ROOT, quietWranglerEnv, type WranglerTarget } from './lib/wrangler'

const DEV_TENANT = 'dev'
const log = (line: string) => process.stderr.write(`${line}\n`)

async function ensureDevTenant(target: WranglerTarget, port: string): Promise<void> {
  const w = createWrangler(target)
  if (await readTenant(w, DEV_TENANT)) {
    log(`Tenant ${DEV_TENANT} exists; its token was printed when it was created.`)
    log(`For a new one: npm run tenant -- rotate ${DEV_TENANT} ${flagsText(w)}`)
    return
  }
  const issued = await createTenant(w, { name: DEV_TENANT, db: 'DB', label: 'npm run dev' }, log)
  process.stdout.write(
    `\nCreated tenant ${DEV_TENANT}. Its token (shown only this once):\n  ${issued.token}\n\nTry:\n` +
      `  curl -H "Authorization: Bearer ${issued.token}" http://${DEV_TENANT}.localhost:${port}/scim/v2/Users\n` +
      `Tools on Node (fetch, newman) cannot resolve ${DEV_TENANT}.localhost; for them the tenant's base URL is\n` +
      `  http://localhost:${port}/tenants/${DEV_TENANT}/scim/v2\n\n`,
  )
}

/**
 * `wrangler dev` reads secrets from `.dev.vars` (git-ignored). Cursor pagination (RFC 9865) and the
 * webhook signing secrets need an encryption secret each; a random one is written on first run so
 * both work locally too.
 */
const DEV_SECRETS = {
  CURSOR_SECRET: 'cursor pagination encrypts cursors with a key derived from it',
  WEBHOOK_SECRET_KEY: 'webhook signing secrets are stored encrypted under a key derived from it',
}

function ensureDevVars(): void {
  const file = join(PROJECT_ROOT, '.dev.vars')
  for (const [name, why] of Object.entries(DEV_SECRETS)) {
    const current = existsSync(file) ? readFileSync(file, 'utf8') : ''
    if (new RegExp(`^${name}=`, 'm').test(current)) continue
    const line = `${name}=${randomBytes(32).toString('base64url')}\n`
    writeFileSync(file, current && !current.endsWith('\n') ? `${current}\n${line}` : `${current}${line}`, {
      mode: 0o600,
    })
    log(`Wrote a random ${name} to .dev.vars (${why}).`)
  }
}

async function main(): Promise<void> {
  const passthrough = absolutePersistTo(process.argv.slice(2))
  const target: WranglerTarget = {
    remote: false,
    persistTo: optionValue(passthrough, 'persist-to'),
    env: optionValue(passthrough, 'env', 'e'),
  }
  ensureDevVars()
  await migrateAllDatabases(target, log, { echo: false })
  await ensureDevTenant(target, optionValue(passthrough, 'port') ?? '8787')

  const child = spawn(
    process.execPath,
    [join(PROJECT_ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'dev', ...passthrough],
    // The first screen shows the token and the URL, not wrangler's network noise (wrangler.ts).
    { cwd: PROJECT_ROOT, stdio: 'inherit', env: quietWranglerEnv() },
  )
  // Ctrl-C reaches wrangler directly (same process group) and it shuts down by itself: we only
  // stay alive until it has. A SIGTERM sent to us alone is passed on.
  process.on('SIGINT', () => {})
  process.on('SIGTERM', () => child.kill('SIGTERM'))
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 0)))
  process.exitCode = code
}

await runMain(main)
