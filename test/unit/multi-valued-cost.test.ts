import { describe, expect, it } from 'vitest'
import { appendDistinct, removeListed } from '../../src/patch/multi-valued'
import { builtinRegistry } from '../../src/schema/builtin'
import { USER_RESOURCE_TYPE } from '../../src/schema/resource-types'

// Issue #12 §2: PATCH add compared each new element with the whole list (20,000 emails: 11 s).
// Elements are proxies counting every property read, so the test counts the work, not the time.
const emails = builtinRegistry.resolve(USER_RESOURCE_TYPE, 'emails')?.attribute
if (!emails) throw new Error('no emails attribute')

function counted(n: number, prefix: string) {
  const reads = { count: 0 }
  const list = Array.from(
    { length: n },
    (_, i) =>
      new Proxy(
        { value: `${prefix}${i}@example.com`, type: 'work' },
        {
          get(target, key, receiver) {
            reads.count++
            return Reflect.get(target, key, receiver)
          },
        },
      ),
  )
  return { list, reads }
}

const N = 5000
// A constant number of reads per element (its keys and values, a few times), whatever N is.
const READS_PER_ELEMENT = 20

describe('multi-valued PATCH operations are linear (issue #12 §2)', () => {
  it('adds 5,000 new emails to 5,000 present ones reading each element a bounded number of times', () => {
    const current = counted(N, 'old')
    const added = counted(N, 'new')
    const result = appendDistinct(emails, current.list, [...added.list, ...added.list.slice(0, 10)])
    expect(result).toHaveLength(2 * N)
    expect(current.reads.count + added.reads.count).toBeLessThan(READS_PER_ELEMENT * 2 * N)
  })

  it('keeps "already contains the value" (RFC 7644 §3.5.2.1): equal elements in any key order are not added', () => {
    const current = [{ value: 'a@example.com', type: 'work' }]
    const result = appendDistinct(emails, current, [
      { type: 'work', value: 'a@example.com' },
      { value: 'b@example.com' },
      { value: 'b@example.com' },
    ])
    expect(result).toEqual([{ value: 'a@example.com', type: 'work' }, { value: 'b@example.com' }])
  })

  it('removes 5,000 listed emails from 10,000 reading each element a bounded number of times', () => {
    const current = counted(2 * N, 'x')
    const listed = Array.from({ length: N }, (_, i) => ({ value: `x${2 * i}@example.com` }))
    const result = removeListed(emails, current.list, listed, 'emails')
    expect(result).toHaveLength(N)
    expect(current.reads.count).toBeLessThan(READS_PER_ELEMENT * 2 * N)
    // An element goes when it has every sub-attribute a listed item gives.
    const kept = removeListed(
      emails,
      [
        { value: 'a@example.com', type: 'work' },
        { value: 'a@example.com', type: 'home' },
      ],
      [{ value: 'a@example.com', type: 'home' }],
      'emails',
    )
    expect(kept).toEqual([{ value: 'a@example.com', type: 'work' }])
  })
})
