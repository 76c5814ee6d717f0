/**
 * CPU profiles of the Worker's isolate through its DevTools inspector (Chrome DevTools Protocol):
 * what the Worker's own JavaScript spends per request, without local D1, KV and HTTP, which run
 * elsewhere in workerd. Needs a global WebSocket (Node 22+, or Node 20 with --experimental-websocket).
 */

/** The parts of a V8 `Profiler.Profile` that are read here (the whole is written to the file). */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]
  samples: number[]
  timeDeltas: number[]
}

export interface Profiler {
  start(): Promise<void>
  stop(): Promise<CpuProfile>
  close(): void
}

// V8 samples every 1 ms by default: too coarse for requests of a few ms.
const SAMPLING_INTERVAL_US = 100

/** Connects to the first Worker that the inspector on `port` lists (Miniflare's proxy or wrangler dev's). */
export async function connectProfiler(port: number): Promise<Profiler> {
  const WebSocketClass = (globalThis as { WebSocket?: typeof WebSocket }).WebSocket
  if (!WebSocketClass)
    throw new Error('No global WebSocket: run on Node 22+, or Node 20 with --experimental-websocket')
  const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
    webSocketDebuggerUrl: string
  }[]
  const url = list[0]?.webSocketDebuggerUrl
  if (!url) throw new Error(`The inspector on port ${port} lists no Worker`)
  // Undici's non-standard second argument: inspector proxies refuse a connection without an Origin.
  const socket = new (WebSocketClass as unknown as new (url: string, init: unknown) => WebSocket)(url, {
    headers: { Origin: 'http://localhost' },
  })
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true })
    socket.addEventListener('error', () => reject(new Error(`No inspector on port ${port}`)), { once: true })
  })
  let nextId = 1
  const pending = new Map<number, (result: unknown) => void>()
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: unknown }
    if (message.id === undefined) return
    pending.get(message.id)?.(message.result ?? message.error)
    pending.delete(message.id)
  })
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve) => {
      const id = nextId++
      pending.set(id, resolve)
      socket.send(JSON.stringify({ id, method, params }))
    })
  await send('Profiler.enable')
  await send('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US })
  return {
    start: async () => {
      await send('Profiler.start')
    },
    stop: async () => ((await send('Profiler.stop')) as { profile: CpuProfile }).profile,
    close: () => socket.close(),
  }
}

const IDLE = new Set(['(idle)', '(program)'])

export interface ProfileSummary {
  /** Sampled time the isolate was running JavaScript or collecting garbage, ms. */
  busyMs: number
  /** The functions with the most self time: `name (file:line)` and ms. */
  top: { frame: string; ms: number }[]
}

/** Busy time and the `count` functions with the most self time. */
export function summarize(profile: CpuProfile, count = 6): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]))
  const self = new Map<string, number>()
  let busyUs = 0
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)
    const delta = profile.timeDeltas[i] ?? 0
    if (!frame || IDLE.has(frame.functionName)) return
    busyUs += delta
    const file = frame.url.split('/').pop() || 'native'
    const key = `${frame.functionName || '(anonymous)'} (${file}:${frame.lineNumber + 1})`
    self.set(key, (self.get(key) ?? 0) + delta)
  })
  const top = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([frame, us]) => ({ frame, ms: us / 1000 }))
  return { busyMs: busyUs / 1000, top }
}
