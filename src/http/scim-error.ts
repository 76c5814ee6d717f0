import { ERROR } from '../schema/urns'

/**
 * `scimType` values of RFC 7644 §3.12 Table 9, plus RFC 9865's cursor errors.
 */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive'
  | 'invalidCursor'
  | 'expiredCursor'
  | 'invalidCount'

/** RFC 7644 §3.12 error body. */
export interface ScimErrorBody {
  schemas: [typeof ERROR]
  status: string
  scimType?: ScimType
  detail?: string
}

/**
 * The one error type of this server. Everything thrown on purpose is a `ScimError`; the error
 * handler renders it as RFC 7644 §3.12 `application/scim+json`.
 */
export class ScimError extends Error {
  readonly status: number
  readonly scimType: ScimType | undefined
  readonly headers: Record<string, string>

  constructor(status: number, detail: string, scimType?: ScimType, headers: Record<string, string> = {}) {
    super(detail)
    this.name = 'ScimError'
    this.status = status
    this.scimType = scimType
    this.headers = headers
  }

  toBody(): ScimErrorBody {
    return {
      schemas: [ERROR],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.message,
    }
  }

  /** RFC 7644 §3.4.2.2 — the filter syntax was invalid or the filter names an unknown attribute. */
  static invalidFilter(detail: string) {
    return new ScimError(400, detail, 'invalidFilter')
  }
  /** RFC 7644 §3.12 — the request body or a parameter is not valid syntax. */
  static invalidSyntax(detail: string) {
    return new ScimError(400, detail, 'invalidSyntax')
  }
  /** RFC 7644 §3.5.2 — a PATCH path is malformed or names an unknown attribute. */
  static invalidPath(detail: string) {
    return new ScimError(400, detail, 'invalidPath')
  }
  /** RFC 7644 §3.12 — a value is of the wrong type or otherwise not acceptable. */
  static invalidValue(detail: string) {
    return new ScimError(400, detail, 'invalidValue')
  }
  /** RFC 7644 §3.5.2 — an attempt to change a readOnly or immutable attribute. */
  static mutability(detail: string) {
    return new ScimError(400, detail, 'mutability')
  }
  /** RFC 7644 §3.5.2 — a PATCH operation's path matched nothing where a target was required. */
  static noTarget(detail: string) {
    return new ScimError(400, detail, 'noTarget')
  }
  /** RFC 7644 §3.3 — a value that must be unique is already taken. */
  static uniqueness(detail: string) {
    return new ScimError(409, detail, 'uniqueness')
  }
  /** RFC 7644 §3.12 — the resource does not exist (or belongs to another tenant). */
  static notFound(detail = 'Resource not found') {
    return new ScimError(404, detail)
  }
  /** RFC 7644 §3.14 — the `If-Match` precondition failed. */
  static preconditionFailed(detail = 'The resource has changed: its version does not match If-Match') {
    return new ScimError(412, detail)
  }
}
