import { describe, expect, it } from 'vitest'
import { REVOCATION_DELAY_SECONDS } from '../../src/tenancy/revocation-delay'
import {
  cachedTenantRecord,
  forgetTenantRecord,
  ISOLATE_CACHE_SECONDS,
  KV_CACHE_TTL_SECONDS,
} from '../../src/tenancy/tenant-cache'
import type { TenantRecord } from '../../src/tenancy/tenant-record'

const record = (name: string, status: TenantRecord['status'] = 'active'): TenantRecord => ({
  version: 1,
  name,
  status,
  db: 'DB',
  createdAt: '2026-01-01T00:00:00Z',
  tokens: [],
})

/** A KV stand-in that counts reads and answers what `current` holds. */
function store(initial: TenantRecord | undefined) {
  const kv = { current: initial, reads: 0 }
  const read = async () => {
    kv.reads++
    return kv.current
  }
  return { kv, read }
}

describe('the isolate cache of tenant records', () => {
  it('fits the revocation delay with KV edge cache and propagation', () => {
    expect(ISOLATE_CACHE_SECONDS).toBeGreaterThan(0)
    expect(KV_CACHE_TTL_SECONDS + ISOLATE_CACHE_SECONDS).toBeLessThan(REVOCATION_DELAY_SECONDS)
  })

  it('reads KV once while the cached record is young, and again once it is not', async () => {
    const { kv, read } = store(record('young'))
    const t0 = 1_000_000
    await cachedTenantRecord('young', read, undefined, t0)
    kv.current = record('young', 'suspended')
    expect((await cachedTenantRecord('young', read, undefined, t0 + 1000))?.status).toBe('active')
    expect(kv.reads).toBe(1)
    const later = t0 + ISOLATE_CACHE_SECONDS * 1000
    expect((await cachedTenantRecord('young', read, undefined, later))?.status).toBe('suspended')
    expect(kv.reads).toBe(2)
  })

  it('does not cache an absent tenant, so a new one works as soon as KV has it', async () => {
    const { kv, read } = store(undefined)
    expect(await cachedTenantRecord('new', read, undefined, 5)).toBeUndefined()
    kv.current = record('new')
    expect((await cachedTenantRecord('new', read, undefined, 6))?.name).toBe('new')
    expect(kv.reads).toBe(2)
  })

  it('reads again when the cached record is not usable (a token it does not hold yet)', async () => {
    const { kv, read } = store(record('rotated'))
    await cachedTenantRecord('rotated', read, undefined, 30)
    kv.current = { ...record('rotated'), createdAt: 'new token' }
    const hasNewToken = (r: TenantRecord) => r.createdAt === 'new token'
    expect((await cachedTenantRecord('rotated', read, hasNewToken, 31))?.createdAt).toBe('new token')
    expect(kv.reads).toBe(2)
  })

  it('reads again after forgetTenantRecord', async () => {
    const { kv, read } = store(record('gone'))
    await cachedTenantRecord('gone', read, undefined, 10)
    forgetTenantRecord('gone')
    kv.current = undefined
    expect(await cachedTenantRecord('gone', read, undefined, 11)).toBeUndefined()
  })

  it('keeps at most 500 tenants, dropping the least recently used', async () => {
    const { kv, read } = store(record('x'))
    for (let i = 0; i < 500; i++) await cachedTenantRecord(`lru-${i}`, read, undefined, 20)
    await cachedTenantRecord('lru-0', read, undefined, 21) // used again: now the most recent
    await cachedTenantRecord('lru-500', read, undefined, 22) // evicts lru-1
    const reads = kv.reads
    await cachedTenantRecord('lru-0', read, undefined, 23)
    expect(kv.reads).toBe(reads)
    await cachedTenantRecord('lru-1', read, undefined, 24)
    expect(kv.reads).toBe(reads + 1)
  })
})
