/**
 * A SaaS application's webhook receiver in the tests: the main Worker's outbound fetch() reaches
 * it (vitest.config.ts `outboundService`). It keeps every request (headers and raw body) in KV under
 * `<path> <webhook-id> <n>`, for the test to verify with the standardwebhooks package, and answers by
 * path: /down always 500, /flaky 500 to the first request of each webhook-id then 200, /redirect a
 * 302 to a private address, anything else 200.
 */
export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url)
    const id = request.headers.get('webhook-id') ?? 'none'
    const seen = await env.HOOKS.list({ prefix: `${pathname} ${id} ` })
    const n = seen.keys.length + 1
    const headers = Object.fromEntries(request.headers)
    await env.HOOKS.put(`${pathname} ${id} ${n}`, JSON.stringify({ headers, body: await request.text() }))
    if (pathname.startsWith('/down') || (pathname.startsWith('/flaky') && n === 1))
      return new Response('no', { status: 500 })
    if (pathname.startsWith('/redirect'))
      return Response.redirect('http://169.254.169.254/latest/meta-data', 302)
    return new Response(null, { status: 204 })
  },
}
