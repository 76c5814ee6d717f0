import { createSetupLink } from '../../src/control/setup-links'
import { CliError } from './cli-error'
import { portsOf, toCliError } from './tenant-store'
import type { WranglerClient } from './wrangler'
import { readRoutes } from './wrangler-config'

const HOUR_MS = 3_600_000

/**
 * `npm run tenant -- setup-link <tenant>`: the same control module as POST
 * /admin/v1/tenants/{name}/setup-links; the link is on the tenant's host of the target's BASE_DOMAIN,
 * or on `<tenant>.localhost:8787` (wrangler dev's default port) for local storage.
 */
export async function setupLink(w: WranglerClient, tenant: string, expiresInMs: number | undefined) {
  const expiresInHours = expiresInMs === undefined ? undefined : Math.ceil(expiresInMs / HOUR_MS)
  if (expiresInHours !== undefined && expiresInHours > 720)
    throw new CliError(
      '--expires must be at most 30d for a setup link',
      'Use --expires 72h (the default) or less.',
    )
  try {
    const { secret, link } = await createSetupLink(
      await portsOf(w),
      tenant,
      expiresInHours === undefined ? {} : { expiresInHours },
      'cli',
    )
    const { baseDomain } = await readRoutes(w.target.env)
    const origin = w.target.remote ? `https://${tenant}.${baseDomain}` : `http://${tenant}.localhost:8787`
    return { ...link, url: `${origin}/setup/${secret}` }
  } catch (error) {
    throw toCliError(error, w)
  }
}
