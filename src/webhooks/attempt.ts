import { describeError } from '../ops/safe-error'
import { signedHeaders } from './signing'

/** How long a receiver has to answer one attempt. */
export const ATTEMPT_TIMEOUT_MS = 10_000

export interface AttemptOutcome {
  readonly ok: boolean
  readonly status: number | null
  readonly latencyMs: number
  readonly error: string | null
}

/**
 * One signed POST. Redirects are not followed (`redirect: 'manual'`): a 3xx is a failure, so a
 * receiver cannot bounce the request to a host the URL policy refused. Only a 2xx is success.
 */
export async function postWebhook(
  send: typeof fetch,
  url: string,
  secrets: readonly string[],
  id: string,
  body: string,
): Promise<AttemptOutcome> {
  const started = Date.now()
  try {
    const response = await send(url, {
      method: 'POST',
      headers: signedHeaders(secrets, id, new Date(), body),
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    })
    // The body is not needed; cancelling frees the connection.
    await response.body?.cancel()
    const ok = response.status >= 200 && response.status < 300
    return {
      ok,
      status: response.status,
      latencyMs: Date.now() - started,
      error: ok ? null : `HTTP ${response.status}`,
    }
  } catch (error) {
    const { name, message } = describeError(error)
    return { ok: false, status: null, latencyMs: Date.now() - started, error: `${name}: ${message}` }
  }
}
