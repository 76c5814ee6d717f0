/**
 * What every answer of the server must be, whatever it was sent (issue 7, point 2), and whether a
 * stored resource is valid for the schema the server itself publishes at /Schemas. Shared by the
 * hostile-input test (in workerd) and scripts/fuzz.ts (in Node): no imports.
 */

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error'
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse'
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse'
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'

/** RFC 7644 §3.12 Table 9 and RFC 9865 §2.1. */
const SCIM_TYPES = new Set([
  'invalidFilter',
  'tooMany',
  'uniqueness',
  'mutability',
  'invalidSyntax',
  'invalidPath',
  'noTarget',
  'invalidValue',
  'invalidVers',
  'sensitive',
  'invalidCursor',
  'expiredCursor',
  'invalidCount',
])

/** An attribute as /Schemas publishes it (RFC 7643 §7). */
export interface PublishedAttribute {
  name: string
  type: string
  multiValued: boolean
  required?: boolean
  returned?: string
  subAttributes?: PublishedAttribute[]
}

export interface PublishedSchema {
  id: string
  attributes: PublishedAttribute[]
}

/** The schemas of each resource type: core first, then extensions. */
export interface ResourceSchemas {
  User: PublishedSchema[]
  Group: PublishedSchema[]
}

/** The server's published schemas, read from its /Schemas answer (a ListResponse). */
export function resourceSchemasOf(schemasAnswer: { Resources?: PublishedSchema[] }): ResourceSchemas {
  const all = schemasAnswer.Resources ?? []
  const byId = (id: string) => all.find((s) => s.id === id)
  const user = byId(USER)
  const group = byId(GROUP)
  if (!user || !group) throw new Error('/Schemas lacks the User or Group schema')
  return {
    User: [user, ...all.filter((s) => s.id.startsWith(`${USER}:`) || s.id.includes(':extension:'))],
    Group: [group],
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

function valueProblem(attribute: PublishedAttribute, value: unknown, where: string): string | undefined {
  switch (attribute.type) {
    case 'string':
    case 'reference':
    case 'binary':
      return typeof value === 'string' ? undefined : `${where} must be a string`
    case 'dateTime':
      return typeof value === 'string' && DATE_TIME.test(value) ? undefined : `${where} must be a dateTime`
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${where} must be a boolean`
    case 'decimal':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `${where} must be a decimal`
    case 'integer':
      return Number.isInteger(value) ? undefined : `${where} must be an integer`
    case 'complex': {
      if (!isObject(value)) return `${where} must be an object`
      for (const [key, sub] of Object.entries(value)) {
        const definition = attribute.subAttributes?.find((a) => a.name.toLowerCase() === key.toLowerCase())
        if (!definition) return `${where}.${key} is not a sub-attribute`
        const problem = attributeProblem(definition, sub, `${where}.${key}`)
        if (problem) return problem
      }
      return undefined
    }
    default:
      return `${where} has an unknown type ${attribute.type}`
  }
}

function attributeProblem(attribute: PublishedAttribute, value: unknown, where: string): string | undefined {
  if (value === null) return `${where} is null (unassigned attributes are omitted)`
  if (attribute.returned === 'never') return `${where} is returned though returned "never"`
  if (!attribute.multiValued) return valueProblem(attribute, value, where)
  if (!Array.isArray(value)) return `${where} must be an array`
  for (const [i, item] of value.entries()) {
    const problem = valueProblem(attribute, item, `${where}[${i}]`)
    if (problem) return problem
  }
  return undefined
}

/**
 * The first way `resource` breaks its schema, or undefined: its `schemas`, `id`, `meta`, every
 * attribute's type, and — when `complete` (no projection asked for) — its required attributes.
 */
export function resourceProblem(
  kind: 'User' | 'Group',
  resource: unknown,
  schemas: ResourceSchemas,
  complete: boolean,
): string | undefined {
  if (!isObject(resource)) return `${kind}: not an object`
  const [core, ...extensions] = schemas[kind]
  if (!core) return `${kind}: no core schema`
  const listed = resource.schemas
  if (!Array.isArray(listed) || !listed.includes(core.id)) return `${kind}: schemas must list ${core.id}`
  if (typeof resource.id !== 'string' || resource.id === '') return `${kind}: id must be a non-empty string`
  const meta = resource.meta
  if (!complete && isObject(meta)) {
    // A projection may return some of meta's sub-attributes: check the types of those it returns.
    for (const [key, value] of Object.entries(meta)) {
      const ok = key === 'version' ? /^W\/"\d+"$/.test(String(value)) : typeof value === 'string'
      if (!ok || ((key === 'created' || key === 'lastModified') && !DATE_TIME.test(String(value)))) {
        return `${kind} ${resource.id}: meta.${key} ${JSON.stringify(value)}`
      }
    }
  } else if (complete || meta !== undefined) {
    if (!isObject(meta)) return `${kind} ${resource.id}: meta must be an object`
    if (meta.resourceType !== kind) return `${kind} ${resource.id}: meta.resourceType is ${meta.resourceType}`
    if (typeof meta.location !== 'string' || !meta.location.endsWith(`/${encodeURIComponent(resource.id)}`)) {
      return `${kind} ${resource.id}: meta.location ${meta.location} does not name it`
    }
    if (typeof meta.version !== 'string' || !/^W\/"\d+"$/.test(meta.version))
      return `${kind} ${resource.id}: meta.version ${meta.version}`
    for (const key of ['created', 'lastModified']) {
      if (typeof meta[key] !== 'string' || !DATE_TIME.test(meta[key] as string))
        return `${kind} ${resource.id}: meta.${key}`
    }
  }
  for (const [key, value] of Object.entries(resource)) {
    if (key === 'schemas' || key === 'id' || key === 'meta') continue
    const extension = extensions.find((e) => e.id.toLowerCase() === key.toLowerCase())
    if (extension) {
      if (!listed.includes(extension.id))
        return `${kind} ${resource.id}: ${key} is present but not in schemas`
      if (!isObject(value)) return `${kind} ${resource.id}: ${key} must be an object`
      for (const [name, sub] of Object.entries(value)) {
        const definition = extension.attributes.find((a) => a.name.toLowerCase() === name.toLowerCase())
        if (!definition) return `${kind} ${resource.id}: ${key}:${name} is not in its schema`
        const problem = attributeProblem(definition, sub, `${kind} ${resource.id}: ${name}`)
        if (problem) return problem
      }
      continue
    }
    const definition = core.attributes.find((a) => a.name.toLowerCase() === key.toLowerCase())
    if (!definition) return `${kind} ${resource.id}: ${key} is not an attribute of ${core.id}`
    const problem = attributeProblem(definition, value, `${kind} ${resource.id}: ${key}`)
    if (problem) return problem
  }
  if (complete) {
    for (const attribute of core.attributes) {
      if (attribute.required && resource[attribute.name] === undefined) {
        return `${kind} ${resource.id}: required ${attribute.name} is missing`
      }
    }
    for (const key of listed) {
      if (key !== core.id && !extensions.some((e) => e.id === key))
        return `${kind} ${resource.id}: unknown schema ${key}`
    }
  }
  return undefined
}

/** An answer as both clients see it. */
export interface Answer {
  status: number
  headers: { get(name: string): string | null }
  text: string
}

/**
 * The first way an answer is not a well-formed SCIM answer, or undefined: never a 5xx (except 501
 * on /Me, RFC 7644 §3.11); every body `application/scim+json` and a JSON object; errors the RFC 7644
 * §3.12 shape with their status, a known scimType, `WWW-Authenticate` on 401, `Allow` on 405, `Retry-After` on 429 and 503;
 * resources, lists and Bulk responses of their shape, every resource valid for its schema.
 */
export function answerProblem(
  answer: Answer,
  schemas: ResourceSchemas,
  method = 'GET',
  path = '',
): string | undefined {
  const { status, text } = answer
  // RFC 7644 §3.11: a service provider that does not support /Me answers 501, by design.
  const me = /^\/Me(\/|\?|$)/.test(path)
  if (status >= 500 && !(status === 501 && me)) return `status ${status}`
  if (status < 200 || status >= 600) return `status ${status}`
  if (status === 204 || status === 304 || method === 'HEAD') {
    return text === '' ? undefined : `a ${status} answer with a body`
  }
  const type = answer.headers.get('content-type') ?? ''
  if (!type.startsWith('application/scim+json')) return `content-type ${type}`
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return 'the body is not JSON'
  }
  if (!isObject(body)) return 'the body is not a JSON object'
  const listed = Array.isArray(body.schemas) ? body.schemas : []
  if (status >= 400) {
    if (listed.length !== 1 || listed[0] !== ERROR) return `error schemas ${JSON.stringify(body.schemas)}`
    if (body.status !== String(status)) return `error status ${body.status} on a ${status}`
    if (body.detail !== undefined && typeof body.detail !== 'string') return 'error detail is not a string'
    if (body.scimType !== undefined && !SCIM_TYPES.has(body.scimType as string))
      return `scimType ${body.scimType}`
    if (status === 401 && !answer.headers.get('www-authenticate')) return '401 without WWW-Authenticate'
    if (status === 405 && !answer.headers.get('allow')) return '405 without Allow'
    if ((status === 429 || status === 503) && !/^\d+$/.test(answer.headers.get('retry-after') ?? '')) {
      return `${status} without Retry-After`
    }
    return undefined
  }
  if (listed.includes(LIST)) {
    if (!Number.isInteger(body.totalResults) || (body.totalResults as number) < 0) return 'totalResults'
    if (!Array.isArray(body.Resources)) return 'ListResponse without Resources'
    if (body.itemsPerPage !== body.Resources.length) return 'itemsPerPage differs from the page'
    for (const resource of body.Resources) {
      if (!isObject(resource)) return 'a listed resource is not an object'
      const kind = Array.isArray(resource.schemas) && resource.schemas.includes(GROUP) ? 'Group' : 'User'
      const problem = resourceProblem(kind, resource, schemas, false)
      if (problem) return problem
    }
    return undefined
  }
  if (listed.includes(BULK_RESPONSE)) {
    if (!Array.isArray(body.Operations)) return 'BulkResponse without Operations'
    for (const op of body.Operations) {
      if (!isObject(op) || typeof op.status !== 'string' || !/^\d{3}$/.test(op.status))
        return 'a Bulk operation status'
      if (Number(op.status) >= 500) return `a Bulk operation answered ${op.status}`
      if (op.response !== undefined) {
        const response = op.response as Record<string, unknown>
        if (!isObject(response) || response.status !== op.status) return 'a Bulk operation response'
      }
    }
    return undefined
  }
  if (listed.includes(USER) || listed.includes(GROUP)) {
    return resourceProblem(listed.includes(GROUP) ? 'Group' : 'User', body, schemas, false)
  }
  return listed.length > 0 ? undefined : 'a 2xx body without schemas'
}
