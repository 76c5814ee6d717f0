import { duplicateValuesStatement, reclaimSchemaStatements, uniqueAttributesOf } from '../db/unique-values'
import type { SchemaDefinition } from '../schema/attribute'
import {
  checkDeclarations,
  type DeclarationInput,
  EXTENSIBLE_RESOURCE_TYPES,
  type SchemaDeclaration,
} from '../schema/tenant-schemas'
import { ControlError } from './control-error'
import { requireTenant } from './find-tenant'
import { type ControlPorts, type SqlPort, statement } from './ports'
import { publishTenant } from './publish'
import type { TenantRow } from './tenant-row'

/**
 * A tenant's extension schemas (RFC 7643 §3.3, §7): declared, re-declared and removed with the
 * Worker's own checks (src/schema/tenant-schemas.ts), for the management API and the tenant CLI.
 */

/** A declaration as asked for: the RFC 7643 §7 schema JSON, and optionally its resource type. */
export interface SchemaRequest {
  schema: unknown
  resourceType?: string | undefined
  required?: boolean | undefined
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()
const idOf = (raw: unknown) =>
  typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string'
    ? (raw as { id: string }).id
    : undefined

/** The resource type a schema extends: as given, else the last segment of its URN (`…:2.0:User`). */
function resourceTypeOf(raw: unknown, given: string | undefined): string {
  if (given !== undefined) return given
  const id = idOf(raw)
  const last = id?.slice(id.lastIndexOf(':') + 1)
  const inferred = EXTENSIBLE_RESOURCE_TYPES.find((t) => last !== undefined && same(t, last))
  if (!inferred)
    throw new ControlError(
      'invalid',
      `Cannot tell which resource type ${id ?? 'the schema'} extends; name it (User or Group)`,
    )
  return inferred
}

/** Changes to an existing attribute that would make stored values disagree with their definition. */
function incompatibleChanges(previous: SchemaDefinition, next: SchemaDefinition): string[] {
  return next.attributes.flatMap((a) => {
    const before = previous.attributes.find((b) => same(a.name, b.name))
    if (!before) return []
    return (['type', 'multiValued', 'caseExact'] as const)
      .filter((key) => before[key] !== a[key])
      .map((key) => `${a.name}: ${key} ${before[key]} → ${a[key]}`)
  })
}

function tenantDatabase(ports: ControlPorts, tenant: TenantRow): SqlPort {
  const port = ports.database(tenant.db)
  if (!port)
    throw new Error(`Tenant ${tenant.name} names D1 binding ${tenant.db}, which this deployment lacks`)
  return port
}

/** Refuses to enforce uniqueness that existing resources already break, naming the shared values. */
async function checkNoDuplicates(db: SqlPort, tenant: string, declaration: SchemaDeclaration) {
  for (const unique of uniqueAttributesOf(declaration.schema)) {
    const [result] = await db.batch([duplicateValuesStatement(tenant, declaration.resourceType, unique)])
    const rows = result?.rows ?? []
    if (rows.length === 0) continue
    const shared = rows.map((r) => `${JSON.stringify(r.value)} (${r.resources} resources)`).join(', ')
    throw new ControlError(
      'conflict',
      `${declaration.schema.id}:${unique.attribute.name} cannot be unique: existing ${declaration.resourceType}s share ${shared}; change those values first, or declare the attribute with uniqueness none`,
    )
  }
}

/** Stores the declarations unless the tenant changed since it was read (no lost update), then publishes. */
async function saveDeclarations(ports: ControlPorts, tenant: TenantRow, declarations: SchemaDeclaration[]) {
  const [saved] = await ports.control.batch([
    statement(
      'UPDATE tenants SET schemas = ?, revision = revision + 1 WHERE name = ? AND revision = ? RETURNING name',
      declarations.length > 0 ? JSON.stringify(declarations) : null,
      tenant.name,
      tenant.revision,
    ),
  ])
  if (saved?.rows.length !== 1)
    throw new ControlError('conflict', `Tenant ${tenant.name} changed meanwhile; send the request again`)
  await publishTenant(ports, tenant.name)
}

/**
 * Declares (or re-declares) an extension schema: checks it, refuses type changes of existing
 * attributes, claims the values existing resources hold for its unique attributes, then stores it.
 */
export async function declareSchema(ports: ControlPorts, name: string, request: SchemaRequest) {
  const tenant = await requireTenant(ports, name)
  const input: DeclarationInput = {
    schema: request.schema,
    resourceType: resourceTypeOf(request.schema, request.resourceType),
    required: request.required ?? false,
  }
  const id = idOf(request.schema)
  const existing = tenant.schemas
  const at = existing.findIndex((d) => id !== undefined && same(d.schema.id, id))
  const inputs: DeclarationInput[] =
    at < 0 ? [...existing, input] : existing.map((d, i) => (i === at ? input : d))
  const checked = checkDeclarations(inputs)
  if (!checked.ok) throw new ControlError('invalid', 'The schema was not declared', checked.problems)
  const declaration = checked.value[at < 0 ? checked.value.length - 1 : at]!
  const previous = existing[at]
  const changes = previous ? incompatibleChanges(previous.schema, declaration.schema) : []
  if (changes.length > 0)
    throw new ControlError(
      'conflict',
      'Stored values would no longer match their definition; declare a new attribute name instead, or remove the schema first (its stored values stay, hidden)',
      changes,
    )
  if ([declaration, previous].some((d) => d && uniqueAttributesOf(d.schema).length > 0)) {
    const db = tenantDatabase(ports, tenant)
    await checkNoDuplicates(db, name, declaration)
    await db.batch(
      reclaimSchemaStatements(name, declaration.resourceType, declaration.schema, previous?.schema),
    )
  }
  await saveDeclarations(ports, tenant, checked.value)
  return { declaration, replaced: previous !== undefined }
}

/** Stops serving an extension schema; the values resources hold for it stay stored, and hidden. */
export async function removeSchema(ports: ControlPorts, name: string, urn: string) {
  const tenant = await requireTenant(ports, name)
  const removed = tenant.schemas.find((d) => same(d.schema.id, urn))
  if (!removed)
    throw new ControlError(
      'not_found',
      `Tenant ${name} declares no schema ${urn}; its schemas: ${tenant.schemas.map((d) => d.schema.id).join(', ') || 'none'}`,
    )
  await saveDeclarations(
    ports,
    tenant,
    tenant.schemas.filter((d) => d !== removed),
  )
  if (uniqueAttributesOf(removed.schema).length > 0)
    await tenantDatabase(ports, tenant).batch(
      reclaimSchemaStatements(name, removed.resourceType, undefined, removed.schema),
    )
  return removed
}

export async function listSchemas(ports: ControlPorts, name: string): Promise<SchemaDeclaration[]> {
  return (await requireTenant(ports, name)).schemas
}
