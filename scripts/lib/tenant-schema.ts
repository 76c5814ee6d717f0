import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { declareSchema, removeSchema as removeControlSchema } from '../../src/control/schemas'
import {
  EXTENSIBLE_RESOURCE_TYPES,
  type ExtensibleResourceType,
  type SchemaDeclaration,
} from '../../src/schema/tenant-schemas'
import { CliError } from './cli-error'
import { portsOf, requireTenant, toCliError } from './tenant-store'
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

/** Declares the schema in `args.file` with the control plane's checks (src/control/schemas.ts). */
export async function addSchema(
  w: WranglerClient,
  tenant: string,
  args: Pick<SchemaArgs, 'resource' | 'required'> & { file: string },
) {
  const schema = await readSchemaFile(args.file)
  try {
    return await declareSchema(await portsOf(w), tenant, {
      schema,
      resourceType: args.resource,
      required: args.required,
    })
  } catch (error) {
    throw toCliError(error, w)
  }
}

/** Stops serving an extension schema; the values resources hold for it stay stored, and hidden. */
export async function removeSchema(w: WranglerClient, tenant: string, urn: string) {
  try {
    return await removeControlSchema(await portsOf(w), tenant, urn)
  } catch (error) {
    throw toCliError(error, w)
  }
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
    const declarations = (await requireTenant(w, tenant)).schemas
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
