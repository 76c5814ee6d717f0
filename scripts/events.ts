/**
 * `npm run events -- <tenant> [--since <time>] [--follow] [--json]`: the change events of a tenant,
 * read from its D1 database with `wrangler d1 execute`, the same code for --local and --remote.
 * stdout carries only events; progress, summaries and errors go to stderr.
 */
import { CliError, runMain } from './lib/cli-error'
import { EVENTS_USAGE, type EventsArgs, parseEventsArgs, TAIL_EVENTS } from './lib/events-args'
import {
  EVENTS_PAGE,
  type EventRecord,
  formatEvent,
  pageSql,
  tailSql,
  toEventRecord,
} from './lib/events-query'
import { flagsText, requireTenant } from './lib/tenant-store'
import { createWrangler, type WranglerClient } from './lib/wrangler'

const log = (line: string) => process.stderr.write(`${line}\n`)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** Consecutive failed polls after which --follow gives up. */
const MAX_POLL_FAILURES = 5

async function query(w: WranglerClient, binding: string, sql: string): Promise<EventRecord[]> {
  const [statement] = await w.d1Execute(sql, binding)
  return (statement?.results ?? []).map(toEventRecord)
}

function printer(args: EventsArgs) {
  let shown = 0
  let pending = 0
  return {
    print(events: EventRecord[]) {
      for (const event of events) {
        process.stdout.write(`${args.json ? JSON.stringify(event) : formatEvent(event)}\n`)
        shown++
        if (!event.deliveredAt) pending++
      }
    },
    summary: () =>
      `${shown} event${shown === 1 ? '' : 's'}${pending ? ` (${pending} not delivered yet)` : ''}`,
  }
}

/** Everything since `args.since` page by page, or the last events; returns the last seq seen. */
async function readExisting(
  w: WranglerClient,
  binding: string,
  args: EventsArgs,
  out: ReturnType<typeof printer>,
) {
  if (args.since === undefined) {
    const events = await query(w, binding, tailSql(args.tenant))
    out.print(events)
    return events.at(-1)?.seq ?? 0
  }
  let after = 0
  for (;;) {
    const events = await query(w, binding, pageSql(args.tenant, after, args.since))
    out.print(events)
    after = events.at(-1)?.seq ?? after
    if (events.length < EVENTS_PAGE) return after
    log(`… ${out.summary()} so far`)
  }
}

async function follow(
  w: WranglerClient,
  binding: string,
  args: EventsArgs,
  after: number,
  out: ReturnType<typeof printer>,
) {
  // Each poll starts a wrangler process; remotely it is also an API call.
  const intervalMs = w.target.remote ? 5000 : 2000
  log(`Following new events every ${intervalMs / 1000} s; Ctrl-C to stop.`)
  process.once('SIGINT', () => {
    log(`\nStopped: ${out.summary()}.`)
    process.exit(0)
  })
  let failures = 0
  for (;;) {
    await sleep(intervalMs)
    try {
      const events = await query(w, binding, pageSql(args.tenant, after))
      out.print(events)
      after = events.at(-1)?.seq ?? after
      failures = 0
    } catch (error) {
      if (!(error instanceof CliError) || ++failures >= MAX_POLL_FAILURES) throw error
      log(`Poll failed (${failures} of ${MAX_POLL_FAILURES} in a row): ${error.message}; retrying.`)
    }
  }
}

async function main(): Promise<void> {
  const args = parseEventsArgs(process.argv.slice(2))
  if (args === 'help') {
    process.stdout.write(`${EVENTS_USAGE}\n`)
    return
  }
  const w = createWrangler(args.target)
  const record = await requireTenant(w, args.tenant)
  const what = args.since === undefined ? `the last ${TAIL_EVENTS} events` : `events since ${args.since}`
  log(`Reading ${what} of ${args.tenant} from ${record.db} (${flagsText(w)})…`)
  const out = printer(args)
  const after = await readExisting(w, record.db, args, out)
  const none =
    args.since === undefined
      ? `No events of ${args.tenant} yet.`
      : `No events of ${args.tenant} since ${args.since}.`
  log(after === 0 ? none : `${out.summary()}.`)
  if (args.follow) await follow(w, record.db, args, after, out)
}

await runMain(main)
