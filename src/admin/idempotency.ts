import type { MiddlewareHandler } from 'hono'
import { statement } from '../control/ports'
import { base64url, hashToken } from '../tenancy/token'
import type { AdminEnv } from './admin-env'
import { Problem } from './problem'

/** How long an answer is kept for replay: the cron deletes older ones. */
export const IDEMPOTENCY_TTL_HOURS = 24
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/

interface StoredAnswer {
  status: number
  body: string
  headers: Record<string, string>
}

/** AES-GCM key from the operator key and the Idempotency-Key: D1 alone cannot read a kept answer. */
async function answerKey(operatorKey: string, idempotencyKey: string): Promise<CryptoKey> {
  const material = await crypto.subtle.digest(
    'SHA-256',
    new TextEncoder().encode(`${operatorKey}\n${idempotencyKey}`),
  )
  return crypto.subtle.importKey('raw', material, 'AES-GCM', false, ['encrypt', 'decrypt'])
}

async function seal(key: CryptoKey, answer: StoredAnswer): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const data = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv },
    key,
    new TextEncoder().encode(JSON.stringify(answer)),
  )
  return `${base64url(iv)}.${base64url(new Uint8Array(data))}`
}

const fromBase64url = (text: string) =>
  Uint8Array.from(atob(text.replaceAll('-', '+').replaceAll('_', '/')), (ch) => ch.charCodeAt(0))

async function open(key: CryptoKey, sealed: string): Promise<StoredAnswer> {
  const [iv = '', data = ''] = sealed.split('.')
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromBase64url(iv) },
    key,
    fromBase64url(data),
  )
  return JSON.parse(new TextDecoder().decode(plain)) as StoredAnswer
}

const replay = (answer: StoredAnswer) =>
  new Response(answer.body, {
    status: answer.status,
    headers: { ...answer.headers, 'Idempotent-Replayed': 'true' },
  })

/**
 * `Idempotency-Key` on POST (draft-ietf-httpapi-idempotency-key-header): the first request with a key
 * claims it (operator key, method, path) in D1 and its answer is kept 24 h; a retry gets the same
 * answer, a retry while the first still runs gets 409, and the same key with another body gets 422.
 * 5xx answers are not kept, so a retry after one runs again.
 */
export const idempotency: MiddlewareHandler<AdminEnv> = async (c, next) => {
  const idempotencyKey = c.req.header('idempotency-key')
  if (c.req.method !== 'POST' || idempotencyKey === undefined) return next()
  if (!KEY_PATTERN.test(idempotencyKey))
    throw new Problem(400, 'Idempotency-Key must be 1–255 visible ASCII characters')
  const control = c.var.ports.control
  const scope = [c.var.operatorKeyId, c.req.method, c.req.path, idempotencyKey] as const
  const requestHash = await hashToken(await c.req.text())
  const now = new Date()
  const expired = new Date(now.getTime() - IDEMPOTENCY_TTL_HOURS * 3_600_000).toISOString()
  const where = 'key_id = ? AND method = ? AND path = ? AND idempotency_key = ?'
  const [, claimed, existing] = await control.batch([
    statement(`DELETE FROM admin_idempotency WHERE ${where} AND created_at < ?`, ...scope, expired),
    statement(
      `INSERT INTO admin_idempotency (key_id, method, path, idempotency_key, request_hash, created_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING key_id`,
      ...scope,
      requestHash,
      now.toISOString(),
    ),
    statement(`SELECT request_hash, status, response FROM admin_idempotency WHERE ${where}`, ...scope),
  ])
  const key = await answerKey(c.var.operatorKey, idempotencyKey)
  if (claimed?.rows.length !== 1) {
    const row = existing?.rows[0]
    if (row?.request_hash !== requestHash)
      throw new Problem(422, 'This Idempotency-Key was used with a different request body')
    if (row.status == null)
      throw new Problem(409, 'A request with this Idempotency-Key is still in progress', [], {
        'Retry-After': '1',
      })
    c.res = replay(await open(key, String(row.response)))
    return
  }
  try {
    await next()
  } finally {
    const res = c.res
    if (res.status >= 500 || c.error) {
      await control.batch([statement(`DELETE FROM admin_idempotency WHERE ${where}`, ...scope)])
    } else {
      const headers: Record<string, string> = {}
      for (const name of ['content-type', 'location']) {
        const value = res.headers.get(name)
        if (value) headers[name] = value
      }
      const answer = { status: res.status, body: await res.clone().text(), headers }
      await control.batch([
        statement(
          `UPDATE admin_idempotency SET status = ?, response = ? WHERE ${where}`,
          res.status,
          await seal(key, answer),
          ...scope,
        ),
      ])
    }
  }
}
