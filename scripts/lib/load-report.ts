/** The load run's report: its figures, each check's counts and failures, as text or one JSON document. */
import type { CheckResult } from './load-check-result'
import type { StormPlan } from './load-plan'
import type { StatsSummary } from './load-stats'

export interface LoadReport {
  revision: string
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string }
  options: { users: number; concurrency: number; seed: number }
  plan: { roles: Record<string, number>; groups: number; jobs: { okta: number; entra: number } }
  /** The storm alone, without start-up and read-back. */
  seconds: number
  requests: StatsSummary
  checks: CheckResult[]
  passed: boolean
}

export function planSummary(plan: StormPlan): LoadReport['plan'] {
  const roles: Record<string, number> = {}
  for (const role of plan.users) roles[role] = (roles[role] ?? 0) + 1
  return { roles, groups: plan.groups.length, jobs: { okta: plan.okta.length, entra: plan.entra.length } }
}

/** A run passes when every check passed and the server answered every request without a 5xx. */
export const runPassed = (requests: StatsSummary, checks: readonly CheckResult[]) =>
  requests.serverErrors === 0 && requests.noAnswer === 0 && checks.every((c) => c.failed === 0)

const counts = (record: Record<string, number>) =>
  Object.entries(record)
    .map(([key, n]) => `${key}: ${n}`)
    .join(', ') || 'none'

function checkLines(check: CheckResult): string[] {
  const mark = check.failed === 0 ? '✔' : '✘'
  const overlapping = check.ambiguous > 0 ? ` (${check.ambiguous} with more than one acceptable outcome)` : ''
  const failed = check.failed > 0 ? `, ${check.failed} FAILED` : ''
  const head = `  ${mark} ${check.name.padEnd(23)} ${check.passed} passed${overlapping}${failed} — ${check.what}`
  return [head, ...check.failures.map((f) => `      - ${f}`)]
}

export function formatReport(report: LoadReport): string {
  const r = report.requests
  const m = report.machine
  const { okta, entra } = report.plan.jobs
  const lines = [
    `Load: ${report.options.users} users (${counts(report.plan.roles)}), ${report.plan.groups} groups; ` +
      `Okta ${okta} and Entra ${entra} jobs, ${report.options.concurrency} lanes each; seed ${report.options.seed}.`,
    `Storm: ${r.served} requests served in ${report.seconds.toFixed(0)} s (${r.perSecond.toFixed(1)}/s, ` +
      `latency median ${r.medianMs.toFixed(0)} ms, p95 ${r.p95Ms.toFixed(0)} ms without the 429s); ` +
      `${r.rateLimited} rate limited (429, waited out and retried), ${r.serverErrors} 5xx, ${r.noAnswer} without answer.`,
    ...(r.dropped > 0
      ? [
          `${r.dropped} requests were dropped by wrangler dev, not answered by the Worker: its proxy lost the ` +
            'connection mid-request (answering 503 "Your worker restarted mid-request") or a connection was reset. ' +
            'Each was sent again; the checks take the dropped attempt as possibly applied.',
        ]
      : []),
    `By status: ${counts(r.byOutcome)}.`,
    `By scimType: ${counts(r.byScimType)}.`,
    'By request:',
    ...Object.entries(r.byLabel).map(([label, outcomes]) => `  ${label.padEnd(34)} ${counts(outcomes)}`),
    'Checks (of the storm, against the final state read back):',
    ...report.checks.flatMap(checkLines),
    report.passed ? 'Result: every check passed.' : 'Result: FAILED.',
    `Revision ${report.revision}. Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}, ` +
      `${m.platform}; wrangler dev with local D1.`,
  ]
  return lines.join('\n')
}
