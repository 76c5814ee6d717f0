/**
 * The one revocation delay of this deployment: the longest a revoked token, a suspended tenant or a
 * deleted tenant may keep working in some Cloudflare location after the change. Every cache on the
 * way to a tenant record (KV's propagation, KV's edge `cacheTtl`, any cache in the isolate) must add
 * up to no more than this; the README, the management API's OpenAPI descriptions and the setup page
 * all quote this figure, never their own.
 */
export const REVOCATION_DELAY_SECONDS = 120
