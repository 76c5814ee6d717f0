import { z } from '@hono/zod-openapi'
import {
  rotationInputSchema,
  TENANT_STATUSES,
  tenantInputSchema,
  tenantNameSchema,
  tokenInputSchema,
} from '../control/rules'
import { REVOCATION_DELAY_SECONDS } from '../tenancy/revocation-delay'
import { DeletionSchema } from './deletion-view'

/**
 * The management API's request and answer shapes. Request bodies are the control plane's own rules
 * (src/control/rules.ts), so the API, the CLI and this OpenAPI document cannot disagree.
 */

export const DELAY = `within ${REVOCATION_DELAY_SECONDS} seconds in every Cloudflare location (the revocation delay)`

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    errors: z.array(z.string()).optional(),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details' })

export const TenantParams = z.object({
  name: tenantNameSchema.openapi({ param: { name: 'name', in: 'path' }, example: 'acme' }),
})

export const TenantCreateSchema = tenantInputSchema.openapi('TenantCreate')
export const TokenIssueSchema = tokenInputSchema.openapi('TokenIssue')
export const RotationSchema = rotationInputSchema.openapi('Rotation')

export const TokenMetadataSchema = z
  .object({
    id: z.string(),
    label: z.string().optional(),
    createdAt: z.string(),
    expiresAt: z.string().optional(),
    expired: z.boolean(),
  })
  .openapi('TokenMetadata')

export const LastScimRequestSchema = z
  .object({
    at: z.string(),
    client: z.string().openapi({ description: 'The User-Agent, at most 120 characters' }),
    status: z.number().int(),
  })
  .openapi('LastScimRequest', {
    description: 'The last SCIM request of the tenant; null when none was recorded yet',
  })

export const TenantSchema = z
  .object({
    name: z.string(),
    status: z.string().openapi({
      description: `${TENANT_STATUSES.join(' or ')}; deleting once DELETE /tenants/{name} began`,
    }),
    db: z.string(),
    label: z.string().optional(),
    metadata: z.record(z.string(), z.string()).optional(),
    createdAt: z.string(),
    scimBaseUrl: z.string(),
    counts: z.object({ users: z.number().int(), groups: z.number().int() }),
    tokens: z.array(TokenMetadataSchema),
    schemas: z.array(z.string()).openapi({ description: 'URNs of the extension schemas it declares' }),
    lastScimRequest: LastScimRequestSchema.nullable().optional(),
    deletion: DeletionSchema.optional().openapi({
      description: 'While the tenant is being deleted: the progress',
    }),
  })
  .openapi('Tenant')

export const TenantListSchema = z
  .object({ tenants: z.array(TenantSchema.omit({ counts: true })), nextCursor: z.string().nullable() })
  .openapi('TenantList')

export const StatusChangeSchema = z
  .object({ name: z.string(), status: z.string(), changed: z.boolean() })
  .openapi('StatusChange')

export const IssuedTokenSchema = z
  .object({
    tenant: z.string(),
    token: z.string().openapi({ description: 'The bearer token, shown only in this answer' }),
    tokenId: z.string(),
    metadata: TokenMetadataSchema,
    scimBaseUrl: z.string(),
  })
  .openapi('IssuedToken')

export const RotatedTokenSchema = IssuedTokenSchema.extend({
  kept: z.array(z.object({ id: z.string(), expiresAt: z.string() })),
  removed: z.array(z.string()),
}).openapi('RotatedToken')

export const RevokedSchema = z.object({ tenant: z.string(), revoked: z.array(z.string()) }).openapi('Revoked')

export const SchemaDeclareSchema = z
  .strictObject({
    schema: z.record(z.string(), z.unknown()).openapi({ description: 'The schema, RFC 7643 §7' }),
    resourceType: z.enum(['User', 'Group']).optional(),
    required: z.boolean().optional(),
  })
  .openapi('SchemaDeclare')

export const SchemaDeclarationSchema = z
  .object({
    schema: z.record(z.string(), z.unknown()),
    resourceType: z.enum(['User', 'Group']),
    required: z.boolean(),
  })
  .openapi('SchemaDeclaration')

export const ConnectionSchema = z
  .object({
    tenant: z.string(),
    scimBaseUrl: z.string(),
    authentication: z.object({ scheme: z.literal('Bearer'), header: z.string(), tokenFormat: z.string() }),
    revocationDelaySeconds: z.number().int(),
    identityProviders: z.record(
      z.string(),
      z.object({ fields: z.record(z.string(), z.string()), notes: z.array(z.string()) }),
    ),
  })
  .openapi('Connection')

export const AuditEntrySchema = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    keyId: z.string().nullable(),
    method: z.string(),
    path: z.string(),
    tenant: z.string().nullable(),
    status: z.number().int(),
    requestId: z.string().nullable(),
  })
  .openapi('AuditEntry')

export const AuditListSchema = z
  .object({ entries: z.array(AuditEntrySchema), nextCursor: z.string().nullable() })
  .openapi('AuditList')
