/** The signals whose listeners wrangler's library adds when it loads. */
const SIGNALS = ['SIGINT', 'SIGTERM'] as const

/**
 * wrangler's library entry point (its `unstable_` exports; wrangler is pinned to an exact version).
 * Loading it runs module code written for wrangler's own CLI, which adds SIGINT and SIGTERM listeners
 * that exit the process at once; a script that handles Ctrl-C itself (`events --follow`, `start`)
 * would never get to, so the listeners the import added are removed.
 * Imported lazily: loading wrangler takes about a second, and only some commands need it.
 */
export async function importWranglerLibrary<T>(): Promise<T> {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]))
  const library = (await import('wrangler')) as T
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.off(signal, listener)
    }
  }
  return library
}
