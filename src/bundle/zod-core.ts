/** `zod/v4/core` without `locales`, for ./zod-classic.ts's `core` (the same shadowing). */
export * from '../../node_modules/zod/v4/core/index.js'

/** Stands in for zod's translations, which the Worker never selects (see ./zod.ts). */
export const locales = {}
