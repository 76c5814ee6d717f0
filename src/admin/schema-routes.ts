import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import { declareSchema, listSchemas, removeSchema } from '../control/schemas'
import type { SchemaDeclaration } from '../schema/tenant-schemas'
import type { AdminEnv } from './admin-env'
import { DELAY, SchemaDeclarationSchema, SchemaDeclareSchema, TenantParams } from './api-schemas'
import {
  commonProblems,
  idempotencyHeaders,
  jsonAnswer,
  jsonBody,
  problemAnswer,
  SECURITY,
  tenantProblems,
} from './route-kit'

const URN = 'urn:example:params:scim:schemas:extension:acme:2.0:User'
const SCHEMA = {
  id: URN,
  name: 'AcmeUser',
  description: 'Acme attributes',
  attributes: [
    { name: 'badgeNumber', type: 'string', multiValued: false, required: false, uniqueness: 'server' },
  ],
}
const DECLARATION = { schema: SCHEMA, resourceType: 'User' as const, required: false }
const SCHEMAS = '/admin/v1/tenants/acme/schemas'

const declareRoute = createRoute({
  method: 'post',
  path: '/tenants/{name}/schemas',
  summary: 'Declare an extension schema',
  description: `Declares (or re-declares, same id) an extension schema of RFC 7643 §7 on User or Group (inferred from the URN's last segment when resourceType is absent), with the checks of \`npm run tenant -- schema add\`. Served ${DELAY}.`,
  security: SECURITY,
  request: {
    params: TenantParams,
    headers: idempotencyHeaders,
    ...jsonBody(SchemaDeclareSchema, { schema: SCHEMA, resourceType: 'User' }),
  },
  responses: {
    201: jsonAnswer(
      z.object({ declaration: SchemaDeclarationSchema, replaced: z.boolean() }),
      { declaration: DECLARATION, replaced: false },
      'The declaration as stored (defaults filled)',
    ),
    ...tenantProblems(SCHEMAS),
    409: problemAnswer(
      409,
      'Conflict',
      `${URN}:badgeNumber cannot be unique: existing Users share "7" (2 resources)`,
      SCHEMAS,
    ),
    422: problemAnswer(422, 'Unprocessable Content', 'The schema was not declared', SCHEMAS),
  },
})

const listRoute = createRoute({
  method: 'get',
  path: '/tenants/{name}/schemas',
  summary: 'List extension schemas',
  security: SECURITY,
  request: { params: TenantParams },
  responses: {
    200: jsonAnswer(
      z.object({ schemas: z.array(SchemaDeclarationSchema) }),
      { schemas: [DECLARATION] },
      'The declarations',
    ),
    ...tenantProblems(SCHEMAS),
  },
})

const removeRoute = createRoute({
  method: 'delete',
  path: '/tenants/{name}/schemas/{urn}',
  summary: 'Remove an extension schema',
  description: `Stops serving the schema ${DELAY}; values stored for it stay, hidden until it is declared again.`,
  security: SECURITY,
  request: {
    params: TenantParams.extend({
      urn: z
        .string()
        .min(1)
        .openapi({ param: { name: 'urn', in: 'path' }, example: URN }),
    }),
  },
  responses: {
    200: jsonAnswer(z.object({ removed: z.string() }), { removed: URN }, 'The URN removed'),
    ...commonProblems(`${SCHEMAS}/${URN}`),
    404: problemAnswer(
      404,
      'Not Found',
      `Tenant acme declares no schema ${URN}; its schemas: none`,
      `${SCHEMAS}/${URN}`,
    ),
  },
})

type DeclarationJson = z.infer<typeof SchemaDeclarationSchema>
// Declarations are JSON (checked by checkDeclarations); their TypeScript type is readonly.
const asJson = (declaration: SchemaDeclaration) => declaration as unknown as DeclarationJson

export const schemaRouteDefinitions = [declareRoute, listRoute, removeRoute]

export function schemaRoutes(app: OpenAPIHono<AdminEnv>) {
  app.openapi(declareRoute, async (c) => {
    const { declaration, replaced } = await declareSchema(
      c.var.ports,
      c.req.valid('param').name,
      c.req.valid('json'),
    )
    return c.json({ declaration: asJson(declaration), replaced }, 201)
  })
  app.openapi(listRoute, async (c) =>
    c.json({ schemas: (await listSchemas(c.var.ports, c.req.valid('param').name)).map(asJson) }, 200),
  )
  app.openapi(removeRoute, async (c) => {
    const { name, urn } = c.req.valid('param')
    const removed = await removeSchema(c.var.ports, name, urn)
    return c.json({ removed: removed.schema.id }, 200)
  })
}
