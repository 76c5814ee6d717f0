import type { Statement } from '../../db/batch'
import { runBatch } from '../../db/batch'
import { guard } from '../../db/resource-store'
import { tableOf } from '../../db/resource-tables'
import { databaseUnavailable, isTransientD1Error } from '../../db/transient'
import type { Tenant } from '../../env'
import { etagOf } from '../../http/etag'
import { ScimError, type ScimErrorBody } from '../../http/scim-error'
import type { ProjectionRequest } from '../../projection/project'
import { type ResourceKind, withoutComputedAttributes } from '../answer'
import { locationOf } from '../render'
import { commit, createResource, patchResource, removeResource, replaceResource } from '../service'
import { currentOf, planCreate, planPatch, planRemove, planReplace, selectCurrent } from '../write-plans'
import { processingOrder, resolveReferences } from './bulk-references'
import type { BulkOperation, BulkRequest, ValidOperation } from './bulk-request'

/** One entry of a BulkResponse's `Operations`, RFC 7644 §3.7.3. */
export interface BulkOutcome {
  method: string
  bulkId?: string
  location?: string
  version?: string
  status: string
  response?: ScimErrorBody
}

/**
 * RFC 7644 §3.7.1 lets a service provider that fails to resolve circular references answer 409.
 * With Users and Groups, a cycle is either groups nesting each other, which this server refuses in
 * every write (a group containing itself has no finite membership), or users managing each other,
 * which only a create-then-patch could resolve — and that would split an operation in two writes,
 * so a failure could leave half of it applied, against "each operation is atomic".
 */
const CIRCULAR = new ScimError(
  409,
  'Circular bulkId references cannot be resolved (RFC 7644 §3.7.1): this operation is on, or depends on, a cycle',
)

/** An operation with its references resolved: the resource it targets, if any, and its data. */
interface Resolved {
  readonly op: ValidOperation
  readonly id?: string
  readonly data: Record<string, unknown>
}

/** A planned operation: its statements, and how to record its outcome once they committed. */
interface Planned {
  readonly resolved: Resolved
  readonly statements: readonly Statement[]
  settle(results: readonly Record<string, unknown>[][]): void
}

const STATUS = { POST: 201, PUT: 200, PATCH: 200, DELETE: 204 } as const

/** Operations per D1 batch: bounds a batch's size and what one failure costs to re-run. */
const OPERATIONS_PER_BATCH = 100

class BulkRun {
  readonly outcomes = new Map<number, BulkOutcome>()
  /** bulkId → id of the resource its POST created; a bulkId namespace is this request. */
  readonly created = new Map<string, string>()
  private errors = 0

  constructor(
    readonly tenant: Tenant,
    private readonly failOnErrors: number | undefined,
    /** D1 round trips this invocation may still make (MAX_QUERIES_PER_INVOCATION). */
    readonly remaining: () => number,
  ) {}

  /** Whether `roundTrips` more fit the budget; an operation that does not fit fails, naming the limit. */
  affords(roundTrips: number) {
    return this.remaining() >= roundTrips
  }

  budgetSpent() {
    return new ScimError(
      413,
      `Not run: the request has spent its query budget (MAX_QUERIES_PER_INVOCATION, ${this.tenant.limits.queriesPerInvocation})`,
    )
  }

  /** RFC 7644 §3.7.3 — after `failOnErrors` errors, nothing more is processed or reported. */
  get stopped() {
    return this.failOnErrors !== undefined && this.errors >= this.failOnErrors
  }

  /** No computed attributes are read back: the BulkResponse carries no resource bodies. */
  projection(kind: ResourceKind): ProjectionRequest {
    return withoutComputedAttributes(this.tenant, kind)
  }

  succeed({ op }: Resolved, id: string, version?: number) {
    if (op.method === 'POST' && op.bulkId) this.created.set(op.bulkId, id)
    this.outcomes.set(op.index, {
      method: op.method,
      ...(op.bulkId ? { bulkId: op.bulkId } : {}),
      location: locationOf(this.tenant.baseUrl, op.kind, id),
      ...(version === undefined ? {} : { version: etagOf(version) }),
      status: String(STATUS[op.method]),
    })
  }

  fail(op: BulkOperation, error: unknown, id?: string) {
    const scimError = toScimError(error)
    this.errors++
    this.outcomes.set(op.index, {
      method: op.method,
      ...(op.bulkId ? { bulkId: op.bulkId } : {}),
      ...(op.valid && id !== undefined ? { location: locationOf(this.tenant.baseUrl, op.kind, id) } : {}),
      status: String(scimError.status),
      response: scimError.toBody(),
    })
  }
}

function toScimError(error: unknown): ScimError {
  if (error instanceof ScimError) return error
  if (isTransientD1Error(error)) return databaseUnavailable()
  console.error(JSON.stringify({ level: 'error', message: 'bulk operation failed', error: String(error) }))
  return new ScimError(500, 'Internal server error in this operation')
}

function resolve(run: BulkRun, op: ValidOperation): Resolved {
  const id = op.target === undefined ? undefined : resolveReferences(op.target, run.created)
  return { op, ...(id === undefined ? {} : { id }), data: resolveReferences(op.data, run.created) }
}

/** Runs one operation in its own batch(es), with the single-resource endpoints' conflict handling. */
async function runAlone(run: BulkRun, resolved: Resolved) {
  const { tenant } = run
  const { op, id = '', data } = resolved
  const projection = run.projection(op.kind)
  // A read and a write; conflict retries (concurrent writers of this resource) may add more.
  if (!run.affords(op.method === 'PUT' || op.method === 'PATCH' ? 2 : 1)) {
    run.fail(op, run.budgetSpent(), resolved.id)
    return
  }
  try {
    if (op.method === 'POST') {
      const answer = await createResource(tenant, op.kind, data, projection)
      run.succeed(resolved, String(answer.body.id), answer.version)
    } else if (op.method === 'DELETE') {
      await removeResource(tenant, op.kind, id, op.version)
      run.succeed(resolved, id)
    } else {
      const write = op.method === 'PUT' ? replaceResource : patchResource
      const answer = await write(tenant, op.kind, id, data, projection, op.version)
      run.succeed(resolved, id, answer.version)
    }
  } catch (error) {
    run.fail(op, error, resolved.id)
  }
}

/** Plans an operation against `current` rows (read in the wave's read batch for PUT and PATCH). */
function plan(run: BulkRun, resolved: Resolved, rows: readonly Record<string, unknown>[]): Planned {
  const { tenant } = run
  const { op, id = '', data } = resolved
  const projection = run.projection(op.kind)
  if (op.method === 'POST') {
    const write = planCreate(tenant, op.kind, data, projection)
    return {
      resolved,
      statements: write.statements,
      settle: (r) => settleAnswer(run, resolved, write.answer(r)),
    }
  }
  if (op.method === 'DELETE') {
    return {
      resolved,
      statements: planRemove(tenant, op.kind, id, op.version),
      settle: () => run.succeed(resolved, id),
    }
  }
  const current = currentOf(rows, op.kind, id, op.version)
  const write = (op.method === 'PUT' ? planReplace : planPatch)(
    tenant,
    op.kind,
    current,
    data,
    projection,
    op.version,
  )
  if (write)
    return {
      resolved,
      statements: write.statements,
      settle: (r) => settleAnswer(run, resolved, write.answer(r)),
    }
  // Nothing changes; the guard still fails the batch if an earlier operation in it moved the version.
  const scope = { tenantId: tenant.name, db: tenant.db, registry: tenant.registry }
  return {
    resolved,
    statements: [guard(scope, tableOf(op.kind), id, [current.version])],
    settle: () => run.succeed(resolved, id, current.version),
  }
}

const settleAnswer = (
  run: BulkRun,
  resolved: Resolved,
  answer: { body: { id?: unknown }; version: number },
) => run.succeed(resolved, String(answer.body.id), answer.version)

/**
 * Runs one wave of independent operations in request order with the effect of running them one by
 * one: their PUT/PATCH reads share one batch, their writes another (optimistically). D1 does not say
 * which statement failed a batch, so a failed batch is re-run operation by operation to attribute
 * the failure; an operation failing while being planned ends the batch before it, so `failOnErrors`
 * counts errors in processing order.
 */
async function runWave(run: BulkRun, wave: readonly BulkOperation[]) {
  const { tenant } = run
  const resolved = wave.map((op): Resolved | ScimError => {
    if (!op.valid) return op.error
    try {
      return resolve(run, op)
    } catch (error) {
      return toScimError(error)
    }
  })
  const reading = resolved.filter(
    (r): r is Resolved => !(r instanceof ScimError) && (r.op.method === 'PUT' || r.op.method === 'PATCH'),
  )
  const rows = new Map<Resolved, Record<string, unknown>[]>()
  if (reading.length > 0 && !run.affords(1)) {
    for (const [i, r] of resolved.entries())
      if (reading.includes(r as Resolved)) resolved[i] = run.budgetSpent()
  } else if (reading.length > 0) {
    try {
      const results = await runBatch(
        tenant.d1,
        reading.map((r) => selectCurrent(tenant, r.op.kind, r.id ?? '')),
      )
      for (const [i, r] of reading.entries()) rows.set(r, results[i] ?? [])
    } catch (error) {
      if (!isTransientD1Error(error)) throw error
      // The database is unavailable (after a retry): these operations fail with 503 in their turn.
      for (const [i, r] of resolved.entries())
        if (reading.includes(r as Resolved)) resolved[i] = toScimError(error)
    }
  }

  let pending: Planned[] = []
  let committed = false
  const flush = async () => {
    const batch = pending
    pending = []
    if (batch.length === 0) return
    if (!run.affords(1)) {
      for (const p of batch) if (!run.stopped) run.fail(p.resolved.op, run.budgetSpent(), p.resolved.id)
      return
    }
    try {
      const results = await commit(
        tenant,
        batch.flatMap((p) => p.statements),
      )
      let offset = 0
      for (const p of batch) {
        p.settle(results.slice(offset, offset + p.statements.length))
        offset += p.statements.length
      }
    } catch (error) {
      for (const p of batch) {
        if (run.stopped) return
        // A transient error leaves the batch's outcome unknown: it may have committed, so its
        // operations are answered 503 and never re-run (src/db/transient.ts).
        if (isTransientD1Error(error)) run.fail(p.resolved.op, error, p.resolved.id)
        else await runAlone(run, p.resolved)
      }
    }
    committed = true
  }

  for (const [i, op] of wave.entries()) {
    const r = resolved[i]
    if (run.stopped) return
    if (r === undefined || r instanceof ScimError) {
      await flush()
      if (!run.stopped) run.fail(op, r)
      continue
    }
    try {
      pending.push(plan(run, r, rows.get(r) ?? []))
    } catch (error) {
      await flush()
      if (run.stopped) return
      // Planned from a read that an earlier write of this wave may have made stale: decide afresh.
      if (committed && rows.has(r)) await runAlone(run, r)
      else run.fail(op, error, r.id)
    }
    if (pending.length >= OPERATIONS_PER_BATCH) await flush()
  }
  await flush()
}

/** RFC 7644 §3.7 — processes a BulkRequest and answers each processed operation, in request order. */
export async function executeBulk(
  tenant: Tenant,
  request: BulkRequest,
  remaining: () => number,
): Promise<BulkOutcome[]> {
  const run = new BulkRun(tenant, request.failOnErrors, remaining)
  const { waves, circular } = processingOrder(request.operations)
  for (const wave of waves) {
    if (run.stopped) break
    await runWave(run, wave)
  }
  for (const op of circular) {
    if (run.stopped) break
    run.fail(op, op.valid ? CIRCULAR : op.error)
  }
  return [...run.outcomes.entries()].sort(([a], [b]) => a - b).map(([, outcome]) => outcome)
}
