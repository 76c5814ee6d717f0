/**
 * `npm start -- [--config <file>] [--port <p>] [--ip <addr>] [--persist-to <dir>] [--var NAME:VALUE]`:
 * the built Worker served by Miniflare directly — no development proxy, no reload, no file watching —
 * over the same local D1, KV, queues, Workflows and rate limits as `wrangler dev`, with the crons
 * run on their schedule as Cloudflare runs them. Storage is wrangler's (`<persist-to>/v3`).
 */
import { rm } from 'node:fs/promises'
import { Cron } from 'croner'
import { Log, LogLevel, Miniflare } from 'miniflare'
import { runMain } from './lib/cli-error'
import { parseStartOptions } from './lib/start-options'
import { planStart } from './lib/start-worker'

interface ScheduledFetcher {
  scheduled(options: { cron: string; scheduledTime: Date }): Promise<{ outcome: string }>
}

const log = (line: string) => process.stderr.write(`${line}\n`)

async function main(): Promise<void> {
  const options = parseStartOptions(process.argv.slice(2))
  log('Building the Worker (wrangler deploy --dry-run)…')
  const plan = await planStart(options)
  const mf = new Miniflare({ ...plan.options, log: new Log(LogLevel.WARN) })
  const entry = await mf.ready
  const url = plan.direct ? await mf.unsafeGetDirectURL(plan.name) : entry

  // Cloudflare runs cron triggers in UTC; a run that fails is logged and the next one still comes.
  const crons = plan.crons.map(
    (cron) =>
      new Cron(cron, { timezone: 'UTC', protect: true }, async () => {
        try {
          // Miniflare types the Fetcher with the project's Workers types, which the scripts lack.
          const worker = (await mf.getWorker(plan.name)) as unknown as ScheduledFetcher
          const result = await worker.scheduled({ cron, scheduledTime: new Date() })
          if (result.outcome !== 'ok') log(`cron "${cron}": ${result.outcome}`)
        } catch (error) {
          log(`cron "${cron}" failed: ${error instanceof Error ? error.message : String(error)}`)
        }
      }),
  )

  log(`Serving ${plan.name} on ${url.origin} (storage ${options.persistTo}/v3)`)
  if (plan.crons.length > 0) log(`Cron triggers (UTC): ${plan.crons.join(', ')}`)

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  for (const cron of crons) cron.stop()
  await mf.dispose()
  await rm(plan.outdir, { recursive: true, force: true })
}

await runMain(main)
