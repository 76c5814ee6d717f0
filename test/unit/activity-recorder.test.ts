import { afterEach, beforeEach, describe, it, vi } from 'vitest'
import type { ActivityBatch } from '../../src/activity/activity-batch'
import { ActivityRecorder, type RequestOutcome } from '../../src/activity/recorder'

let sent: ActivityBatch[]
let pending: Promise<unknown>[]
const sink = {
  send: async (batch: ActivityBatch) => {
    sent.push(batch)
  },
  waitUntil: (promise: Promise<unknown>) => {
    pending.push(promise)
  },
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-05-14T12:00:00.000Z') })
  sent = []
  pending = []
})
afterEach(() => vi.useRealTimers())

const outcome = (status: number, tenant = 'acme'): RequestOutcome => ({
  tenant,
  at: Date.now(),
  status,
  method: 'GET',
  endpoint: '/scim/v2/Users',
  client: 'Okta SCIM Client 1.0.0',
  tokenId: 'tok_0123456789abcdef',
  ...(status >= 400 && { scimType: undefined, detail: 'Authentication failed' }),
})

async function settle() {
  await vi.runAllTimersAsync()
  await Promise.all(pending)
}

describe('activity recorder', () => {
  it("sends a quiet tenant's first request at once, and the next ones together after 10 s", async ({
    expect,
  }) => {
    const recorder = new ActivityRecorder()
    recorder.record(outcome(200), sink)
    await Promise.resolve()
    await Promise.all(pending)
    expect(sent).toHaveLength(1)
    expect(sent[0]?.usage).toEqual([expect.objectContaining({ status: 200, count: 1 })])
    for (let i = 0; i < 5; i++) recorder.record(outcome(200), sink)
    await vi.advanceTimersByTimeAsync(9_000)
    expect(sent).toHaveLength(1)
    await settle()
    expect(sent).toHaveLength(2)
    expect(sent[1]?.usage[0]?.count).toBe(5)
    expect(sent[1]?.tokens).toEqual([expect.objectContaining({ tokenId: 'tok_0123456789abcdef' })])
  })

  it('turns a flood of 10,000 failures over a minute into at most 7 messages, with exact counts and 20 itemized per interval', async ({
    expect,
  }) => {
    const recorder = new ActivityRecorder()
    for (let i = 0; i < 10_000; i++) {
      recorder.record(outcome(401), sink)
      await vi.advanceTimersByTimeAsync(6)
    }
    await settle()
    console.info(`10000 failing requests in 60 s: ${sent.length} queue messages (D1 batches at most)`)
    expect(sent.length).toBeLessThanOrEqual(7)
    const counted = sent.flatMap((b) => b.usage).reduce((sum, u) => sum + u.count, 0)
    const itemized = sent.reduce((sum, b) => sum + b.failures.length, 0)
    const unitemized = sent.reduce((sum, b) => sum + b.unitemized, 0)
    expect(counted).toBe(10_000)
    expect(itemized + unitemized).toBe(10_000)
    for (const batch of sent) expect(batch.failures.length).toBeLessThanOrEqual(20)
  })

  it('keeps tenants apart and bounds the keys of one interval', async ({ expect }) => {
    const recorder = new ActivityRecorder()
    recorder.record(outcome(200, 'a'), sink)
    recorder.record(outcome(200, 'b'), sink)
    for (let i = 0; i < 80; i++) recorder.record({ ...outcome(200, 'a'), client: `client ${i}` }, sink)
    await settle()
    const ofA = sent.filter((b) => b.tenant === 'a')
    expect(sent.filter((b) => b.tenant === 'b')).toHaveLength(1)
    for (const batch of ofA) expect(batch.usage.length).toBeLessThanOrEqual(51)
    const others = ofA.flatMap((b) => b.usage).filter((u) => u.client === '(other clients)')
    expect(others.reduce((sum, u) => sum + u.count, 0)).toBe(31)
  })
})
