import { z } from '@hono/zod-openapi'
import type { ControlPorts } from '../control/ports'
import type { TenantRow } from '../control/tenant-row'
import { DELETING, type Deletion, runningDeletion } from '../deletion/deletions'

/** A tenant deletion as the management API shows it, with its Workflow instance's status. */

export const DeletionSchema = z
  .object({
    id: z.string().openapi({ description: 'The handle; also the id of the Workflow instance running it' }),
    tenant: z.string(),
    db: z.string().openapi({ description: 'The D1 binding that held its rows' }),
    state: z.string().openapi({
      description:
        'complete once the tenant is gone; before, the Workflow instance status (queued, running, waiting — the revocation delay —, errored, …); unknown when run by the tenant CLI',
    }),
    error: z
      .string()
      .optional()
      .openapi({ description: 'Why the instance errored; a new DELETE restarts it' }),
    requestedAt: z.string(),
    finalRoundAfter: z.string().openapi({
      description: 'The final round runs after this time: the request plus the revocation delay',
    }),
    rounds: z.number().int().openapi({ description: 'Rounds done' }),
    rowsDeleted: z.number().int(),
    rowsLeft: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'Rows left after the last round; null before the first' }),
    lastRoundAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    location: z.string(),
  })
  .openapi('Deletion')

export type DeletionView = z.output<typeof DeletionSchema>

export const DELETION_EXAMPLE: DeletionView = {
  id: 'del_4f1c2a9b7d3e8c10',
  tenant: 'acme',
  db: 'DB',
  state: 'running',
  requestedAt: '2026-05-14T09:00:00.000Z',
  finalRoundAfter: '2026-05-14T09:02:00.000Z',
  rounds: 12,
  rowsDeleted: 96000,
  rowsLeft: 41250,
  lastRoundAt: '2026-05-14T09:00:31.000Z',
  finishedAt: null,
  location: '/admin/v1/deletions/del_4f1c2a9b7d3e8c10',
}

/** The view of a deletion: its progress in D1 and, while it runs, its instance's status. */
export async function deletionView(workflow: Workflow, deletion: Deletion): Promise<DeletionView> {
  const instance = deletion.finishedAt === null ? await instanceStatus(workflow, deletion.id) : undefined
  return {
    ...deletion,
    state: deletion.finishedAt !== null ? 'complete' : (instance?.status ?? 'unknown'),
    ...(instance?.error && { error: `${instance.error.name}: ${instance.error.message}` }),
    location: `/admin/v1/deletions/${deletion.id}`,
  }
}

/** The instance's status; undefined when there is none (a deletion the tenant CLI runs). */
async function instanceStatus(workflow: Workflow, id: string) {
  try {
    return await (await workflow.get(id)).status()
  } catch {
    return undefined
  }
}

const RESTARTABLE = new Set(['errored', 'terminated'])

/**
 * Makes sure the deletion's Workflow instance exists and runs: created on the first DELETE,
 * restarted when it errored or was terminated (its rounds are idempotent, so it starts over safely),
 * left alone otherwise. A DELETE is therefore also how a failed deletion is resumed.
 */
export async function ensureRunning(workflow: Workflow, id: string): Promise<void> {
  try {
    await workflow.create({ id, params: { deletionId: id } })
    return
  } catch (error) {
    // It exists already (a DELETE before this one made it); anything else is a failure.
    const instance = await workflow.get(id).catch(() => {
      throw error
    })
    const { status } = await instance.status()
    if (RESTARTABLE.has(status)) await instance.restart()
  }
}

/** The progress of a tenant's deletion, for GET /tenants/{name}; undefined unless it is being deleted. */
export async function deletionOf(ports: ControlPorts, env: Env, row: TenantRow) {
  if (row.status !== DELETING) return undefined
  const deletion = await runningDeletion(ports, row.name)
  return deletion && deletionView(env.TENANT_DELETION, deletion)
}
