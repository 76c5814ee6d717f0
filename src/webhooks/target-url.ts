/**
 * Which URLs a webhook endpoint may name (issue #18, outbound safety). The WHATWG URL parser
 * already rewrites every IPv4 notation (`0x7f.1`, `2130706433`, `0177.0.0.1`) to dotted decimal and
 * brackets IPv6, so checking the parsed hostname refuses IP literals in every notation.
 * Workers cannot resolve a name before connecting: a public name pointing at a private address is
 * not caught here (README, "Security").
 */

export interface TargetPolicy {
  /** This deployment's own domain (`BASE_DOMAIN`): never a receiver, so no loop through ourselves. */
  readonly ownDomain: string
  /** Development only: also allow `http://localhost[:port]` and `http://*.localhost` receivers. */
  readonly allowLocalhost: boolean
}

export type TargetCheck =
  | { readonly ok: true; readonly url: URL }
  | { readonly ok: false; readonly reason: string }

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/
const PRIVATE_SUFFIXES = ['.localhost', '.internal', '.local', '.home.arpa', '.lan', '.intranet', '.corp']

const refuse = (reason: string): TargetCheck => ({ ok: false, reason })

function isLocalhost(host: string) {
  return host === 'localhost' || host.endsWith('.localhost')
}

/** Checks a webhook URL against the policy; the answer's `reason` is meant for the operator. */
export function checkTargetUrl(input: string, policy: TargetPolicy): TargetCheck {
  let url: URL
  try {
    url = new URL(input)
  } catch {
    return refuse('is not an absolute URL')
  }
  if (url.username || url.password) return refuse('must not carry credentials')
  if (url.hash) return refuse('must not carry a fragment')
  // A trailing dot names the same host ("localhost." is localhost).
  const host = url.hostname.toLowerCase().replace(/\.+$/, '')
  if (policy.allowLocalhost && url.protocol === 'http:' && isLocalhost(host)) return { ok: true, url }
  if (url.protocol !== 'https:') return refuse('must use https')
  if (host.startsWith('[') || IPV4.test(host)) return refuse('must name a host, not an IP address')
  if (!host.includes('.')) return refuse('must name a public host with a domain')
  if (isLocalhost(host) || PRIVATE_SUFFIXES.some((suffix) => host.endsWith(suffix)))
    return refuse('must name a public host, not a local or internal one')
  const own = policy.ownDomain.toLowerCase()
  if (host === own || host.endsWith(`.${own}`))
    return refuse("must not point at this deployment's own domain")
  return { ok: true, url }
}
