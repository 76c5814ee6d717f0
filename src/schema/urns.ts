/** Schema and message URNs of RFC 7643 §8.7 / RFC 7644 §3. */
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User'
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group'
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema'
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType'
export const SERVICE_PROVIDER_CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'

export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse'
export const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest'
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
export const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest'
export const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse'
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error'
