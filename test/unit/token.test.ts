import { describe, expect, it } from 'vitest'
import { digestsEqual, hashToken } from '../../src/tenancy/token'

/** A digest that counts the characters read from it, to check that every comparison reads all of them. */
class CountingDigest extends String {
  reads = 0
  override charCodeAt(index: number): number {
    this.reads++
    return super.charCodeAt(index)
  }
}

const flip = (digest: string, at: number) =>
  digest.slice(0, at) + (digest[at] === '0' ? '1' : '0') + digest.slice(at + 1)

describe('digestsEqual', () => {
  it('is true for equal digests and false when any single character differs, the last one included', async () => {
    const digest = await hashToken('scimsk_example')
    expect(digest).toHaveLength(64)
    expect(digestsEqual(digest, `${digest}`)).toBe(true)
    for (let at = 0; at < digest.length; at++) {
      expect(digestsEqual(digest, flip(digest, at)), `differing at ${at}`).toBe(false)
      expect(digestsEqual(flip(digest, at), digest), `differing at ${at}`).toBe(false)
    }
  })

  it('is false for digests of different lengths', async () => {
    const digest = await hashToken('scimsk_example')
    expect(digestsEqual(digest, digest.slice(0, 63))).toBe(false)
    expect(digestsEqual(digest, `${digest}0`)).toBe(false)
  })

  // Constant time, checked without a clock: the work must not depend on where the first difference
  // is, so a comparison reads every character of both digests whether they match or not (an early
  // exit reads fewer). Timing measurements would be flaky on a shared machine; this is exact.
  it.each([
    ['equal', (d: string) => d],
    ['differing in the first character', (d: string) => flip(d, 0)],
    ['differing in the last character', (d: string) => flip(d, 63)],
    ['differing everywhere', (d: string) => d.replace(/./g, (c) => (c === 'f' ? '0' : 'f'))],
  ])('reads all 64 characters of both digests when they are %s', async (_, vary) => {
    const digest = await hashToken('scimsk_example')
    const a = new CountingDigest(digest)
    const b = new CountingDigest(vary(digest))
    digestsEqual(a as unknown as string, b as unknown as string)
    expect([a.reads, b.reads]).toEqual([64, 64])
  })
})
