import type { DeliveryEntry } from './event-delivery'

/**
 * How long the first write of a window waits for more before its events are sent. A window's events
 * share one `sendBatch` per queue and one D1 statement marking them delivered: under load a write
 * costs a fraction of those calls (each also a D1 write transaction) instead of all three.
 */
export const DELIVERY_WINDOW_MS = 50

interface Window {
  readonly entries: DeliveryEntry[]
  /** Entries the request that opened it can send within its call budget. */
  readonly capacity: number
}

/** What opening a window needs from the request that opens it. */
export interface WindowOpener {
  /** Entries this request can send (its call budget left, in pages of events). */
  readonly capacity: number
  /** Sends a window's entries and marks them delivered (`sendEntries`), on this request's bindings. */
  send(entries: readonly DeliveryEntry[]): Promise<unknown>
  /** Keeps the window alive after the answer (this request's `waitUntil`). */
  waitUntil(promise: Promise<unknown>): void
}

/**
 * The open delivery windows of one deployment (env) in this isolate, one per tenant and database, so
 * no tenant's events wait behind another's. A write joins its tenant's open window when it fits,
 * otherwise it opens one: the opener sends it after DELIVERY_WINDOW_MS, within its own waitUntil and
 * call budget. Nothing here is durable: the outbox is, and the cron re-sends whatever a lost window
 * did not mark (at-least-once, as before).
 */
export class DeliveryWindows {
  private readonly open = new Map<string, Window>()

  constructor(private readonly windowMs = DELIVERY_WINDOW_MS) {}

  add(key: string, entries: readonly DeliveryEntry[], opener: WindowOpener): void {
    const current = this.open.get(key)
    if (current && current.entries.length + entries.length <= current.capacity) {
      current.entries.push(...entries)
      return
    }
    const window: Window = { entries: [...entries], capacity: opener.capacity }
    this.open.set(key, window)
    opener.waitUntil(
      new Promise((resolve) => setTimeout(resolve, this.windowMs)).then(() => {
        // Closed before sending: a write arriving meanwhile opens the next window.
        if (this.open.get(key) === window) this.open.delete(key)
        return opener.send(window.entries)
      }),
    )
  }
}
