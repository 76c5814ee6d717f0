import type { FilterNode, PatchPath } from '../../src/filter/ast'
import { attribute, type ResourceTypeDefinition, type SchemaDefinition } from '../../src/schema/attribute'
import { BUILTIN_SCHEMAS } from '../../src/schema/builtin'
import { createRegistry } from '../../src/schema/registry'
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../src/schema/resource-types'
import { ENTERPRISE_USER_SCHEMA } from '../../src/schema/urns'

/** An extension with the attribute shapes the built-in schemas lack: numbers, case-exact strings, a multi-valued string. */
export const TEST_SCHEMA = 'urn:example:params:scim:schemas:extension:test:2.0:User'

const TEST_SCHEMA_DEFINITION: SchemaDefinition = {
  id: TEST_SCHEMA,
  name: 'Test',
  description: 'Attribute types the filter tests need',
  attributes: [
    attribute({
      name: 'tags',
      type: 'string',
      multiValued: true,
      description: 'Multi-valued, no sub-attributes',
    }),
    attribute({ name: 'loginCount', type: 'integer', description: 'An integer' }),
    attribute({ name: 'score', type: 'decimal', description: 'A decimal' }),
    attribute({ name: 'code', type: 'string', caseExact: true, description: 'A case-exact string' }),
    attribute({
      name: 'badges',
      type: 'complex',
      multiValued: true,
      description: 'Multi-valued complex with sub-attributes of every comparable type',
      subAttributes: [
        attribute({ name: 'code', type: 'string', caseExact: true, description: 'A case-exact string' }),
        attribute({ name: 'level', type: 'integer', description: 'An integer' }),
        attribute({ name: 'weight', type: 'decimal', description: 'A decimal' }),
        attribute({ name: 'earned', type: 'dateTime', description: 'A dateTime' }),
      ],
    }),
  ],
}

/** User with the Enterprise and the test extension. */
export const USER: ResourceTypeDefinition = {
  ...USER_RESOURCE_TYPE,
  schemaExtensions: [...USER_RESOURCE_TYPE.schemaExtensions, { schema: TEST_SCHEMA, required: false }],
}
export const GROUP = GROUP_RESOURCE_TYPE

/** The built-in schemas plus the test extension on User. */
export const registry = createRegistry([...BUILTIN_SCHEMAS, TEST_SCHEMA_DEFINITION], [USER, GROUP])

const ALIASES = new Map([
  [ENTERPRISE_USER_SCHEMA, 'enterprise:'],
  [TEST_SCHEMA, 'test:'],
])

const showPath = (p: { schema: string; attribute: { name: string }; subAttribute?: { name: string } }) =>
  `${ALIASES.get(p.schema) ?? ''}${p.attribute.name}${p.subAttribute ? `.${p.subAttribute.name}` : ''}`

/** Prints an AST compactly, e.g. `(and (eq userName "x") (pr title))`; extension paths get a short prefix. */
export function show(node: FilterNode): string {
  switch (node.kind) {
    case 'compare':
      return `(${node.op} ${showPath(node.path)} ${JSON.stringify(node.value)})`
    case 'present':
      return `(pr ${showPath(node.path)})`
    case 'and':
    case 'or':
      return `(${node.kind} ${show(node.left)} ${show(node.right)})`
    case 'not':
      return `(not ${show(node.filter)})`
    case 'valuePath':
      return `(${showPath(node.path)}[] ${show(node.filter)})`
  }
}

/** Prints a PATCH path like `emails[(eq emails.type "work")].value`. */
export function showPatchPath(path: PatchPath): string {
  if (path.kind === 'attribute') return showPath(path.path)
  const sub = path.subAttribute ? `.${path.subAttribute.name}` : ''
  return `${showPath(path.path)}[${show(path.filter)}]${sub}`
}
