import type { SchemaDefinition } from './attribute'
import { ENTERPRISE_USER_SCHEMA_DEFINITION } from './enterprise-user'
import { GROUP_SCHEMA_DEFINITION } from './group'
import { createRegistry } from './registry'
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from './resource-types'
import { USER_SCHEMA_DEFINITION } from './user'

/** The schemas every tenant has, RFC 7643 §8.7.1: User, Group and the Enterprise User extension. */
export const BUILTIN_SCHEMAS: readonly SchemaDefinition[] = [
  USER_SCHEMA_DEFINITION,
  GROUP_SCHEMA_DEFINITION,
  ENTERPRISE_USER_SCHEMA_DEFINITION,
]

/** The registry of the built-in schemas and the User and Group resource types, RFC 7643 §6. */
export const builtinRegistry = createRegistry(BUILTIN_SCHEMAS, [USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE])
