import { exports } from 'cloudflare:workers'
import { admin, onboard } from './admin-client'

export interface PageAnswer {
  status: number
  headers: Headers
  text: string
}

/** Calls the setup page on `host` as a browser would: the cookie, and Origin on POSTs. */
export async function page(
  url: string,
  options: {
    method?: string
    cookie?: string
    form?: Record<string, string>
    origin?: string | null
    headers?: Record<string, string>
  } = {},
): Promise<PageAnswer> {
  const method = options.method ?? (options.form ? 'POST' : 'GET')
  const headers = new Headers(options.headers)
  if (options.cookie) headers.set('cookie', options.cookie)
  const origin = options.origin === undefined ? new URL(url).origin : options.origin
  if (method === 'POST' && origin !== null) headers.set('origin', origin)
  const body = options.form ? new URLSearchParams(options.form) : undefined
  const response = await exports.default.fetch(url, { method, headers, body, redirect: 'manual' })
  return { status: response.status, headers: response.headers, text: await response.text() }
}

/** A tenant (with a token) and a new setup link for it, through the management API. */
export async function tenantWithLink(key: string, body: Record<string, unknown> = {}) {
  const tenant = await onboard(key)
  const link = await admin(`/tenants/${tenant.name}/setup-links`, { key, body })
  if (link.status !== 201) throw new Error(`setup link: ${link.status} ${link.text}`)
  return { tenant, url: link.json.url as string, linkId: link.json.id as string }
}

/** Redeems a link (the Continue button) and answers the session cookie (`name=value`). */
export async function redeem(url: string): Promise<string> {
  const answer = await page(url, { method: 'POST' })
  if (answer.status !== 303) throw new Error(`redeem: ${answer.status} ${answer.text}`)
  const cookie = answer.headers.get('set-cookie') ?? ''
  return cookie.split(';')[0] ?? ''
}
