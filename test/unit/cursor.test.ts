import { describe, expect, it } from 'vitest'
import { type CursorBinding, cursorSecretOf, openCursor, sealCursor } from '../../src/query/cursor'
import { CURSOR_TIMEOUT_SECONDS } from '../../src/query/limits'

const SECRET = 'unit-test-cursor-secret-0123456789abcdef'
const BINDING: CursorBinding = {
  tenant: 'acme',
  resourceType: 'User',
  filter: 'userName sw "j"',
  sortBy: 'userName',
  sortOrder: 'ascending',
}
const NOW = Date.parse('2026-03-01T12:00:00Z')
const AFTER = { key: 'jane@example.com', id: '2819c223-7f76-453a-919d-413861904646' }

const rejects = (scimType: string) => expect.objectContaining({ status: 400, scimType })

describe('cursors (RFC 9865)', () => {
  it.for([
    { direction: 'next' as const, after: AFTER },
    { direction: 'next' as const },
    { direction: 'previous' as const, after: { key: 42, id: 'x' } },
    { direction: 'next' as const, after: { key: null, id: 'y' } },
  ])('round-trips %j', async (position, { expect }) => {
    const cursor = await sealCursor(SECRET, BINDING, position, NOW)
    expect(cursor).toMatch(/^[A-Za-z0-9_.-]+$/)
    await expect(openCursor(SECRET, BINDING, cursor, NOW + 1000)).resolves.toEqual(position)
  })

  it.for([
    ['another tenant', { tenant: 'globex' }],
    ['another resource type', { resourceType: 'Group' }],
    ['the root search', { resourceType: 'root' }],
    ['another filter', { filter: 'userName sw "k"' }],
    ['no filter', { filter: undefined }],
    ['another sortBy', { sortBy: 'displayName' }],
    ['another sortOrder', { sortOrder: 'descending' }],
  ] as const)('is invalidCursor for %s', async ([, change], { expect }) => {
    const cursor = await sealCursor(SECRET, BINDING, { direction: 'next', after: AFTER }, NOW)
    await expect(openCursor(SECRET, { ...BINDING, ...change }, cursor, NOW)).rejects.toEqual(
      rejects('invalidCursor'),
    )
  })

  it('is invalidCursor when altered, forged, truncated or sealed with another key', async ({ expect }) => {
    const cursor = await sealCursor(SECRET, BINDING, { direction: 'next', after: AFTER }, NOW)
    const bytes = Buffer.from(cursor, 'base64url')
    const flipped = (at: number) => {
      const copy = Buffer.from(bytes)
      copy[at] = (copy[at] ?? 0) ^ 1
      return copy.toString('base64url')
    }
    // A cursor of the old signed form: readable JSON, then a signature.
    const forged = `${Buffer.from(JSON.stringify({ d: 'n', x: NOW / 1000 + 60, k: 'a', i: 'b' })).toString('base64url')}.${'A'.repeat(43)}`
    const other = await sealCursor(
      'another-secret-of-at-least-32-characters',
      BINDING,
      { direction: 'next' },
      NOW,
    )
    for (const bad of [
      flipped(0),
      flipped(20),
      flipped(bytes.length - 1),
      cursor.slice(0, -2),
      `${cursor}AA`,
      cursor.slice(0, 30),
      forged,
      'not a cursor',
      'a'.repeat(5000),
      other,
      '',
    ]) {
      await expect(openCursor(SECRET, BINDING, bad, NOW)).rejects.toEqual(rejects('invalidCursor'))
    }
  })

  it('carries no readable sort value or id, and differs each time it is issued', async ({ expect }) => {
    const position = { direction: 'next' as const, after: AFTER }
    const cursor = await sealCursor(SECRET, BINDING, position, NOW)
    const readable = cursor
      .split('.')
      .map((part) => Buffer.from(part, 'base64url').toString('latin1'))
      .join('\n')
    expect(readable).not.toContain(AFTER.key)
    expect(readable).not.toContain(AFTER.id)
    expect(readable).not.toContain('"k"')
    expect(await sealCursor(SECRET, BINDING, position, NOW)).not.toBe(cursor)
  })

  it('is expiredCursor after cursorTimeout, and only then', async ({ expect }) => {
    const cursor = await sealCursor(SECRET, BINDING, { direction: 'next', after: AFTER }, NOW)
    const limit = NOW + CURSOR_TIMEOUT_SECONDS * 1000
    await expect(openCursor(SECRET, BINDING, cursor, limit)).resolves.toBeDefined()
    await expect(openCursor(SECRET, BINDING, cursor, limit + 1000)).rejects.toEqual(rejects('expiredCursor'))
  })

  it('uses the CURSOR_SECRET binding only when it is a string of at least 32 characters', ({ expect }) => {
    expect(cursorSecretOf({ CURSOR_SECRET: SECRET })).toBe(SECRET)
    expect(cursorSecretOf({})).toBeUndefined()
    expect(cursorSecretOf({ CURSOR_SECRET: 'short' })).toBeUndefined()
    expect(cursorSecretOf({ CURSOR_SECRET: 42 })).toBeUndefined()
  })
})
