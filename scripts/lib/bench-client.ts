import { type DevServer, type DevServerAnswer, isWorkerRestart } from './dev-server'

/** One tenant's SCIM API on the dev server, as the benchmark uses it. */
export interface ScimClient {
  /** Sends one request under `/scim/v2`; answers whatever the Worker answered, timed. */
  send(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<TimedAnswer>
  /** Like `send`, but throws unless the status is `expected`. */
  expect(
    status: number,
    method: string,
    path: string,
    body?: unknown,
    timeoutMs?: number,
  ): Promise<TimedAnswer>
}

export interface TimedAnswer extends DevServerAnswer {
  /** Client-side latency: from sending the request to the end of the response body. */
  ms: number
}

export type Log = (line: string) => void

const DEFAULT_TIMEOUT_MS = 30_000
// A 429 is waited out (its Retry-After) and the request sent again, this many times at most.
const MAX_RATE_LIMIT_WAITS = 5
// A request wrangler dev dropped (isWorkerRestart) is sent again, this many times at most.
const MAX_RESTART_RETRIES = 3

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The tenant's client. The Worker limits requests per tenant (wrangler.toml [[ratelimits]], 1500 a
 * minute): a 429 is logged and waited out, and only the retried request's latency counts. A request
 * that wrangler dev dropped is sent again: the benchmark's writes are safe to repeat (adding a
 * member twice changes nothing; a repeated create answers 409, which the loader resolves).
 */
export function scimClient(server: DevServer, tenant: string, token: string, log: Log): ScimClient {
  const host = server.baseHost(tenant)
  const send = async (method: string, path: string, body?: unknown, timeoutMs = DEFAULT_TIMEOUT_MS) => {
    for (let waits = 0, restarts = 0; ; ) {
      const started = performance.now()
      const answer = await server.request(method, `/scim/v2${path}`, { host, token, body, timeoutMs })
      const ms = performance.now() - started
      if (isWorkerRestart(answer) && restarts < MAX_RESTART_RETRIES) {
        restarts++
        log(
          `  wrangler dev dropped ${method} ${path.split('?')[0]} (its runtime restarted): sending it again`,
        )
        continue
      }
      if (answer.status !== 429 || waits >= MAX_RATE_LIMIT_WAITS) return { ...answer, ms }
      waits++
      const seconds = Number(answer.headers['retry-after'] ?? 60)
      log(`  rate limited (429): waiting ${seconds} s as Retry-After asks, then retrying`)
      await sleep(seconds * 1000)
    }
  }
  return {
    send,
    async expect(status, method, path, body, timeoutMs) {
      const answer = await send(method, path, body, timeoutMs)
      if (answer.status !== status) {
        throw new Error(
          `${method} ${path} answered ${answer.status}, not ${status}: ${answer.body.slice(0, 500)}`,
        )
      }
      return answer
    },
  }
}
