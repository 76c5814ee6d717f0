import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'

/**
 * wrangler reads `.dev.vars` (or `.env`) beside the configuration it is given, so with wrangler.toml
 * the tests would run with a developer's own secrets. They get a copy of it in a directory that has
 * neither, its relative paths made absolute; the test bindings are all set below.
 */
async function testWranglerConfig(): Promise<string> {
  const text = (await readFile('wrangler.toml', 'utf8')).replace(
    /^(main|migrations_dir)\s*=\s*"([^"]+)"/gm,
    (_, key: string, path: string) => `${key} = ${JSON.stringify(resolve(path))}`,
  )
  const dir = resolve('.tmp/vitest')
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'wrangler.toml'), text)
  return join(dir, 'wrangler.toml')
}

// Three projects: pure modules in Node (`unit`), the real Worker inside workerd with local D1 and
// KV (`workers`), and the documented local workflow driven through `wrangler dev` (`e2e`, Node,
// because code inside workerd cannot start processes).
// The name vitest-pool-workers gives the Worker that runs the `workers` project's tests and the main module.
const RUNNER = 'vitest-pool-workers-runner-workers'
const directoryBinding = (props: Record<string, unknown> | undefined) => ({
  name: RUNNER,
  entrypoint: 'Directory',
  ...(props ? { props } : {}),
})

export default defineConfig(async () => {
  const [migrations, configPath] = await Promise.all([readD1Migrations('migrations'), testWranglerConfig()])
  return {
    test: {
      // The Worker logs a JSON line per request; show a test's output only when it fails.
      silent: 'passed-only' as const,
      projects: [
        {
          test: {
            name: 'unit',
            include: ['test/unit/**/*.test.ts'],
            environment: 'node',
            // The property tests take 1–2 s on an idle 2-core machine and over 10 s under load: a
            // timeout is no finding there either.
            testTimeout: 30_000,
          },
        },
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  CURSOR_SECRET: 'test-cursor-secret-do-not-use-in-production',
                  WEBHOOK_SECRET_KEY: 'test-webhook-secret-key-do-not-use-in-production',
                },
                // A second, real limiter with a low limit, so the 429 path is reachable in a test.
                ratelimits: { RATE_LIMITER_TEST: { simple: { limit: 3, period: 10 } } },
                kvNamespaces: { EVENT_SINK: 'test-event-sink', WEBHOOK_SINK: 'test-webhook-sink' },
                // The Worker's outbound fetch() (webhook deliveries) reaches the test receiver below.
                outboundService: 'webhook-receiver',
                // A database only the change-event tests write to, so the cron's retention can be
                // run against it without touching the rows other test files assert on.
                // And one only the change-feed test prunes (test/integration/directory-feed.test.ts).
                d1Databases: { DB_EVENTS_TEST: 'test-events-db', DB_FEED_TEST: 'test-feed-db' },
                // The application's Worker below, which the Directory tests call into.
                serviceBindings: { DIRECTORY_CONSUMER: 'directory-consumer' },
                // The SaaS side of change events: a separate Worker consuming the queue that
                // wrangler.toml's SCIM_EVENTS produces to, recording each message in EVENT_SINK.
                workers: [
                  {
                    name: 'event-consumer',
                    modules: true,
                    scriptPath: './test/support/event-consumer.mjs',
                    compatibilityDate: '2026-04-20',
                    kvNamespaces: { SINK: 'test-event-sink' },
                    queueConsumers: { 'edge-scim-events': { maxBatchTimeout: 0.05 } },
                  },
                  {
                    name: 'webhook-receiver',
                    modules: true,
                    scriptPath: './test/support/webhook-receiver.mjs',
                    compatibilityDate: '2026-04-20',
                    kvNamespaces: { HOOKS: 'test-webhook-sink' },
                  },
                  // A SaaS application's Worker reading the directory over RPC: service bindings to
                  // the main Worker's Directory entrypoint (the pool's runner Worker exports it),
                  // each with the props a real binding would carry in wrangler.toml.
                  {
                    name: 'directory-consumer',
                    modules: true,
                    scriptPath: './test/support/directory-consumer.mjs',
                    compatibilityDate: '2026-04-20',
                    serviceBindings: {
                      DIRECTORY_ACME: directoryBinding({ tenants: ['rpc-acme'] }),
                      DIRECTORY_ALL: directoryBinding({ tenants: '*' }),
                      DIRECTORY_NO_PROPS: directoryBinding(undefined),
                    },
                  },
                ],
              },
            }),
          ],
          test: {
            name: 'workers',
            include: ['test/integration/**/*.test.ts', 'test/conformance/**/*.test.ts'],
            setupFiles: ['./test/support/apply-migrations.ts'],
            // Concurrency tests run tens of requests through one workerd; on a 2-core machine under
            // load 5 s is too tight for them, and a timeout is no finding.
            testTimeout: 30_000,
          },
        },
        {
          test: {
            name: 'e2e',
            include: ['test/e2e/**/*.test.ts'],
            environment: 'node',
            // Each tenant command starts wrangler several times (about 2 s each on an idle machine,
            // 15 s on a loaded 2-core one): the timeouts allow for the loaded case.
            testTimeout: 300_000,
            hookTimeout: 300_000,
          },
        },
      ],
    },
  }
})
