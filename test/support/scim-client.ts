import { exports } from 'cloudflare:workers'
import type { TestTenant } from './tenant'

export interface ScimRequest {
  method?: string
  body?: unknown
  headers?: Record<string, string>
  token?: string | null
  host?: string
}

/** Calls the real Worker (its default export) as an identity provider would. */
export async function scim(tenant: TestTenant, path: string, request: ScimRequest = {}) {
  const headers = new Headers(request.headers)
  const token = request.token === undefined ? tenant.token : request.token
  if (token !== null && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`)
  if (request.body !== undefined && !headers.has('content-type'))
    headers.set('content-type', 'application/scim+json')
  const host = request.host ?? tenant.host
  const response = await exports.default.fetch(`https://${host}/scim/v2${path}`, {
    method: request.method ?? (request.body === undefined ? 'GET' : 'POST'),
    headers,
    body:
      request.body === undefined
        ? undefined
        : typeof request.body === 'string'
          ? request.body
          : JSON.stringify(request.body),
  })
  const text = await response.text()
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect arbitrary SCIM JSON
  const json: any = text ? JSON.parse(text) : undefined
  return { status: response.status, headers: response.headers, json, text }
}

/** D1 round trips reported by `Server-Timing: d1;dur=…;desc="N round trips"`. */
export function roundTrips(headers: Headers): number {
  const match = /d1;dur=[\d.]+;desc="(\d+) round trips"/.exec(headers.get('server-timing') ?? '')
  if (!match?.[1]) throw new Error(`no d1 metric in Server-Timing: ${headers.get('server-timing')}`)
  return Number(match[1])
}

/** Rows D1 read for a request (`Server-Timing: d1-cost;desc="S statements, N rows read, W rows written"`): the work its queries did. */
export function rowsRead(headers: Headers): number {
  const match = /d1-cost;desc="\d+ statements, (\d+) rows read/.exec(headers.get('server-timing') ?? '')
  if (!match?.[1]) throw new Error(`no d1-cost metric in Server-Timing: ${headers.get('server-timing')}`)
  return Number(match[1])
}
