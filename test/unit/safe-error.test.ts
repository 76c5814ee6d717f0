import { describe, expect, it } from 'vitest'
import { describeError } from '../../src/ops/safe-error'

describe('describeError', () => {
  it('cuts quoted input out of the message, whatever quotes it uses', () => {
    let parseError: unknown
    try {
      JSON.parse('{"password": "hunter2-secret", "userName": "ann@example.com"')
    } catch (error) {
      parseError = error
    }
    const described = describeError(parseError)
    expect(described.name).toBe('SyntaxError')
    expect(JSON.stringify(described)).not.toMatch(/hunter2|ann@example/)
    expect(describeError(new Error('bad value \'x1\' and `x2` in "x3"')).message).toBe('bad value …')
  })

  it('keeps unquoted messages and the stack frames, not the stack header', () => {
    const described = describeError(new TypeError('D1_ERROR: no such table: scim_events: SQLITE_ERROR'))
    expect(described.message).toBe('D1_ERROR: no such table: scim_events: SQLITE_ERROR')
    expect(described.frames?.length).toBeGreaterThan(0)
    for (const frame of described.frames ?? []) expect(frame).toMatch(/^at /)
  })

  it('says only the type of a thrown non-Error', () => {
    expect(describeError('secret string')).toEqual({ name: 'string', message: '(not an Error)' })
  })
})
