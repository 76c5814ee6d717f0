import { describe, expect, it } from 'vitest'
import { checkTargetUrl } from '../../src/webhooks/target-url'

const production = { ownDomain: 'scim.example.com', allowLocalhost: false }
const development = { ...production, allowLocalhost: true }

describe('webhook target URLs', () => {
  it.each([
    'https://hooks.example.org/scim',
    'https://api.customer.io:8443/webhooks?x=1',
    'https://example.com/', // the parent of BASE_DOMAIN is another party's
  ])('accepts the public https URL %s', (url) => {
    expect(checkTargetUrl(url, production).ok).toBe(true)
  })

  it.each([
    ['http://hooks.example.org/', 'https'],
    ['ftp://hooks.example.org/', 'https'],
    ['https://127.0.0.1/', 'IP address'],
    ['https://10.0.0.8/', 'IP address'],
    ['https://2130706433/', 'IP address'],
    ['https://0x7f000001/', 'IP address'],
    ['https://0177.0.0.1/', 'IP address'],
    ['https://127.1/', 'IP address'],
    ['https://0x7f.0.0.1/', 'IP address'],
    ['https://169.254.169.254/latest/meta-data', 'IP address'],
    ['https://[::1]/', 'IP address'],
    ['https://[::ffff:127.0.0.1]/', 'IP address'],
    ['https://[fd00::1]/', 'IP address'],
    ['https://localhost/', 'domain'],
    ['https://localhost./', 'domain'],
    ['https://app.localhost/', 'local or internal'],
    ['https://metadata.google.internal/', 'local or internal'],
    ['https://printer.local/', 'local or internal'],
    ['https://scim.example.com/', 'own domain'],
    ['https://acme.scim.example.com/scim/v2', 'own domain'],
    ['https://ACME.SCIM.EXAMPLE.COM./', 'own domain'],
    ['https://user:pass@hooks.example.org/', 'credentials'],
    ['https://hooks.example.org/#frag', 'fragment'],
    ['not a url', 'absolute URL'],
  ])('refuses %s', (url, reason) => {
    const result = checkTargetUrl(url, production)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.reason).toContain(reason)
  })

  it('allows http://localhost receivers only with the development switch', () => {
    expect(checkTargetUrl('http://localhost:8970/hook', production).ok).toBe(false)
    expect(checkTargetUrl('http://localhost:8970/hook', development).ok).toBe(true)
    expect(checkTargetUrl('http://receiver.localhost/hook', development).ok).toBe(true)
    // The switch opens localhost only, never private addresses.
    expect(checkTargetUrl('http://127.0.0.1:8970/hook', development).ok).toBe(false)
    expect(checkTargetUrl('http://10.0.0.1/hook', development).ok).toBe(false)
  })
})
