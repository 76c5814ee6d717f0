import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { duplicateValuesSql, reclaimSchemaSql, uniqueAttributesOf } from '../../src/db/unique-values'
import type { SchemaDefinition } from '../../src/schema/attribute'
import {
  checkDeclarations,
  type DeclarationInput,
  declarationsHash,
  EXTENSIBLE_RESOURCE_TYPES,
  type ExtensibleResourceType,
  type SchemaDeclaration,
} from '../../src/schema/tenant-schemas'
import type { TenantRecord } from '../../src/tenancy/tenant-record'
import { CliError } from './cli-error'
import { flagsText, requireTenant, writeTenant } from './tenant-store'
import type { WranglerClient } from './wrangler'

/** `npm run tenant -- schema <add|list|remove>`: a tenant's extension schemas (RFC 7643 §3.3, §7). */
export const SCHEMA_ACTIONS = ['add', 'list', 'remove'] as const
export type SchemaAction = (typeof SCHEMA_ACTIONS)[number]

/** A validated `schema` invocation: the file to add, or the URN to remove. */
export interface SchemaArgs {
  action: SchemaAction
  file?: string
  urn?: string
  resource?: ExtensibleResourceType
  required: boolean
}

/** Reads `schema <action> <tenant> [file.json|urn]` and its options; the tenant name is checked by the caller. */
export function parseSchemaArgs(
  positionals: readonly string[],
  values: { resource?: string; required?: boolean },
  usageError: (message: string) => CliError,
): { tenant: string; schema: SchemaArgs } {
  const [action, tenant = '', argument, ...extra] = positionals
  if (!(SCHEMA_ACTIONS as readonly (string | undefined)[]).includes(action))
    throw usageError(`\`schema\` needs an action: ${SCHEMA_ACTIONS.join(', ')}`)
  const act = action as SchemaAction
  if (!tenant) throw usageError(`\`schema ${act}\` needs a tenant name`)
  if (act === 'add' && !argument)
    throw usageError('`schema add` needs a schema file: schema add <tenant> <file.json>')
  if (act === 'remove' && !argument) throw usageError('`schema remove` needs the schema URN')
  if ((act === 'list' && argument) || extra.length > 0)
    throw usageError(`Unexpected argument ${JSON.stringify(act === 'list' ? argument : extra[0])}`)
  if (act !== 'add' && (values.resource !== undefined || values.required !== undefined))
    throw usageError('--resource and --required are options of `schema add` only')
  const resource = values.resource
  if (resource !== undefined && !(EXTENSIBLE_RESOURCE_TYPES as readonly string[]).includes(resource))
    throw usageError(`--resource must be ${EXTENSIBLE_RESOURCE_TYPES.join(' or ')}`)
  return {
    tenant,
    schema: {
      action: act,
      ...(act === 'add' && { file: argument }),
      ...(act === 'remove' && { urn: argument }),
      ...(resource !== undefined && { resource: resource as ExtensibleResourceType }),
      required: values.required ?? false,
    },
  }
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()
const idOf = (raw: unknown) =>
  typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string'
    ? (raw as { id: string }).id
    : undefined

/** Reads a schema file; relative paths are the operator's (npm runs scripts in the project root). */
async function readSchemaFile(file: string): Promise<unknown> {
  const path = resolve(process.env.INIT_CWD ?? process.cwd(), file)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new CliError(`Cannot read ${path}: ${error instanceof Error ? error.message : error}`)
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new CliError(`${path} is not JSON: ${error instanceof Error ? error.message : error}`)
  }
}

/** The resource type a schema extends: as given, else the last segment of its URN (`…:2.0:User`). */
function resourceTypeOf(raw: unknown, given: ExtensibleResourceType | undefined): string {
  if (given) return given
  const id = idOf(raw)
  const last = id?.slice(id.lastIndexOf(':') + 1)
  const inferred = EXTENSIBLE_RESOURCE_TYPES.find((t) => last !== undefined && same(t, last))
  if (!inferred)
    throw new CliError(
      `Cannot tell which resource type ${id ?? 'the schema'} extends.`,
      'Pass --resource User or --resource Group.',
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

/** Writes the record with `declarations` (both fields dropped when none are left). */
async function saveDeclarations(w: WranglerClient, record: TenantRecord, declarations: SchemaDeclaration[]) {
  const { schemas: _, schemasHash: __, ...rest } = record
  const declared = declarations.length > 0 && {
    schemas: declarations,
    schemasHash: await declarationsHash(declarations),
  }
  await writeTenant(w, { ...rest, ...declared })
}

/** Refuses to enforce uniqueness that existing resources already break, naming the shared values. */
async function checkNoDuplicates(w: WranglerClient, record: TenantRecord, declaration: SchemaDeclaration) {
  for (const unique of uniqueAttributesOf(declaration.schema)) {
    const [result] = await w.d1Execute(
      duplicateValuesSql(record.name, declaration.resourceType, unique),
      record.db,
    )
    const rows = result?.results ?? []
    if (rows.length === 0) continue
    const shared = rows.map((r) => `${JSON.stringify(r.value)} (${r.resources} resources)`).join(', ')
    throw new CliError(
      `${declaration.schema.id}:${unique.attribute.name} cannot be unique: existing ${declaration.resourceType}s share ${shared}.`,
      'Change those values first (compared case-insensitively unless caseExact), or declare the attribute with uniqueness none.',
    )
  }
}

/** The outcome of `schema add`. */
export interface AddedSchema {
  declaration: SchemaDeclaration
  replaced: boolean
}

/**
 * Declares (or re-declares) an extension schema for a tenant: checks it with the Worker's own checks,
 * refuses type changes of existing attributes, claims the values existing resources hold for its
 * unique attributes, then writes the record.
 */
export async function addSchema(
  w: WranglerClient,
  tenant: string,
  args: Pick<SchemaArgs, 'resource' | 'required'> & { file: string },
): Promise<AddedSchema> {
  const raw = await readSchemaFile(args.file)
  const record = await requireTenant(w, tenant)
  const input: DeclarationInput = {
    schema: raw,
    resourceType: resourceTypeOf(raw, args.resource),
    required: args.required,
  }
  const id = idOf(raw)
  const existing = record.schemas ?? []
  const at = existing.findIndex((d) => id !== undefined && same(d.schema.id, id))
  const inputs: DeclarationInput[] =
    at < 0 ? [...existing, input] : existing.map((d, i) => (i === at ? input : d))
  const checked = checkDeclarations(inputs)
  if (!checked.ok)
    throw new CliError(
      `The schema was not declared:\n  - ${checked.problems.join('\n  - ')}`,
      'Fix the schema file and run the command again.',
    )
  const declaration = checked.value[at < 0 ? checked.value.length - 1 : at]!
  const previous = existing[at]
  const changes = previous ? incompatibleChanges(previous.schema, declaration.schema) : []
  if (changes.length > 0) {
    throw new CliError(
      `Stored values would no longer match their definition: ${changes.join('; ')}.`,
      'Declare a new attribute name instead, or remove the schema first (its stored values stay, hidden).',
    )
  }
  const unique = [declaration, previous].some((d) => d && uniqueAttributesOf(d.schema).length > 0)
  if (unique) {
    await checkNoDuplicates(w, record, declaration)
    await w.d1Execute(
      reclaimSchemaSql(record.name, declaration.resourceType, declaration.schema, previous?.schema),
      record.db,
    )
  }
  await saveDeclarations(w, record, checked.value)
  return { declaration, replaced: previous !== undefined }
}

/** Stops serving an extension schema; the values resources hold for it stay stored, and hidden. */
export async function removeSchema(
  w: WranglerClient,
  tenant: string,
  urn: string,
): Promise<SchemaDeclaration> {
  const record = await requireTenant(w, tenant)
  const existing = record.schemas ?? []
  const removed = existing.find((d) => same(d.schema.id, urn))
  if (!removed) {
    throw new CliError(
      `Tenant ${tenant} declares no schema ${urn}.`,
      `Its schemas: ${existing.map((d) => d.schema.id).join(', ') || 'none'} (npm run tenant -- schema list ${tenant} ${flagsText(w)}).`,
    )
  }
  await saveDeclarations(
    w,
    record,
    existing.filter((d) => d !== removed),
  )
  if (uniqueAttributesOf(removed.schema).length > 0)
    await w.d1Execute(
      reclaimSchemaSql(record.name, removed.resourceType, undefined, removed.schema),
      record.db,
    )
  return removed
}

/** Human-readable lines for `schema list`: each schema, then its attributes and what is not default about them. */
export function formatDeclarations(declarations: readonly SchemaDeclaration[]): string {
  if (declarations.length === 0) return 'No extension schemas.'
  return declarations
    .flatMap(({ schema, resourceType, required }) => [
      `${schema.id}  ${resourceType}  ${required ? 'required' : 'optional'}  "${schema.name}"`,
      ...schema.attributes.map((a) => {
        const notes = [
          a.multiValued && 'multi-valued',
          a.required && 'required',
          a.caseExact && 'caseExact',
          a.mutability !== 'readWrite' && a.mutability,
          a.returned !== 'default' && `returned ${a.returned}`,
          a.uniqueness !== 'none' && `uniqueness ${a.uniqueness}`,
          a.subAttributes && `{ ${a.subAttributes.map((s) => `${s.name}: ${s.type}`).join(', ')} }`,
        ].filter(Boolean)
        return `  ${a.name}: ${a.type}${notes.length > 0 ? `  ${notes.join(', ')}` : ''}`
      }),
    ])
    .join('\n')
}

/** Runs a `schema` action and prints its result (with `json`, exactly one JSON document). */
export async function runSchemaCommand(
  w: WranglerClient,
  tenant: string,
  args: SchemaArgs,
  output: { json: boolean; print: (text: string) => void; log: (line: string) => void },
): Promise<void> {
  const { json, print, log } = output
  if (args.action === 'list') {
    const declarations = (await requireTenant(w, tenant)).schemas ?? []
    print(json ? JSON.stringify(declarations) : formatDeclarations(declarations))
    return
  }
  if (args.action === 'remove') {
    const removed = await removeSchema(w, tenant, args.urn ?? '')
    if (json) print(JSON.stringify({ tenant, removed: removed.schema.id }))
    else
      print(
        `Removed ${removed.schema.id} from ${tenant}; values stored for it stay, hidden until it is declared again.`,
      )
    return
  }
  log(`Checking ${args.file}…`)
  const { declaration, replaced } = await addSchema(w, tenant, { ...args, file: args.file ?? '' })
  const { schema, resourceType, required } = declaration
  if (json) print(JSON.stringify({ tenant, declared: declaration, replaced }))
  else
    print(
      `${replaced ? 'Updated' : 'Declared'} ${schema.id} on ${resourceType} (${required ? 'required' : 'optional'}) for ${tenant}: ${schema.attributes.map((a) => a.name).join(', ')}.`,
    )
}
