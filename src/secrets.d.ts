// Secrets are not in wrangler.toml, so `wrangler types` cannot see them: `wrangler secret put` in
// production, `.dev.vars` locally, a miniflare binding in tests.
declare namespace Cloudflare {
  interface Env {
    /** Signs RFC 9865 cursors; without it, cursor pagination is not offered. */
    CURSOR_SECRET?: string
  }
}
