/**
 * zod's classic API (`zod/v4/classic/external`) without `locales`: this module's own `locales` and
 * `core` shadow the star export's, so the locale modules (free of side effects) stay out of the
 * bundle. Relative paths, because the package's exports map does not expose these files and the
 * bare `zod` is aliased to ./zod.ts.
 */
export * from '../../node_modules/zod/v4/classic/external.js'
export * as core from './zod-core'

/** Stands in for zod's translations, which the Worker never selects (see ./zod.ts). */
export const locales = {}
