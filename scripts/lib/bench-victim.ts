/**
 * Tenant B of `npm run bench -- --noisy-neighbour` (bench-noisy.ts), in a process of its own: its
 * latencies must not include the time the benchmark spends reading tenant A's answers (1.7 MB of
 * JSON each, 10–20 ms of the benchmark's event loop apiece), which another tenant's client never
 * shares. Started with `--port`, `--host`, `--token` and `--path`; over IPC it answers
 * `{ samples: n }` with n requests sent one after another, and `'start'` … `'stop'` with the requests
 * sent in between (at least one).
 */
import http from 'node:http'
import { parseArgs } from 'node:util'

export interface VictimSample {
  ms: number
  status: number
  serverTiming: string
  bytes: number
}

export type VictimCommand = { samples: number } | 'start' | 'stop'

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    token: { type: 'string' },
    path: { type: 'string' },
  },
})
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
const headers = {
  Host: values.host,
  Authorization: `Bearer ${values.token}`,
  Accept: 'application/scim+json',
}

function get(): Promise<VictimSample> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port: Number(values.port), path: values.path, headers, agent }
    http
      .get(options, (res) => {
        let bytes = 0
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length
        })
        res.on('end', () =>
          resolve({
            ms: performance.now() - started,
            status: res.statusCode ?? 0,
            serverTiming: String(res.headers['server-timing'] ?? ''),
            bytes,
          }),
        )
        res.on('error', reject)
      })
      .on('error', reject)
  })
}

let stopped = true

async function samples(n: number): Promise<VictimSample[]> {
  const out: VictimSample[] = []
  for (let i = 0; i < n; i++) out.push(await get())
  return out
}

async function untilStopped(): Promise<VictimSample[]> {
  stopped = false
  const out: VictimSample[] = []
  do out.push(await get())
  while (!stopped)
  return out
}

process.on('message', (command: VictimCommand) => {
  if (command === 'stop') {
    stopped = true
    return
  }
  const run = command === 'start' ? untilStopped() : samples(command.samples)
  run.then(
    (result) => process.send?.({ samples: result }),
    (error: unknown) => process.send?.({ error: String(error) }),
  )
})
process.send?.('ready')
