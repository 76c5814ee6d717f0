/**
 * What the bundle gets for `import … from 'zod'` (wrangler.toml `[alias]`): zod's classic API without
 * its 60-odd locales. `@hono/zod-openapi` hands zod's whole `z` namespace to `extendZodWithOpenApi`,
 * which makes esbuild keep every export of it, `z.locales` too (about 590 KiB of the bundle and most
 * of the startup CPU). Nothing here selects a locale: zod's English messages, which `schemas.js`
 * installs itself, stay. Type-checking, tests and scripts use the package unchanged.
 */
import * as z from './zod-classic'

export * from './zod-classic'
export { z, z as default }
