import { ScimError } from '../../http/scim-error'
import type { BulkOperation } from './bulk-request'

const PREFIX = 'bulkId:'

const referenceIn = (value: string) => (value.startsWith(PREFIX) ? value.slice(PREFIX.length) : undefined)

function collect(value: unknown, into: Set<string>) {
  if (typeof value === 'string') {
    const bulkId = referenceIn(value)
    if (bulkId) into.add(bulkId)
  } else if (Array.isArray(value)) {
    for (const item of value) collect(item, into)
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) collect(item, into)
  }
}

/** RFC 7644 §3.7.2 — the bulkIds an operation references: in its path and as any string value `bulkId:<id>` in its data. */
export function referencesOf(operation: BulkOperation): Set<string> {
  const bulkIds = new Set<string>()
  if (operation.valid) {
    collect(operation.target, bulkIds)
    collect(operation.data, bulkIds)
  }
  return bulkIds
}

/**
 * Replaces each `bulkId:<id>` with the id of the resource that bulkId created, RFC 7644 §3.7.2. A
 * bulkId no operation declares, or whose operation failed, cannot be resolved: 409.
 */
export function resolveReferences<T>(value: T, created: ReadonlyMap<string, string>): T {
  if (typeof value === 'string') {
    const bulkId = referenceIn(value)
    if (bulkId === undefined) return value
    const id = created.get(bulkId)
    if (id === undefined) {
      throw new ScimError(
        409,
        `bulkId "${bulkId}" cannot be resolved: no successful POST in this request declares it`,
      )
    }
    return id as T
  }
  if (Array.isArray(value)) return value.map((item) => resolveReferences(item, created)) as T
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, resolveReferences(item, created)]),
    ) as T
  }
  return value
}

/** The order of processing: waves of operations whose dependencies ran in earlier waves, and the circular rest. */
export interface ProcessingOrder {
  readonly waves: readonly (readonly BulkOperation[])[]
  readonly circular: readonly BulkOperation[]
}

/**
 * Orders operations by their dependencies whatever their order in the request, RFC 7644 §3.7.2: an
 * operation runs after the POST that declares each bulkId it references, and after earlier
 * operations on the same path. Operations of one wave are independent, so they can share a batch.
 * Operations on (or depending on) a cycle get no wave: see `CIRCULAR` in bulk-execute.ts.
 */
export function processingOrder(operations: readonly BulkOperation[]): ProcessingOrder {
  const declaredBy = new Map<string, number>()
  for (const op of operations)
    if (op.valid && op.method === 'POST' && op.bulkId) declaredBy.set(op.bulkId, op.index)
  const lastOnPath = new Map<string, number>()
  const dependencies = operations.map((op) => {
    const on = [...referencesOf(op)].flatMap((bulkId) => declaredBy.get(bulkId) ?? [])
    if (op.valid && op.target !== undefined) {
      const path = `${op.kind}/${op.target}`
      const previous = lastOnPath.get(path)
      if (previous !== undefined) on.push(previous)
      lastOnPath.set(path, op.index)
    }
    return on
  })

  // Depth-first with memo: a dependency still on the stack closes a cycle (level -1), which spreads to dependents.
  const levels = new Map<number, number>()
  const onStack = new Set<number>()
  const levelOf = (index: number): number => {
    const known = levels.get(index)
    if (known !== undefined) return known
    if (onStack.has(index)) return -1
    onStack.add(index)
    let level = 0
    for (const dependency of dependencies[index] ?? []) {
      const below = levelOf(dependency)
      if (below < 0) {
        level = -1
        break
      }
      level = Math.max(level, below + 1)
    }
    onStack.delete(index)
    levels.set(index, level)
    return level
  }

  const waves: BulkOperation[][] = []
  const circular: BulkOperation[] = []
  for (const op of operations) {
    const level = levelOf(op.index)
    if (level < 0) circular.push(op)
    else waves[level] = [...(waves[level] ?? []), op]
  }
  return { waves: waves.filter((wave) => wave !== undefined), circular }
}
