/**
 * `npm run bench:floor`: what the local platform itself costs per request under `npm start`, with a
 * Worker that does nothing else: workerd's CPU for an HTTP request answered at once, for one D1
 * round trip (`SELECT 1`), and for a batch of 10. Miniflare is the version `npm start` runs. One
 * workerd thread serves everything locally (the Worker, D1's simulator, HTTP), so these are the
 * floor of this server's cost per request on this machine, before any of its own work.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Miniflare } from 'miniflare'
import { currentLoad, machine } from './lib/bench-report'
import { runMain } from './lib/cli-error'
import { parseFlags, positiveInt } from './lib/cli-flags'
import { cpuSeconds, descendantsNamed } from './lib/process-cpu'

const USAGE = 'Usage: npm run bench:floor -- [--requests 2000]'
const IN_FLIGHT = 8

// `/d1?calls=N&batch=K`: N round trips, one after another, each a batch of K `SELECT 1`.
const WORKER = `export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    if (url.pathname !== '/d1') return new Response('ok')
    const calls = Number(url.searchParams.get('calls'))
    const batch = Number(url.searchParams.get('batch'))
    for (let i = 0; i < calls; i++) await env.DB.batch(Array.from({ length: batch }, () => env.DB.prepare('SELECT 1')))
    return new Response('ok')
  },
}`

async function main(): Promise<void> {
  const values = parseFlags(
    process.argv.slice(2),
    { requests: { type: 'string' }, help: { type: 'boolean' } },
    USAGE,
  )
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const requests = positiveInt('requests', values.requests, 2000, 100_000, USAGE)
  const persist = await mkdtemp(join(tmpdir(), 'edge-scim-floor-'))
  const mf = new Miniflare({
    modules: true,
    script: WORKER,
    d1Databases: ['DB'],
    d1Persist: persist,
    port: 0,
    // As npm start serves it (scripts/lib/start-worker.ts); the entry's URL measures what it adds.
    unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
  })
  try {
    const entry = await mf.ready
    const url = await mf.unsafeGetDirectURL()
    const workerd = descendantsNamed(process.pid, 'workerd')
    const cpuMsPer = async (count: number, run: () => Promise<void>) => {
      const before = cpuSeconds(workerd)
      await run()
      return ((cpuSeconds(workerd) - before) * 1000) / count
    }
    const get = async (path: string, base = url) => {
      const answer = await fetch(new URL(path, base))
      if (!answer.ok) throw new Error(`${path} answered ${answer.status}: ${await answer.text()}`)
      await answer.arrayBuffer()
    }
    await get('/d1?calls=50&batch=1')
    const answeredAtOnce = (base: URL) => {
      let next = 0
      return cpuMsPer(requests, () =>
        Promise.all(
          Array.from({ length: IN_FLIGHT }, async () => {
            while (next++ < requests) await get('/', base)
          }),
        ).then(() => undefined),
      )
    }
    const http = await answeredAtOnce(url)
    const viaEntry = await answeredAtOnce(entry)
    const roundTrip = await cpuMsPer(requests, () => get(`/d1?calls=${requests}&batch=1`))
    const batchOf10 = await cpuMsPer(requests / 2, () => get(`/d1?calls=${requests / 2}&batch=10`))
    const m = machine()
    process.stdout.write(
      `| workerd CPU, ms | per unit |\n|---|---:|\n` +
        `| an HTTP request answered at once (${IN_FLIGHT} in flight) | ${http.toFixed(2)} |\n` +
        `| the same through Miniflare's entry Worker (wrangler dev's path) | ${viaEntry.toFixed(2)} |\n` +
        `| a D1 round trip, one \`SELECT 1\` | ${roundTrip.toFixed(2)} |\n` +
        `| a D1 round trip, a batch of 10 \`SELECT 1\` | ${batchOf10.toFixed(2)} |\n\n` +
        `${requests} of each; ${m.cpus} × ${m.cpuModel}, Node ${m.node}, load average ${currentLoad()}.\n`,
    )
  } finally {
    await mf.dispose()
    await rm(persist, { recursive: true, force: true })
  }
}

await runMain(main)
