import { env, exports } from 'cloudflare:workers'
import { d1Port } from '../../src/admin/worker-ports'
import { createOperatorKey } from '../../src/control/operator-keys'
import type { TestTenant } from './tenant'

/** A new operator key, made as `npm run admin -- key create` makes it (the same module, on the real D1). */
export async function newOperatorKey(label = 'test') {
  return createOperatorKey(d1Port(env.DB), label)
}

export interface AdminRequest {
  method?: string
  body?: unknown
  key?: string | null
  host?: string
  headers?: Record<string, string>
}

/** Calls the real Worker's management API as a SaaS backend would. */
export async function admin(path: string, request: AdminRequest & { key: string | null }) {
  const headers = new Headers(request.headers)
  if (request.key !== null && !headers.has('authorization'))
    headers.set('authorization', `Bearer ${request.key}`)
  if (request.body !== undefined && !headers.has('content-type'))
    headers.set('content-type', 'application/json')
  const response = await exports.default.fetch(
    `https://${request.host ?? 'scim.example.com'}/admin/v1${path}`,
    {
      method: request.method ?? (request.body === undefined ? 'GET' : 'POST'),
      headers,
      body:
        request.body === undefined
          ? undefined
          : typeof request.body === 'string'
            ? request.body
            : JSON.stringify(request.body),
    },
  )
  const text = await response.text()
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect arbitrary JSON
  const json: any = text ? JSON.parse(text) : undefined
  return { status: response.status, headers: response.headers, json, text }
}

let counter = 0
/** A tenant name no other test uses. */
export const uniqueName = (prefix = 'api') => `${prefix}${++counter}-${crypto.randomUUID().slice(0, 8)}`

/** The tenant and token the API returned, in the shape the SCIM client takes. */
export function apiTenant(name: string, token: string): TestTenant {
  const host = `${name}.scim.example.com`
  return { name, host, token, tokenId: '', baseUrl: `https://${host}/scim/v2` }
}

/** Creates a tenant and issues a token through the API. */
export async function onboard(key: string, name = uniqueName(), db = 'DB') {
  const created = await admin('/tenants', { key, body: { name, db } })
  if (created.status !== 201) throw new Error(`create ${name}: ${created.status} ${created.text}`)
  const issued = await admin(`/tenants/${name}/tokens`, { key, body: {} })
  if (issued.status !== 201) throw new Error(`token ${name}: ${issued.status} ${issued.text}`)
  return apiTenant(name, issued.json.token)
}
