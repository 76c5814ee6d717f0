import type { Context } from 'hono'
import type { AppEnv } from '../env'
import { acceptedVersions } from '../http/etag'
import { readJsonObject } from '../http/request-body'
import { ScimError } from '../http/scim-error'
import { type ProjectionRequest, parseAttributeList } from '../projection/project'
import type { ResourceTypeDefinition } from '../schema/attribute'

/** Whether a request body's `schemas` lists `urn` (compared case-insensitively, RFC 7643 §3). */
function listsSchema(body: Record<string, unknown>, urn: string): boolean {
  return (
    Array.isArray(body.schemas) &&
    body.schemas.some((s) => typeof s === 'string' && s.toLowerCase() === urn.toLowerCase())
  )
}

/**
 * Reads a body whose `schemas` must list `urn` (the resource's core schema for POST/PUT, the PatchOp
 * URN for PATCH), RFC 7644 §3.3 and §3.5.2; other URIs beside it are tolerated (Entra adds a
 * non-RFC group schema URI).
 */
export async function readBodyWithSchema(c: Context<AppEnv>, urn: string): Promise<Record<string, unknown>> {
  const body = await readJsonObject(c)
  if (!listsSchema(body, urn)) throw ScimError.invalidSyntax(`The request's "schemas" must include "${urn}"`)
  return body
}

/** `attributes` / `excludedAttributes` of the query string, RFC 7644 §3.9. */
export function projectionOf(c: Context<AppEnv>, resourceType: ResourceTypeDefinition): ProjectionRequest {
  const { registry } = c.var.tenant
  return {
    attributes: parseAttributeList(c.req.query('attributes'), registry, resourceType),
    excludedAttributes: parseAttributeList(c.req.query('excludedAttributes'), registry, resourceType),
  }
}

/** Whether the client asked for a projection at all (group PATCH then answers 200 instead of 204). */
export const asksForProjection = (c: Context<AppEnv>) =>
  c.req.query('attributes') !== undefined || c.req.query('excludedAttributes') !== undefined

/** The version `If-Match` requires, RFC 7644 §3.14. */
export const ifMatchOf = (c: Context<AppEnv>) => acceptedVersions(c.req.header('if-match'))
