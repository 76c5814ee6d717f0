import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from 'cloudflare:workers'
import { d1Port, workerPorts } from '../admin/worker-ports'
import { d1Binding } from '../ops/d1-bindings'
import { type Deletion, findDeletion, finishDeletion, recordRound } from './deletions'
import { deleteRound, roundRows } from './rounds'

/** What DELETE /admin/v1/tenants/{name} starts the Workflow with; the instance id is the handle. */
export interface DeletionParams {
  readonly deletionId: string
}

// A round is one D1 batch of a few thousand rows per table: seconds at most. Transient D1 errors
// and a restarted runtime are retried; the rounds are idempotent, so a retry is always safe.
const STEP = {
  retries: { limit: 10, delay: '5 seconds', backoff: 'exponential' },
  timeout: '5 minutes',
} as const

/**
 * Deletes a tenant of any size in rounds, each a durable step: a restart resumes after the last
 * finished step. First rounds until the tenant's rows are gone, then a sleep until the revocation
 * delay has passed since the tenant was closed (a request that began with a cached, still active
 * record in another location may have written rows meanwhile), then rounds again, then the control
 * rows and the KV record. Workflows rather than Queues: steps, retries and sleeps are durable and
 * the instance's status is queryable, which a chain of queue messages would have to rebuild.
 */
export class TenantDeletion extends WorkflowEntrypoint<Env, DeletionParams> {
  override async run(event: Readonly<WorkflowEvent<DeletionParams>>, step: WorkflowStep) {
    const deletion = await step.do('read the deletion', STEP, async () => {
      const found = await findDeletion(workerPorts(this.env), event.payload.deletionId)
      if (!found) throw new Error(`No tenant deletion ${event.payload.deletionId}`)
      return found
    })
    if (deletion.finishedAt !== null) return { rounds: 0, rowsDeleted: 0, alreadyFinished: true }
    let rounds = await this.#roundsUntilEmpty(step, deletion, 'round', 0)
    await step.sleepUntil('revocation delay', new Date(deletion.finalRoundAfter))
    rounds = await this.#roundsUntilEmpty(step, deletion, 'final round', rounds)
    await step.do('remove the tenant', STEP, async () => {
      await finishDeletion(workerPorts(this.env), deletion)
      return true
    })
    return { rounds }
  }

  async #roundsUntilEmpty(step: WorkflowStep, deletion: Deletion, name: string, done: number) {
    let rounds = done
    for (let n = 1; ; n++) {
      rounds++
      const result = await step.do(`${name} ${n}`, STEP, () => this.#round(deletion, rounds))
      if (result.rowsLeft === 0) return rounds
    }
  }

  async #round(deletion: Deletion, round: number) {
    const binding = d1Binding(this.env, deletion.db)
    if (!binding)
      throw new Error(
        `Tenant ${deletion.tenant} names D1 binding ${deletion.db}, which this deployment lacks`,
      )
    const started = Date.now()
    const result = await deleteRound(
      d1Port(binding),
      deletion.tenant,
      roundRows(this.env.TENANT_DELETION_ROUND_ROWS),
    )
    await recordRound(workerPorts(this.env), deletion.id, result)
    const ms = Date.now() - started
    console.log(
      JSON.stringify({
        level: 'info',
        message: 'tenant deletion round',
        tenant: deletion.tenant,
        deletion: deletion.id,
        round,
        deleted: result.deletedTotal,
        rowsLeft: result.rowsLeft,
        ms,
      }),
    )
    return { ...result, ms }
  }
}
