import * as z from 'zod'
import { TENANT_NAME_PATTERN } from '../tenancy/tenant-record'

/**
 * The input rules of tenants and tokens, shared by the management API (its request schemas and
 * OpenAPI document are built from these) and the tenant CLI (which checks its flags with them).
 */

export const TENANT_STATUSES = ['active', 'suspended'] as const
export type TenantStatus = (typeof TENANT_STATUSES)[number]

/** Live tokens a tenant may hold: each is compared on every SCIM request. */
export const MAX_TOKENS_PER_TENANT = 20
const MAX_SECONDS = 3650 * 86_400

export const tenantNameSchema = z
  .string()
  .regex(
    TENANT_NAME_PATTERN,
    'a tenant name is 1–63 lowercase letters, digits and inner hyphens (it becomes the subdomain <tenant>.<BASE_DOMAIN>)',
  )

export const databaseBindingSchema = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]*$/, 'a D1 binding name is like DB or DB_2')

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/

export const labelSchema = z
  .string()
  .min(1)
  .max(100)
  .refine((label) => !CONTROL_CHARACTERS.test(label), 'a label has no control characters')

export const metadataSchema = z
  .record(
    z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'metadata keys are 1–64 letters, digits, _ . -'),
    z.string().max(1000),
  )
  .refine((m) => Object.keys(m).length <= 20, 'at most 20 metadata entries')

export const expiresInSecondsSchema = z.number().int().min(1).max(MAX_SECONDS)
export const graceSecondsSchema = z.number().int().min(0).max(MAX_SECONDS)

/** A new tenant as the API's POST body and the CLI's `create` give it. */
export const tenantInputSchema = z.strictObject({
  name: tenantNameSchema,
  db: databaseBindingSchema.default('DB'),
  label: labelSchema.optional(),
  metadata: metadataSchema.optional(),
})
export type TenantInput = z.input<typeof tenantInputSchema>

/** A token to issue. */
export const tokenInputSchema = z.strictObject({
  label: labelSchema.optional(),
  expiresInSeconds: expiresInSecondsSchema.optional(),
})
export type TokenInput = z.infer<typeof tokenInputSchema>

/** A rotation: a new token, and how long the tenant's other live tokens keep working. */
export const rotationInputSchema = tokenInputSchema.extend({
  graceSeconds: graceSecondsSchema.default(0),
})
export type RotationInput = z.input<typeof rotationInputSchema>

/** Problems of a zod failure as `path: message` lines. */
export function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
}
