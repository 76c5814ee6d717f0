import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { MAX_ATTEMPTS, retryDelaySeconds } from '../../src/webhooks/backoff'
import { generateSigningSecret } from '../../src/webhooks/secret-box'
import { signedHeaders } from '../../src/webhooks/signing'

describe('webhook signatures', () => {
  const body = JSON.stringify({ id: 'evt_1', type: 'created' })

  it('verify with the standardwebhooks package under either secret during a rotation', () => {
    const [current, previous] = [generateSigningSecret(), generateSigningSecret()]
    const headers = signedHeaders([current, previous], 'evt_1', new Date(), body)
    expect(new Webhook(current).verify(body, headers)).toEqual(JSON.parse(body))
    expect(new Webhook(previous).verify(body, headers)).toEqual(JSON.parse(body))
    expect(() => new Webhook(generateSigningSecret()).verify(body, headers)).toThrow()
  })

  it('refuse a changed body and a stale timestamp', () => {
    const secret = generateSigningSecret()
    const headers = signedHeaders([secret], 'evt_1', new Date(), body)
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow()
    const old = signedHeaders([secret], 'evt_1', new Date(Date.now() - 3600_000), body)
    expect(() => new Webhook(secret).verify(body, old)).toThrow(/timestamp/i)
  })
})

describe('webhook retry delays', () => {
  it('double from 30 s up to 6 h, without jitter at the midpoint', () => {
    const delays = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => retryDelaySeconds(i + 1, 0.5))
    expect(delays).toEqual([30, 60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 21600, 21600])
    const total = delays.reduce((a, b) => a + b, 0)
    expect(total / 3600).toBeCloseTo(20.5, 1)
  })

  it('jitter by at most 20 % either way', () => {
    expect(retryDelaySeconds(3, 0)).toBe(96)
    expect(retryDelaySeconds(3, 0.999999)).toBe(144)
    expect(retryDelaySeconds(20, 0.999999)).toBe(25920)
  })
})
