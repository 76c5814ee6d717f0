/** meta.version against real time: never backwards, a new one for every change, none handed out twice. */
import { type CheckResult, tally } from './load-check-result'
import type { FinalState } from './load-fields'
import { acknowledged, describeOp, type Op, precedes } from './load-history'

/** A version some answer showed for one resource: a write's, a read's, or a lookup's. */
export interface Sighting {
  start: number
  end: number
  version: number
  /** The answer is of a write that set a value never sent before: its version must be new. */
  changes: boolean
  what: string
}

/** Every version each resource showed in an acknowledged answer, by resource id. */
export function sightings(ops: readonly Op[]): Map<string, Sighting[]> {
  const byId = new Map<string, Sighting[]>()
  const add = (id: string, sighting: Sighting) => byId.set(id, [...(byId.get(id) ?? []), sighting])
  for (const op of ops.filter(acknowledged)) {
    const what = describeOp(op)
    if (op.id !== undefined && op.version !== undefined) {
      add(op.id, { start: op.start, end: op.end, version: op.version, changes: op.changes, what })
    }
    for (const found of op.found ?? []) {
      add(found.id, { start: op.start, end: op.end, version: found.version, changes: false, what })
    }
  }
  return byId
}

/** The first way one resource's sightings break monotonic versions, or undefined. */
export function versionProblem(
  seen: readonly Sighting[],
  finalVersion: number | undefined,
): string | undefined {
  for (const later of seen) {
    for (const earlier of seen) {
      if (!precedes(earlier, later)) continue
      if (later.version < earlier.version || (later.changes && later.version === earlier.version)) {
        return `v${later.version} from ${later.what} after v${earlier.version} from ${earlier.what}`
      }
    }
  }
  const changes = seen.filter((s) => s.changes)
  const twice = changes.find((s) => changes.some((o) => o !== s && o.version === s.version))
  if (twice) return `two changes answered v${twice.version}, one of them ${twice.what}`
  const highest = Math.max(...seen.map((s) => s.version))
  if (finalVersion !== undefined && finalVersion < highest) {
    return `final v${finalVersion} is below v${highest}, acknowledged before`
  }
  return undefined
}

/** Per resource: the versions of non-overlapping answers never go back, and the final one is the highest. */
export function checkVersions(ops: readonly Op[], final: FinalState): CheckResult {
  const t = tally(
    'versions',
    'per resource: non-overlapping answers never go back, each change a new version, final ≥ every one',
  )
  const finalVersions = new Map([...final.users, ...final.groups].map((r) => [r.id, r.version]))
  for (const [id, seen] of sightings(ops)) {
    const problem = versionProblem(seen, finalVersions.get(id))
    t.judge(problem && `${id}: ${problem}`)
  }
  return t.result
}
