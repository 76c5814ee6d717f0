/**
 * The retry schedule of a webhook delivery: exponential from 30 s, capped at 6 h, each delay
 * jittered by ±20 % so an endpoint coming back is not hit by every parked event at once.
 * 13 attempts (the first and 12 retries, wrangler.toml `max_retries = 12`) span about 20.5 hours
 * before the message moves to the dead-letter queue.
 */
export const FIRST_DELAY_SECONDS = 30
export const MAX_DELAY_SECONDS = 6 * 3600
export const MAX_ATTEMPTS = 13
const JITTER = 0.2

/** The delay before the attempt after `attempt` (1-based); `random` in [0, 1). */
export function retryDelaySeconds(attempt: number, random: number = Math.random()): number {
  const base = Math.min(FIRST_DELAY_SECONDS * 2 ** (attempt - 1), MAX_DELAY_SECONDS)
  return Math.round(base * (1 - JITTER + 2 * JITTER * random))
}
