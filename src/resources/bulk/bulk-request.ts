import { type AcceptedVersions, acceptedVersions } from '../../http/etag'
import { ScimError } from '../../http/scim-error'
import { BULK_REQUEST, GROUP_SCHEMA, PATCH_OP, USER_SCHEMA } from '../../schema/urns'
import type { ResourceKind } from '../answer'

type Json = Record<string, unknown>
export type BulkMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE'

interface OperationBase {
  /** Position in the request: the order of the BulkResponse. */
  readonly index: number
  /** As sent, echoed in the response. */
  readonly method: string
  readonly bulkId?: string
}

/** A well-formed operation; `target` is the path's id, possibly still a `bulkId:` reference. */
export interface ValidOperation extends OperationBase {
  readonly valid: true
  readonly method: BulkMethod
  readonly kind: ResourceKind
  readonly target?: string
  readonly version?: AcceptedVersions
  readonly data: Json
}

/** A malformed operation: it fails with `error` where it is processed, and changes nothing. */
export interface InvalidOperation extends OperationBase {
  readonly valid: false
  readonly error: ScimError
}

export type BulkOperation = ValidOperation | InvalidOperation

export interface BulkRequest {
  readonly failOnErrors?: number
  readonly operations: readonly BulkOperation[]
}

const METHODS = new Set<string>(['POST', 'PUT', 'PATCH', 'DELETE'])
const PATH = /^\/(Users|Groups)(?:\/([^/]+))?\/?$/
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const lists = (schemas: unknown, urn: string) =>
  Array.isArray(schemas) &&
  schemas.some((s) => typeof s === 'string' && s.toLowerCase() === urn.toLowerCase())

function decodeId(raw: string) {
  try {
    return decodeURIComponent(raw)
  } catch {
    throw ScimError.notFound(`No resource at ${raw}`)
  }
}

/** Checks one operation, RFC 7644 §3.7: method, path, `bulkId` on POST, `version`, and `data` with its schema. */
function parseOperation(raw: Json, method: BulkMethod, bulkId: string | undefined, index: number) {
  if (typeof raw.path !== 'string') throw ScimError.invalidSyntax('"path" is required')
  const match = PATH.exec(raw.path)
  if (!match) throw ScimError.notFound(`No Bulk endpoint at ${raw.path}: only /Users and /Groups`)
  const kind: ResourceKind = match[1] === 'Users' ? 'User' : 'Group'
  const target = match[2] === undefined ? undefined : decodeId(match[2])
  if (method === 'POST' && target !== undefined)
    throw ScimError.invalidSyntax('POST takes a path like /Users')
  if (method !== 'POST' && target === undefined) {
    throw ScimError.invalidSyntax(`${method} takes a path to one resource, like /Users/{id}`)
  }
  if (method === 'POST' && bulkId === undefined) throw ScimError.invalidSyntax('"bulkId" is required on POST')
  if (raw.version !== undefined && typeof raw.version !== 'string') {
    throw ScimError.invalidSyntax('"version" must be an entity tag string')
  }
  const version = method === 'POST' ? undefined : acceptedVersions(raw.version as string | undefined)
  const data = raw.data ?? (method === 'DELETE' ? {} : undefined)
  if (!isObject(data)) throw ScimError.invalidSyntax(`${method} requires "data" with a JSON object`)
  const urn = method === 'PATCH' ? PATCH_OP : kind === 'User' ? USER_SCHEMA : GROUP_SCHEMA
  if (method !== 'DELETE' && !lists(data.schemas, urn)) {
    throw ScimError.invalidSyntax(`The "schemas" of the operation's data must include "${urn}"`)
  }
  return { valid: true as const, index, method, bulkId, kind, target, version, data }
}

function operationAt(raw: unknown, index: number, declared: Set<string>): BulkOperation {
  const fields = isObject(raw) ? raw : {}
  // A non-string method is echoed as its JSON text: String() would run a `toString` the client sent.
  const method =
    typeof fields.method === 'string' ? fields.method.toUpperCase() : (JSON.stringify(fields.method) ?? '')
  const bulkId = typeof fields.bulkId === 'string' && fields.bulkId !== '' ? fields.bulkId : undefined
  const base = { index, method, ...(bulkId === undefined ? {} : { bulkId }) }
  try {
    if (!isObject(raw)) throw ScimError.invalidSyntax('An operation must be a JSON object')
    if (!METHODS.has(method)) throw ScimError.invalidSyntax('"method" must be POST, PUT, PATCH or DELETE')
    if (fields.bulkId !== undefined && bulkId === undefined) {
      throw ScimError.invalidSyntax('"bulkId" must be a non-empty string')
    }
    const operation = parseOperation(raw, method as BulkMethod, bulkId, index)
    if (method === 'POST' && bulkId !== undefined) {
      if (declared.has(bulkId))
        throw ScimError.invalidValue(`bulkId "${bulkId}" is not unique in this request`)
      declared.add(bulkId)
    }
    return operation
  } catch (error) {
    if (!(error instanceof ScimError)) throw error
    return { ...base, valid: false, error }
  }
}

/**
 * Parses a BulkRequest, RFC 7644 §3.7: a missing BulkRequest URN or malformed `Operations` fail the
 * whole request (400), too many operations 413 (§3.7.4); a malformed operation fails alone.
 */
export function parseBulkRequest(body: Json, maxOperations: number): BulkRequest {
  if (!lists(body.schemas, BULK_REQUEST)) {
    throw ScimError.invalidSyntax(`The request's "schemas" must include "${BULK_REQUEST}"`)
  }
  const operations = body.Operations
  if (!Array.isArray(operations)) throw ScimError.invalidSyntax('"Operations" must be an array')
  if (operations.length > maxOperations) {
    throw new ScimError(
      413,
      `The bulk request has ${operations.length} operations, more than maxOperations (${maxOperations}, ` +
        'what MAX_QUERIES_PER_INVOCATION allows at two D1 round trips an operation)',
    )
  }
  const { failOnErrors } = body
  if (failOnErrors !== undefined && !(Number.isInteger(failOnErrors) && (failOnErrors as number) >= 1)) {
    throw ScimError.invalidSyntax('"failOnErrors" must be a positive integer')
  }
  const declared = new Set<string>()
  return {
    ...(failOnErrors === undefined ? {} : { failOnErrors: failOnErrors as number }),
    operations: operations.map((raw, index) => operationAt(raw, index, declared)),
  }
}
