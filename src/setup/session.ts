import type { Context, MiddlewareHandler } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import { workerPorts } from '../admin/worker-ports'
import type { ControlPorts } from '../control/ports'
import { readSetupSession, SESSION_SECONDS, type SetupSession } from '../control/setup-links'
import type { AppEnv } from '../env'
import { tenantFromHost } from '../tenancy/host'

/**
 * `__Host-`: Secure, Path=/ and no Domain, so the cookie is bound to this tenant's exact host and no
 * sibling subdomain can set or read it. Chromium keeps Secure cookies on http://<tenant>.localhost
 * too (localhost is a secure context), so wrangler dev uses the same name.
 */
export const SESSION_COOKIE = '__Host-scim-setup'

export interface SetupEnv {
  Bindings: AppEnv['Bindings']
  Variables: AppEnv['Variables'] & {
    ports: ControlPorts
    /** The tenant named by the host. */
    setupTenant: string
    session: SetupSession
    /** For the inline style and script, per response (Content-Security-Policy). */
    nonce: string
  }
}

/** The tenant of the host (setup pages exist only on tenant hosts), with the ports and a CSP nonce. */
export const setupTenantHost: MiddlewareHandler<SetupEnv> = async (c, next) => {
  const name = tenantFromHost(
    c.req.header('host') ?? new URL(c.req.url).host,
    c.env.BASE_DOMAIN,
    c.env.ALLOW_LOCALHOST_TENANTS === 'true',
  )
  if (!name) return c.text('Not found', 404)
  c.set('setupTenant', name)
  c.set('ports', workerPorts(c.env))
  c.set('nonce', crypto.randomUUID().replaceAll('-', ''))
  await next()
  c.header('Referrer-Policy', 'no-referrer')
  c.header('Cache-Control', 'no-store')
  c.header(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'nonce-${c.var.nonce}'; script-src 'nonce-${c.var.nonce}'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  )
}

/**
 * POSTs only from this origin (SameSite=Strict already withholds the cookie from other sites' forms).
 * Under Referrer-Policy: no-referrer browsers send `Origin: null` on form posts, so Fetch Metadata
 * (`Sec-Fetch-Site`) decides where it is sent, and Origin only when it names one.
 */
export const sameOriginPosts: MiddlewareHandler<SetupEnv> = async (c, next) => {
  if (c.req.method === 'POST') {
    const site = c.req.header('sec-fetch-site')
    const origin = c.req.header('origin')
    const crossSite = site !== undefined && site !== 'same-origin'
    const otherOrigin = origin !== undefined && origin !== 'null' && origin !== new URL(c.req.url).origin
    if (crossSite || otherOrigin) return c.text('Forbidden: this form must be sent from the setup page', 403)
  }
  await next()
}

export function startSession(c: Context<SetupEnv>, session: string) {
  setCookie(c, SESSION_COOKIE, session, {
    path: '/',
    secure: true,
    httpOnly: true,
    sameSite: 'Strict',
    maxAge: SESSION_SECONDS,
  })
}

/** The session of this tenant from the cookie, checked against D1 on every request. */
export async function currentSession(c: Context<SetupEnv>): Promise<SetupSession | undefined> {
  const cookie = getCookie(c, SESSION_COOKIE)
  return cookie ? readSetupSession(c.var.ports, c.var.setupTenant, cookie) : undefined
}
