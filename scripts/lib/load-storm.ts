/** Runs both clients' queues at once, each on its own lanes, against one tenant. */
import type { LoadHttp } from './load-client'
import { runEntraJob } from './load-entra'
import { type ClientContext, idBook } from './load-idp'
import { runOktaJob } from './load-okta'
import type { Job, StormPlan } from './load-plan'
import { lanes } from './wire'

const RUNNERS = { okta: runOktaJob, entra: runEntraJob } as const

/** Runs `plan` until both queues are done; progress every 10 s. */
export async function runStorm(
  http: LoadHttp,
  plan: StormPlan,
  concurrency: number,
  log: (line: string) => void,
): Promise<void> {
  let done = 0
  const total = plan.okta.length + plan.entra.length
  const timer = setInterval(() => log(`  ${done}/${total} jobs, ${http.ops.length} requests`), 10_000)
  try {
    await Promise.all(
      (['okta', 'entra'] as const).map((client) => {
        const ctx: ClientContext = { client, http, plan, users: idBook(), groups: idBook() }
        const queue: Job[] = plan[client]
        let next = 0
        return lanes(concurrency, async () => {
          const job = queue[next++]
          if (!job) return false
          await RUNNERS[client](ctx, job)
          done++
          return true
        })
      }),
    )
  } finally {
    clearInterval(timer)
  }
}
