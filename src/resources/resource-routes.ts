import type { Context, Hono } from 'hono'
import type { AppEnv } from '../env'
import { methodNotAllowed } from '../http/error-handler'
import { etagOf, noneMatchHits } from '../http/etag'
import { scimJson } from '../http/scim-response'
import { PATCH_OP } from '../schema/urns'
import { type Answer, type ResourceKind, resourceTypeOf, withoutComputedAttributes } from './answer'
import { asksForProjection, ifMatchOf, projectionOf, readBodyWithSchema } from './request'
import { createResource, getResource, patchResource, removeResource, replaceResource } from './service'

// The route is built from `kind`, so Hono cannot type the param as always present.
const idOf = (c: Context<AppEnv>) => c.req.param('id') ?? ''

const withEtag = (c: Context<AppEnv>, { body, version }: Answer, status: 200 | 201 = 200, extra = {}) =>
  scimJson(c, body, status, { ETag: etagOf(version), ...extra })

/**
 * `/Users` and `/Groups` item routes and create, RFC 7644 §3.3–3.6. Listing and `.search` are
 * registered before these (list-routes.ts), so `/Users/.search` never reaches `/:id`.
 */
export function registerResourceRoutes(scim: Hono<AppEnv>, kind: ResourceKind) {
  const base = kind === 'User' ? '/Users' : '/Groups'
  const item = `${base}/:id`

  scim.post(base, async (c) => {
    const resourceType = resourceTypeOf(c.var.tenant, kind)
    const body = await readBodyWithSchema(c, resourceType.schema)
    const created = await createResource(c.var.tenant, kind, body, projectionOf(c, resourceType))
    const location = (created.body.meta as { location: string }).location
    return withEtag(c, created, 201, { Location: location })
  })
  scim.all(base, methodNotAllowed(['GET', 'POST']))

  scim.get(item, async (c) => {
    const found = await getResource(
      c.var.tenant,
      kind,
      idOf(c),
      projectionOf(c, resourceTypeOf(c.var.tenant, kind)),
    )
    // RFC 7644 §3.14 — the client already has this version.
    if (noneMatchHits(c.req.header('if-none-match'), found.version)) {
      return c.body(null, 304, { ETag: etagOf(found.version) })
    }
    return withEtag(c, found)
  })

  scim.put(item, async (c) => {
    const resourceType = resourceTypeOf(c.var.tenant, kind)
    const body = await readBodyWithSchema(c, resourceType.schema)
    const projection = projectionOf(c, resourceType)
    return withEtag(c, await replaceResource(c.var.tenant, kind, idOf(c), body, projection, ifMatchOf(c)))
  })

  scim.patch(item, async (c) => {
    const body = await readBodyWithSchema(c, PATCH_OP)
    // Entra ID: a group PATCH answers 204; returning (possibly huge) member lists is "not advisable".
    const bodiless = kind === 'Group' && !asksForProjection(c)
    const projection = bodiless
      ? withoutComputedAttributes(c.var.tenant, kind)
      : projectionOf(c, resourceTypeOf(c.var.tenant, kind))
    const patched = await patchResource(c.var.tenant, kind, idOf(c), body, projection, ifMatchOf(c))
    if (bodiless) return c.body(null, 204, { ETag: etagOf(patched.version) })
    return withEtag(c, patched)
  })

  scim.delete(item, async (c) => {
    await removeResource(c.var.tenant, kind, idOf(c), ifMatchOf(c))
    return c.body(null, 204)
  })
  scim.all(item, methodNotAllowed(['GET', 'PUT', 'PATCH', 'DELETE']))
}
