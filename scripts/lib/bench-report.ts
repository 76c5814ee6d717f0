/** The benchmark's tables, its JSON document, and the check of the issue's target. */
import { execFileSync } from 'node:child_process'
import { cpus, loadavg, totalmem } from 'node:os'
import { GROUP_SIZE } from './bench-load'
import { CASE_BUDGET_S, type CaseResult, WARMUPS } from './bench-measure'
import { PROJECT_ROOT } from './wrangler'

/** The issue's target: at 100k users, each indexed median within this factor of its 1k median. */
export const TARGET_RATIO = 1.5

/** One directory size: its tenant's load and figures. */
export interface BenchRun {
  users: number
  groups: number
  bigGroupMembers: number
  load: { seconds: number; usersPerSecond: number }
  results: CaseResult[]
}

export interface BenchReport {
  revision: string
  samples: number
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string }
  /** The 1-minute load average before and after timing: other work on the machine skews figures. */
  loadAverage: { before: number; after: number }
  /** The main size first, then the --compare size. */
  runs: BenchRun[]
  target?: TargetCheck
}

export interface TargetCheck {
  baseUsers: number
  /** Each case's median at the main size over its median at baseUsers. */
  ratios: Record<string, number>
  /** Target cases over TARGET_RATIO, reads with more than one round trip, wrong answers. */
  failures: string[]
  met: boolean
}

/**
 * The commit measured, with `+uncommitted` when the Worker's sources differ from it: others edit
 * the same tree, and wrangler dev runs whatever is on disk.
 */
export function revision(): string {
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  try {
    const dirty = git('status', '--porcelain', '--', 'src', 'migrations', 'wrangler.toml') !== ''
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? '+uncommitted' : ''}`
  } catch {
    return 'unknown'
  }
}

export function machine(): BenchReport['machine'] {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  }
}

export const currentLoad = () => Math.round(loadavg()[0]! * 100) / 100

/** What breaks the target whatever the size: a read of more than one round trip, a wrong answer. */
function absoluteFailures(run: BenchRun): string[] {
  return run.results.flatMap((r) => [
    ...(r.read && r.roundTrips.max !== 1
      ? [`${r.label} at ${run.users}: ${r.roundTrips.max} D1 round trips`]
      : []),
    ...(r.wrong > 0 ? [`${r.label} at ${run.users}: ${r.wrong} wrong answers (${r.firstWrong})`] : []),
  ])
}

/** The target of issue 4 for `main` against `base` (the smaller size). */
export function checkTarget(main: BenchRun, base: BenchRun): TargetCheck {
  const failures = [...absoluteFailures(main), ...absoluteFailures(base)]
  const ratios: Record<string, number> = {}
  for (const r of main.results) {
    const before = base.results.find((b) => b.key === r.key)
    if (!before) continue
    const ratio = r.medianMs / before.medianMs
    ratios[r.key] = ratio
    if (r.scaling === 'target' && ratio > TARGET_RATIO) {
      failures.push(
        `${r.label}: median ${r.medianMs.toFixed(1)} ms at ${main.users} is ${ratio.toFixed(2)}× ` +
          `its ${before.medianMs.toFixed(1)} ms at ${base.users}`,
      )
    }
  }
  return { baseUsers: base.users, ratios, failures, met: failures.length === 0 }
}

const fixed = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(1) : '–')
const trips = ({ min, max }: { min: number; max: number }) =>
  !Number.isFinite(max) ? '?' : min === max ? String(max) : `${min}–${max}`

/** A Markdown table (readable in a terminal, pasteable into the README); `left` columns are text. */
function markdown(head: string[], rows: string[][], left: Set<number>): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((cells) => cells[i]!.length)))
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (left.has(i) ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`
  const rule = `|${widths.map((w, i) => (left.has(i) ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`
  return [line(head), rule, ...rows.map(line)].join('\n')
}

/** The figures of one size; with a target check, the ratio of each median to the smaller size's. */
export function formatTable(run: BenchRun, target?: TargetCheck): string {
  const head = ['query', 'n', 'median ms', 'p95 ms', 'server ms', 'D1 ms', 'D1 trips']
  if (target) head.push(`vs ${target.baseUsers}`)
  head.push('target', 'how')
  const rows = run.results.map((r) => {
    const label = r.wrong ? `${r.label} (${r.wrong} WRONG)` : r.label
    const cells = [label, String(r.samples), fixed(r.medianMs), fixed(r.p95Ms), fixed(r.serverMedianMs)]
    cells.push(fixed(r.d1MedianMs))
    cells.push(trips(r.roundTrips))
    if (target) cells.push(target.ratios[r.key] === undefined ? '' : `${target.ratios[r.key]!.toFixed(2)}×`)
    cells.push(r.scaling === 'target' ? `≤${TARGET_RATIO}×` : '–', r.note)
    return cells
  })
  return markdown(head, rows, new Set([0, head.length - 2, head.length - 1]))
}

const describeRun = (run: BenchRun) =>
  `${run.users} users, ${run.groups} groups of ${GROUP_SIZE} + 1 of ${run.bigGroupMembers} members; loaded in ` +
  `${run.load.seconds.toFixed(0)} s (users at ${run.load.usersPerSecond.toFixed(0)}/s through /Bulk)`

/** Every table, then how it was measured and whether the target holds. */
export function formatReport(report: BenchReport): string {
  const m = report.machine
  const parts = report.runs.map(
    (run, i) => `${describeRun(run)}:\n\n${formatTable(run, i === 0 ? report.target : undefined)}`,
  )
  const lines = [
    `n: samples, after up to ${WARMUPS} warm-ups (${report.samples} asked; fewer when a case passes ${CASE_BUDGET_S} s)` +
      `${report.runs.length > 1 ? ', sizes interleaved' : ''}. median/p95: client latency over loopback; server: ` +
      'the Worker (Server-Timing total); D1 ms: its D1 time, of all its round trips; all medians.',
    `Revision ${report.revision}. Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}, ${m.platform}, load average ` +
      `${report.loadAverage.before} → ${report.loadAverage.after}; wrangler dev with local D1 (SQLite in ` +
      'workerd): no network between the Worker and D1, unlike production.',
  ]
  const t = report.target
  if (t) {
    lines.push(
      t.met
        ? `Target met: every target median within ${TARGET_RATIO}× of its median at ${t.baseUsers} users, every read one D1 round trip.`
        : `Target NOT met against ${t.baseUsers} users:\n${t.failures.map((f) => `  - ${f}`).join('\n')}`,
    )
  } else {
    const failures = report.runs.flatMap(absoluteFailures)
    lines.push(
      failures.length
        ? `Not as targeted:\n${failures.map((f) => `  - ${f}`).join('\n')}`
        : 'Every read made one D1 round trip. For the size target: --compare 1000.',
    )
  }
  return `${parts.join('\n\n')}\n\n${lines.join('\n')}`
}
