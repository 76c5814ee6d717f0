/**
 * A SaaS application's webhook receiver in the tests: the main Worker's outbound fetch() reaches
 * it (vitest.config.ts `outboundService`). It keeps every request (headers and raw body) in KV under
 * `<path> <webhook-id> <n>`, for the test to verify with the standardwebhooks package, and answers by
 * path: /down always 500, /flaky 500 to the first request of each webhook-id then 200, /redirect a
 * 302 to a private address, /outage 500 while the key `state <path>` holds `down` (an application
 * that is down, then back), anything else 200. Each record keeps the status answered.
 */
export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url)
    const id = request.headers.get('webhook-id') ?? 'none'
    const seen = await env.HOOKS.list({ prefix: `${pathname} ${id} ` })
    const n = seen.keys.length + 1
    const headers = Object.fromEntries(request.headers)
    const status = await statusFor(pathname, n, env)
    const record = { headers, body: await request.text(), status }
    await env.HOOKS.put(`${pathname} ${id} ${n}`, JSON.stringify(record))
    if (status === 302) return Response.redirect('http://169.254.169.254/latest/meta-data', 302)
    return new Response(status === 500 ? 'no' : null, { status })
  },
}

async function statusFor(pathname, n, env) {
  if (pathname.startsWith('/down') || (pathname.startsWith('/flaky') && n === 1)) return 500
  if (pathname.startsWith('/outage') && (await env.HOOKS.get(`state ${pathname}`)) === 'down') return 500
  if (pathname.startsWith('/redirect')) return 302
  return 204
}
