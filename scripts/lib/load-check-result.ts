/** One check's outcome: how many items it judged, passed and failed, and the first failures described. */
export interface CheckResult {
  name: string
  /** What it checks, in one line. */
  what: string
  passed: number
  failed: number
  /** Passed items that had more than one acceptable outcome (requests that overlapped). */
  ambiguous: number
  failures: string[]
}

/** Failures kept per check: enough to find the bug, not a flood. */
const MAX_FAILURES = 20

/** A check being counted: `pass`, `fail` (with why) or `ambiguous` once per item judged. */
export function tally(name: string, what: string) {
  const result: CheckResult = { name, what, passed: 0, failed: 0, ambiguous: 0, failures: [] }
  return {
    result,
    pass() {
      result.passed++
    },
    ambiguous() {
      result.passed++
      result.ambiguous++
    },
    fail(why: string) {
      result.failed++
      if (result.failures.length < MAX_FAILURES) result.failures.push(why)
    },
    /** Passes when `why` is undefined, fails with it otherwise. */
    judge(why: string | undefined) {
      if (why === undefined) this.pass()
      else this.fail(why)
    },
  }
}

export type Tally = ReturnType<typeof tally>
