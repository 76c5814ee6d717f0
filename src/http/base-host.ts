/**
 * Whether `host` is the bare base domain, where /healthz and the management API answer; where local
 * tenants are allowed, also `localhost` and `127.0.0.1` (any port). A tenant's subdomain never is.
 */
export function isBaseHost(host: string, env: Pick<Env, 'BASE_DOMAIN' | 'ALLOW_LOCALHOST_TENANTS'>): boolean {
  const hostname = host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '')
  return (
    hostname === env.BASE_DOMAIN.toLowerCase() ||
    (env.ALLOW_LOCALHOST_TENANTS === 'true' && (hostname === 'localhost' || hostname === '127.0.0.1'))
  )
}

/** The request's Host header (what routing saw), else its URL's host. */
export const requestHost = (req: { header(name: string): string | undefined; url: string }) =>
  req.header('host') ?? new URL(req.url).host
