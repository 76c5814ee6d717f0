/**
 * What `npm start` serves: the Worker bundled as `wrangler deploy` bundles it, and the Miniflare
 * options wrangler itself derives from the configuration for `wrangler dev`'s user Worker (bindings,
 * queue producers and consumers, Workflows, rate limits, vars and .dev.vars), minus the development
 * proxy, the reload, the dev-only middleware and Miniflare's entry Worker (`listenersOf`).
 */
import { mkdtemp, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MiniflareOptions, WorkerOptions } from 'miniflare'
import { CliError } from './cli-error'
import type { StartOptions } from './start-options'
import { failureSummary, runWrangler } from './wrangler'
import { importWranglerLibrary } from './wrangler-library'

/** The parts of wrangler's unstable_getMiniflareWorkerOptions answer that are used here. */
interface WranglerWorkerOptions {
  workerOptions: WorkerOptions
  main?: string
  externalWorkers: WorkerOptions[]
}

interface WranglerApi {
  unstable_getMiniflareWorkerOptions(configPath: string, env?: string): WranglerWorkerOptions
  unstable_readConfig(
    args: { config: string; env?: string },
    options: { hideWarnings: boolean },
  ): { name?: string; triggers: { crons?: string[] } }
}

export interface StartPlan {
  options: MiniflareOptions
  /** The Worker's name in Miniflare, for getWorker(). */
  name: string
  /** Whether the Worker listens itself (`listenersOf`), not behind Miniflare's entry. */
  direct: boolean
  crons: string[]
  /** The built bundle's directory (temporary; removed on exit). */
  outdir: string
}

/** Bundles the Worker exactly as `wrangler deploy` would ship it (no upload). */
async function buildBundle(options: StartOptions): Promise<{ outdir: string; entry: string }> {
  const outdir = await mkdtemp(join(tmpdir(), 'edge-scim-start-'))
  const args = ['deploy', '--dry-run', '--outdir', outdir, '--config', options.config]
  if (options.env) args.push('--env', options.env)
  const result = await runWrangler(args)
  if (result.code !== 0) throw new CliError(`The Worker does not build: ${failureSummary(result)}`)
  const entry = (await readdir(outdir)).find((file) => file.endsWith('.js'))
  if (!entry) throw new CliError(`wrangler deploy --dry-run wrote no JavaScript to ${outdir}`)
  return { outdir, entry: join(outdir, entry) }
}

interface Listener {
  host: string
  port: number
}

/**
 * Where requests come in. The Worker listens on --ip:--port itself (a direct socket), as Cloudflare's
 * edge hands it each request. Miniflare's entry Worker emulates that edge for `wrangler dev`
 * (`request.cf`, CF-Connecting-IP, compression by Accept-Encoding, error pages), none of which this
 * Worker reads, at a second isolate and hop per request: 0.23 ms of workerd's one thread for a GET
 * of /ServiceProviderConfig, a third of it. It stays on a loopback port for the crons (getWorker);
 * under --test-scheduled it serves --ip:--port, since it is what answers /cdn-cgi/handler/scheduled.
 */
export function listenersOf(options: StartOptions): { entry: Listener; worker: Listener[] } {
  const given = { host: options.ip, port: options.port }
  if (options.testScheduled) return { entry: given, worker: [] }
  return { entry: { host: '127.0.0.1', port: 0 }, worker: [given] }
}

export async function planStart(options: StartOptions): Promise<StartPlan> {
  // Miniflare is pinned to the version that wrangler uses.
  const wrangler = await importWranglerLibrary<WranglerApi>()
  let config: ReturnType<WranglerApi['unstable_readConfig']>
  let derived: WranglerWorkerOptions
  try {
    config = wrangler.unstable_readConfig(
      { config: options.config, env: options.env },
      { hideWarnings: true },
    )
    derived = wrangler.unstable_getMiniflareWorkerOptions(options.config, options.env)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new CliError(
      `${options.config}: ${message.trim()}`,
      'Fix the configuration or pass an existing --env.',
    )
  }
  const { outdir, entry } = await buildBundle(options)
  const name = config.name ?? 'worker'
  const bindings = { ...(derived.workerOptions.bindings ?? {}), ...options.vars }
  const listeners = listenersOf(options)
  const worker = {
    ...derived.workerOptions,
    name,
    modules: true,
    scriptPath: entry,
    // Module names are paths relative to this root, which must hold the bundle.
    modulesRoot: outdir,
    // The bundle is one self-contained ES module; wrangler's rules were for its own bundling.
    modulesRules: undefined,
    bindings,
    // Behind Miniflare's inspector proxy, which lists it under the Worker's name, as wrangler dev does.
    unsafeInspectorProxy: options.inspectorPort !== undefined,
    unsafeDirectSockets: listeners.worker,
  } as WorkerOptions
  return {
    name,
    direct: listeners.worker.length > 0,
    outdir,
    crons: config.triggers.crons ?? [],
    options: {
      host: listeners.entry.host,
      port: listeners.entry.port,
      // wrangler's layout: `npm run tenant` and `npm run db:migrate` act on the same files.
      defaultPersistRoot: join(options.persistTo, 'v3'),
      unsafeTriggerHandlers: options.testScheduled,
      inspectorPort: options.inspectorPort,
      // The Worker logs a JSON line per request itself; Miniflare's own line would double it.
      logRequests: false,
      workers: [worker, ...derived.externalWorkers],
    } as MiniflareOptions,
  }
}
