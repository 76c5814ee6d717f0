import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stripVTControlCharacters } from 'node:util'
import { CliError } from './cli-error'

/** The repository root: wrangler runs here so it finds wrangler.toml and `.wrangler/state`. */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))
// The project's own wrangler (pinned in package.json), started with this Node: no shell, no PATH
// lookup, same behaviour on every OS.
const WRANGLER_JS = join(PROJECT_ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js')

/** Where wrangler's KV and D1 commands act: the local runtime's storage or the Cloudflare account. */
export interface WranglerTarget {
  remote: boolean
  /** Local storage directory, as `wrangler dev --persist-to`; local only. */
  persistTo?: string | undefined
  /** A `[env.<name>]` of wrangler.toml. */
  env?: string | undefined
}

/** The captured outcome of one wrangler run. */
export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

/**
 * The environment of every wrangler we start (each variable can still be set in the shell): no
 * fetch of `request.cf` data from workers.cloudflare.com, which prints two stack traces offline
 * (the Worker reads no `request.cf`; miniflare's fallback values serve), no banner with its update
 * check, no usage metrics.
 */
export function quietWranglerEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...env,
    CLOUDFLARE_CF_FETCH_ENABLED: env.CLOUDFLARE_CF_FETCH_ENABLED ?? 'false',
    WRANGLER_HIDE_BANNER: env.WRANGLER_HIDE_BANNER ?? 'true',
    WRANGLER_SEND_METRICS: env.WRANGLER_SEND_METRICS ?? 'false',
  }
}

/** Runs the project's wrangler with its output captured; `echo` also copies it live to our stderr. */
export function runWrangler(args: string[], options: { echo?: boolean } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRANGLER_JS, ...args], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...quietWranglerEnv(), FORCE_COLOR: '0', NO_COLOR: '1' },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      if (options.echo) process.stderr.write(chunk)
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      if (options.echo) process.stderr.write(chunk)
    })
    child.on('error', (error) =>
      reject(new CliError(`Could not start wrangler: ${error.message}`, 'Run `npm install` first.')),
    )
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }))
  })
}

/** `--local`/`--remote`, `--persist-to` and `--env` for a target: the only difference between the two. */
export function targetFlags(target: WranglerTarget): string[] {
  const flags = [target.remote ? '--remote' : '--local']
  if (target.persistTo && !target.remote) flags.push('--persist-to', target.persistTo)
  if (target.env) flags.push('--env', target.env)
  return flags
}

/** The part of wrangler's output that explains a failure: its `[ERROR]` block, or the last lines. */
export function failureSummary(result: RunResult): string {
  const text = stripVTControlCharacters(`${result.stderr}\n${result.stdout}`)
  const at = text.indexOf('[ERROR]')
  if (at >= 0)
    return text
      .slice(at + '[ERROR]'.length, at + 1200)
      .split(/\n\s*\n/)[0]!
      .trim()
  const lines = text.split('\n').filter((line) => line.trim() !== '')
  return lines.slice(-8).join('\n').trim() || `exit code ${result.code}`
}

/** What to do next for the failures an operator can fix. */
function failureHint(summary: string, target: WranglerTarget): string | undefined {
  if (/no such table/i.test(summary)) {
    const where = target.remote
      ? '--remote'
      : `--local${target.persistTo ? ` --persist-to ${target.persistTo}` : ''}`
    return `Apply the migrations first: npm run db:migrate -- ${where}${target.env ? ` --env ${target.env}` : ''}`
  }
  if (/CLOUDFLARE_API_TOKEN|wrangler login|not logged in|authenticat/i.test(summary)) {
    return 'Log in with `npx wrangler login`, or set CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID).'
  }
  if (/More than one account/i.test(summary)) {
    return 'Set CLOUDFLARE_ACCOUNT_ID (or account_id in wrangler.toml) to the account to use.'
  }
  if (/fetch failed|ENOTFOUND|ECONNREFUSED|ETIMEDOUT/i.test(summary)) {
    return 'Check the network connection to api.cloudflare.com, then retry.'
  }
  return undefined
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const RATE_LIMITED = /\b429\b|rate.?limit|too many requests/i
const KV_WRITE_ATTEMPTS = 5

/** One D1 statement's result as `wrangler d1 execute --json` prints it. */
export interface D1StatementResult {
  results: Record<string, unknown>[]
  success: boolean
  meta?: Record<string, unknown>
}

/** The KV and D1 operations the project's scripts need, for one target. */
export interface WranglerClient {
  target: WranglerTarget
  kvGet(key: string): Promise<string | null>
  kvPut(key: string, value: string): Promise<void>
  kvList(prefix: string): Promise<string[]>
  kvDelete(key: string): Promise<void>
  d1Execute(sql: string, binding: string): Promise<D1StatementResult[]>
  d1MigrationsApply(binding: string, options?: { echo?: boolean }): Promise<RunResult>
}

/** A client whose every command carries the target's flags, so local and remote share one code path. */
export function createWrangler(target: WranglerTarget, namespace = 'TENANTS'): WranglerClient {
  const flags = targetFlags(target)

  async function run(what: string, args: string[], options: { echo?: boolean } = {}): Promise<RunResult> {
    const result = await runWrangler([...args, ...flags], options)
    if (result.code !== 0) {
      const summary = failureSummary(result)
      throw new CliError(`wrangler ${what} failed: ${summary}`, failureHint(summary, target), result)
    }
    return result
  }

  return {
    target,

    async kvGet(key) {
      const { stdout } = await run('kv key get', ['kv', 'key', 'get', key, '--binding', namespace, '--text'])
      // wrangler exits 0 and prints this sentence for a missing key; stored values here are JSON.
      if (stdout.trim() === 'Value not found') return null
      return stdout.endsWith('\n') ? stdout.slice(0, -1) : stdout
    },

    async kvPut(key, value) {
      // The value goes through a private temporary file: no quoting, no argv length limit, and
      // it never shows up in the process list.
      const dir = await mkdtemp(join(tmpdir(), 'edge-scim-kv-'))
      const path = join(dir, 'value.json')
      try {
        await writeFile(path, value, { mode: 0o600 })
        const args = ['kv', 'key', 'put', key, '--binding', namespace, '--path', path]
        for (let attempt = 1; ; attempt++) {
          try {
            await run('kv key put', args)
            return
          } catch (error) {
            const rateLimited = error instanceof CliError && RATE_LIMITED.test(error.message)
            if (!rateLimited || attempt >= KV_WRITE_ATTEMPTS) throw error
            // KV accepts one write per second per key.
            const delay = 1000 * 2 ** (attempt - 1)
            process.stderr.write(`KV rate limit on ${key}; retrying in ${delay / 1000}s…\n`)
            await sleep(delay)
          }
        }
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
    },

    async kvList(prefix) {
      const { stdout } = await run('kv key list', [
        'kv',
        'key',
        'list',
        '--binding',
        namespace,
        '--prefix',
        prefix,
      ])
      const keys = parseJsonOutput(stdout, 'kv key list') as { name: string }[]
      return keys.map((key) => key.name)
    },

    async kvDelete(key) {
      await run('kv key delete', ['kv', 'key', 'delete', key, '--binding', namespace])
    },

    async d1Execute(sql, binding) {
      const args = ['d1', 'execute', binding, '--command', sql, '--json', '--yes']
      const result = await runWrangler([...args, ...flags])
      if (result.code !== 0) {
        // With --json, wrangler reports SQL errors as `{"error":{"text":…}}` on stdout.
        const reported = tryParseJson(result.stdout) as { error?: { text?: string } } | undefined
        const summary = reported?.error?.text ?? failureSummary(result)
        throw new CliError(
          `wrangler d1 execute ${binding} failed: ${summary}`,
          failureHint(summary, target),
          result,
        )
      }
      return parseJsonOutput(result.stdout, 'd1 execute') as D1StatementResult[]
    },

    d1MigrationsApply(binding, options = {}) {
      return run(`d1 migrations apply ${binding}`, ['d1', 'migrations', 'apply', binding], options)
    },
  }
}

function tryParseJson(text: string): unknown {
  // Skip anything wrangler printed before the JSON document (a warning, say).
  const start = text.search(/^[[{]/m)
  if (start < 0) return undefined
  try {
    return JSON.parse(text.slice(start))
  } catch {
    return undefined
  }
}

function parseJsonOutput(stdout: string, what: string): unknown {
  const parsed = tryParseJson(stdout)
  if (parsed === undefined) throw new CliError(`wrangler ${what} printed no JSON: ${stdout.slice(0, 300)}`)
  return parsed
}
