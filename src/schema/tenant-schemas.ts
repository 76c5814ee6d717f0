import * as z from 'zod'
import type { AttributeDefinition, ResourceTypeDefinition, SchemaDefinition } from './attribute'
import { BUILTIN_SCHEMAS, builtinRegistry } from './builtin'
import { COMMON_ATTRIBUTES } from './common'
import { createRegistry, type SchemaRegistry } from './registry'
import { isJsonObject, readSchema } from './schema-json'

/**
 * A tenant's own extension schemas (RFC 7643 §3.3): how they are declared in its KV record, the checks
 * every declaration passes (the same in the tenant CLI and in the Worker), and the registry of the
 * built-in schemas plus the tenant's, from which every other module learns about the attributes.
 */

export const EXTENSIBLE_RESOURCE_TYPES = ['User', 'Group'] as const
export type ExtensibleResourceType = (typeof EXTENSIBLE_RESOURCE_TYPES)[number]

/** One extension schema of a tenant, attached to a resource type as in RFC 7643 §6 `schemaExtensions`. */
export interface SchemaDeclaration {
  readonly schema: SchemaDefinition
  readonly resourceType: ExtensibleResourceType
  readonly required: boolean
}

/** Bounds on all of a tenant's declarations together: the record is read on every request. */
export const DECLARATION_LIMITS = { schemas: 10, uniquePerResourceType: 5, bytes: 32 * 1024 } as const

/** A declaration's shape in the tenant record (RFC 7643 §7 `schema`), checked in full by `checkDeclarations`. */
export const schemaDeclarationRecord = z.object({
  schema: z.custom<SchemaDefinition>(isJsonObject),
  resourceType: z.enum(EXTENSIBLE_RESOURCE_TYPES),
  required: z.boolean(),
})

/** A declaration as given: the schema JSON of RFC 7643 §7, not yet checked. */
export interface DeclarationInput {
  readonly schema: unknown
  readonly resourceType: string
  readonly required: boolean
}

/** The outcome of a check: the normalised value, or every problem found. */
export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: string[] }

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()
const overlaps = (a: string, b: string) =>
  same(a, b) ||
  a.toLowerCase().startsWith(`${b.toLowerCase()}:`) ||
  b.toLowerCase().startsWith(`${a.toLowerCase()}:`)

/** Attribute names a tenant extension of `type` must not reuse, with where they come from. */
function builtinNames(type: ExtensibleResourceType): Map<string, string> {
  const resourceType = builtinRegistry.resourceType(type) as ResourceTypeDefinition
  const [core, ...extensions] = builtinRegistry.schemasOf(resourceType)
  const names = new Map<string, string>([['schemas', `the ${type} resource`]])
  for (const a of [...COMMON_ATTRIBUTES, ...(core?.attributes ?? [])])
    names.set(a.name.toLowerCase(), `core ${type}`)
  for (const e of extensions) for (const a of e.attributes) names.set(a.name.toLowerCase(), e.id)
  return names
}

const isUnique = (a: AttributeDefinition) => a.uniqueness === 'server'

/** Checks across declarations: URNs distinct from each other and the built-ins, names unambiguous, totals bounded. */
function crossCheck(declarations: readonly SchemaDeclaration[], problem: (p: string) => void) {
  if (declarations.length > DECLARATION_LIMITS.schemas)
    problem(`a tenant declares at most ${DECLARATION_LIMITS.schemas} schemas, got ${declarations.length}`)
  declarations.forEach(({ schema, resourceType }, i) => {
    // A URN that is a prefix of another would make `urn:…:x` ambiguous between a schema and an attribute path.
    for (const builtin of BUILTIN_SCHEMAS)
      if (overlaps(schema.id, builtin.id))
        problem(`${schema.id}: clashes with the built-in schema ${builtin.id}`)
    for (const other of declarations.slice(0, i))
      if (overlaps(schema.id, other.schema.id))
        problem(`${schema.id}: clashes with ${other.schema.id}, also declared`)
    // An unqualified name resolves to the core attribute, or to the one extension that has it
    // (src/schema/registry.ts): a reused name would change or break what clients' paths mean.
    const taken = builtinNames(resourceType)
    for (const other of declarations.slice(0, i))
      if (other.resourceType === resourceType)
        for (const a of other.schema.attributes) taken.set(a.name.toLowerCase(), other.schema.id)
    for (const a of schema.attributes) {
      const owner = taken.get(a.name.toLowerCase())
      if (owner) problem(`${schema.id}: attribute ${a.name} is already an attribute of ${owner}`)
    }
  })
  for (const type of EXTENSIBLE_RESOURCE_TYPES) {
    const unique = declarations
      .filter((d) => d.resourceType === type)
      .flatMap((d) => d.schema.attributes.filter(isUnique))
    if (unique.length > DECLARATION_LIMITS.uniquePerResourceType) {
      problem(
        `${type}: at most ${DECLARATION_LIMITS.uniquePerResourceType} extension attributes may be unique (each costs a statement per write), got ${unique.length}`,
      )
    }
  }
  const bytes = new TextEncoder().encode(JSON.stringify(declarations)).length
  if (bytes > DECLARATION_LIMITS.bytes)
    problem(
      `the declarations take ${bytes} bytes; at most ${DECLARATION_LIMITS.bytes} fit in the tenant record`,
    )
}

/**
 * Checks a tenant's declarations, each schema in RFC 7643 §7 form, and returns them normalised (every
 * characteristic stated, RFC 7643 §2.2 defaults filled); problems name the schema and attribute.
 */
export function checkDeclarations(input: readonly DeclarationInput[]): Checked<SchemaDeclaration[]> {
  const problems: string[] = []
  const declarations: SchemaDeclaration[] = []
  input.forEach((declaration, i) => {
    const raw = declaration.schema
    const label = isJsonObject(raw) && typeof raw.id === 'string' ? raw.id : `schemas[${i}]`
    const schema = readSchema(raw, (where, problem) => problems.push(`${label}: ${where} ${problem}`))
    const { resourceType, required } = declaration
    if (!(EXTENSIBLE_RESOURCE_TYPES as readonly string[]).includes(resourceType))
      problems.push(`${label}: resource type must be User or Group, got ${JSON.stringify(resourceType)}`)
    else if (schema)
      declarations.push({ schema, resourceType: resourceType as ExtensibleResourceType, required })
  })
  if (problems.length === 0) crossCheck(declarations, (p) => problems.push(p))
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: declarations }
}

/** The registry of the built-in schemas plus the tenant's, each attached to its resource type (RFC 7643 §6). */
export function tenantRegistry(declarations: readonly SchemaDeclaration[]): SchemaRegistry {
  if (declarations.length === 0) return builtinRegistry
  const resourceTypes = builtinRegistry.resourceTypes.map((rt) => ({
    ...rt,
    schemaExtensions: [
      ...rt.schemaExtensions,
      ...declarations
        .filter((d) => d.resourceType === rt.name)
        .map((d) => ({ schema: d.schema.id, required: d.required })),
    ],
  }))
  return createRegistry([...BUILTIN_SCHEMAS, ...declarations.map((d) => d.schema)], resourceTypes)
}

/** SHA-256 (hex) of the declarations as stored: the version under which a Worker caches their registry. */
export async function declarationsHash(declarations: readonly SchemaDeclaration[]): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(declarations)))
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
}
