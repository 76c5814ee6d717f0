import { defineConfig } from 'drizzle-kit'

// `generate` needs only the dialect, schema and output folder; migrations are applied with
// `wrangler d1 migrations apply` (npm run db:migrate), which reads the same flat folder of SQL files.
export default defineConfig({
  dialect: 'sqlite',
  schema: ['./src/db/schema.ts', './src/db/control-schema.ts'],
  out: './migrations',
  casing: 'snake_case',
})
