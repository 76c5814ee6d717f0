import {
  type AttributeDefinition,
  type AttributeType,
  attribute,
  type Mutability,
  type Returned,
  type SchemaDefinition,
  type Uniqueness,
} from './attribute'

/**
 * Reads one schema in the JSON form of RFC 7643 §7 (what /Schemas serves) into a definition with every
 * characteristic stated, accepting only what this server enforces; used for tenant-declared extensions.
 */

/** Bounds that keep a tenant's declarations small: they travel in the KV record read on every request. */
export const SCHEMA_LIMITS = {
  urnLength: 200,
  nameLength: 64,
  descriptionLength: 1000,
  attributesPerSchema: 50,
  subAttributes: 20,
  listEntries: 50,
} as const

/** Reports a problem at a location of the input, e.g. `attributes.badgeNumber.type`. */
export type Report = (where: string, problem: string) => void

// RFC 8141 §2: `urn:` NID `:` NSS. The NSS is limited to what the filter and PATCH path grammar
// (src/filter/lexer.ts) can carry and what a JSON path key may hold (src/query/compare-sql.ts), and
// it must end in a name segment, as `…:2.0:User` does.
const URN = /^urn:[A-Za-z0-9][A-Za-z0-9-]{0,30}[A-Za-z0-9](?::[A-Za-z0-9._-]+)*:[A-Za-z][A-Za-z0-9_-]*$/
// RFC 7643 §2.1: ATTRNAME = ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA.
const ATTRNAME = /^[A-Za-z][A-Za-z0-9_-]*$/
// RFC 7643 §8.7 and RFC 7644 §3 own these namespaces.
const RESERVED_URN_PREFIXES = ['urn:ietf:params:scim:schemas:core:', 'urn:ietf:params:scim:api:']

const TYPES: readonly AttributeType[] = [
  'string',
  'boolean',
  'decimal',
  'integer',
  'dateTime',
  'binary',
  'reference',
  'complex',
]
const MUTABILITY: readonly Mutability[] = ['readWrite', 'immutable', 'writeOnly', 'readOnly']
const RETURNED: readonly Returned[] = ['default', 'always', 'never', 'request']
const UNIQUENESS: readonly Uniqueness[] = ['none', 'server', 'global']
// Types whose values compare by their text, so a unique value means what the client expects.
const UNIQUE_TYPES: readonly AttributeType[] = ['string', 'reference', 'binary', 'integer', 'decimal']

const SCHEMA_KEYS = new Set(['id', 'name', 'description', 'attributes', 'schemas', 'meta'])
const ATTRIBUTE_KEYS = new Set([
  'name',
  'type',
  'multiValued',
  'description',
  'required',
  'caseExact',
  'mutability',
  'returned',
  'uniqueness',
  'canonicalValues',
  'referenceTypes',
  'subAttributes',
])

type Json = Record<string, unknown>

/** Whether a value is a JSON object (not an array, not null). */
export const isJsonObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const quoted = (value: unknown) => JSON.stringify(value)?.slice(0, 80) ?? String(value)
const list = (values: readonly string[]) => values.join(', ')

/** The problem with a URN as a tenant schema id, or undefined when it is acceptable. */
export function urnProblem(urn: string): string | undefined {
  if (urn.length > SCHEMA_LIMITS.urnLength) return `is longer than ${SCHEMA_LIMITS.urnLength} characters`
  if (!URN.test(urn)) {
    return 'must be a URN like urn:ietf:params:scim:schemas:extension:acme:2.0:User (letters, digits, ".", "_", "-" between colons, ending in a name)'
  }
  const lower = urn.toLowerCase()
  const reserved = RESERVED_URN_PREFIXES.find((prefix) => lower.startsWith(prefix))
  return reserved ? `is in ${reserved}…, which RFC 7643/7644 reserve for their own schemas` : undefined
}

function text(raw: Json, key: string, where: string, report: Report, fallback: string): string {
  const value = raw[key]
  if (value === undefined) return fallback
  if (typeof value !== 'string') report(`${where}.${key}`, `must be a string, got ${quoted(value)}`)
  else if (value.length > SCHEMA_LIMITS.descriptionLength)
    report(`${where}.${key}`, `is longer than ${SCHEMA_LIMITS.descriptionLength} characters`)
  return typeof value === 'string' ? value : fallback
}

function flag(raw: Json, key: string, where: string, report: Report): boolean | undefined {
  const value = raw[key]
  if (value === undefined || typeof value === 'boolean') return value
  report(`${where}.${key}`, `must be true or false, got ${quoted(value)}`)
  return undefined
}

function choice<T extends string>(
  raw: Json,
  key: string,
  options: readonly T[],
  where: string,
  report: Report,
): T | undefined {
  const value = raw[key]
  if (value === undefined || options.includes(value as T)) return value as T | undefined
  report(`${where}.${key}`, `must be one of ${list(options)}, got ${quoted(value)}`)
  return undefined
}

function strings(raw: Json, key: string, where: string, report: Report): string[] | undefined {
  const value = raw[key]
  if (value === undefined) return undefined
  const ok =
    Array.isArray(value) &&
    value.length <= SCHEMA_LIMITS.listEntries &&
    value.every((v) => typeof v === 'string' && v !== '' && v.length <= SCHEMA_LIMITS.nameLength)
  if (!ok) {
    report(
      `${where}.${key}`,
      `must be a list of at most ${SCHEMA_LIMITS.listEntries} non-empty strings of at most ${SCHEMA_LIMITS.nameLength} characters`,
    )
  }
  return ok ? (value as string[]) : undefined
}

/** Reports names that appear twice, compared as RFC 7643 §2.1 compares them: case-insensitively. */
function checkDistinct(attributes: readonly AttributeDefinition[], where: string, report: Report) {
  const seen = new Set<string>()
  for (const { name } of attributes) {
    if (seen.has(name.toLowerCase()))
      report(`${where}.${name}`, 'is declared twice (names are case-insensitive)')
    seen.add(name.toLowerCase())
  }
}

/** Characteristics a sub-attribute may not have, because the server enforces them on top-level attributes only. */
function subAttributeProblems(raw: Json): string[] {
  const problems: string[] = []
  if (raw.type === 'complex') problems.push('a sub-attribute cannot be complex (RFC 7643 §2.3.8)')
  if (raw.required === true)
    problems.push('required is enforced on top-level attributes only; make the parent required')
  if (raw.mutability !== undefined && raw.mutability !== 'readWrite')
    problems.push('mutability is enforced on top-level attributes only; sub-attributes must be readWrite')
  if (raw.uniqueness !== undefined && raw.uniqueness !== 'none')
    problems.push('uniqueness is enforced on top-level attributes only')
  if (raw.subAttributes !== undefined) problems.push('a sub-attribute cannot have sub-attributes')
  return problems
}

/** Checks and completes one attribute; undefined when it has a problem (reported). */
function readAttribute(
  raw: unknown,
  where: string,
  report: Report,
  isSub: boolean,
): AttributeDefinition | undefined {
  if (!isJsonObject(raw)) {
    report(where, 'must be an object')
    return undefined
  }
  const name = raw.name
  const at = typeof name === 'string' && ATTRNAME.test(name) ? where.replace(/\[\d+\]$/, `.${name}`) : where
  let problems = 0
  const note: Report = (w, p) => {
    problems++
    report(w, p)
  }
  for (const key of Object.keys(raw))
    if (!ATTRIBUTE_KEYS.has(key)) note(`${at}.${key}`, 'is not an attribute characteristic of RFC 7643 §7')
  if (typeof name !== 'string' || !ATTRNAME.test(name) || name.length > SCHEMA_LIMITS.nameLength) {
    note(
      `${at}.name`,
      `must be an attribute name of RFC 7643 §2.1 (a letter, then letters, digits, "-" or "_"; at most ${SCHEMA_LIMITS.nameLength}), got ${quoted(name)}`,
    )
  }
  if (raw.type === undefined) note(`${at}.type`, `is required: one of ${list(TYPES)}`)
  const type = choice(raw, 'type', TYPES, at, note)
  const multiValued = flag(raw, 'multiValued', at, note) ?? false
  const required = flag(raw, 'required', at, note) ?? false
  const caseExact = flag(raw, 'caseExact', at, note) ?? false
  const mutability = choice(raw, 'mutability', MUTABILITY, at, note) ?? 'readWrite'
  const returned =
    choice(raw, 'returned', RETURNED, at, note) ?? (mutability === 'writeOnly' ? 'never' : 'default')
  const uniqueness = choice(raw, 'uniqueness', UNIQUENESS, at, note) ?? 'none'
  const description = text(raw, 'description', at, note, '')
  const canonicalValues = strings(raw, 'canonicalValues', at, note)
  const referenceTypes = strings(raw, 'referenceTypes', at, note)
  if (isSub) for (const problem of subAttributeProblems(raw)) note(at, problem)
  if (mutability === 'readOnly')
    note(
      `${at}.mutability`,
      'readOnly: the server never assigns extension values itself; use readWrite or immutable',
    )
  if (mutability === 'writeOnly' && returned !== 'never')
    note(`${at}.returned`, 'a writeOnly attribute is never returned (RFC 7643 §7): use never')
  if (uniqueness === 'global')
    note(
      `${at}.uniqueness`,
      'global cannot be enforced by one service provider; use server (unique in this tenant)',
    )
  if (
    uniqueness === 'server' &&
    (multiValued || !type || !UNIQUE_TYPES.includes(type) || mutability === 'writeOnly')
  )
    note(
      `${at}.uniqueness`,
      `server is supported on single-valued, stored attributes of type ${list(UNIQUE_TYPES)}`,
    )
  if (canonicalValues && type !== 'string' && type !== 'reference')
    note(`${at}.canonicalValues`, 'applies to string and reference attributes only')
  if (referenceTypes && type !== 'reference')
    note(`${at}.referenceTypes`, 'applies to reference attributes only')
  const subAttributes = isSub ? undefined : readSubAttributes(raw, type, at, note)
  if (problems > 0 || typeof name !== 'string' || !type) return undefined
  return attribute({
    name,
    type,
    multiValued,
    description,
    required,
    caseExact,
    mutability,
    returned,
    uniqueness,
    ...(canonicalValues && { canonicalValues }),
    ...(referenceTypes && { referenceTypes }),
    ...(subAttributes && { subAttributes }),
  })
}

function readSubAttributes(
  raw: Json,
  type: AttributeType | undefined,
  at: string,
  report: Report,
): AttributeDefinition[] | undefined {
  const value = raw.subAttributes
  if (type !== 'complex') {
    if (value !== undefined) report(`${at}.subAttributes`, 'applies to complex attributes only')
    return undefined
  }
  if (!Array.isArray(value) || value.length === 0 || value.length > SCHEMA_LIMITS.subAttributes) {
    report(
      `${at}.subAttributes`,
      `a complex attribute needs 1 to ${SCHEMA_LIMITS.subAttributes} sub-attributes`,
    )
    return undefined
  }
  const subs = value.map((sub, i) => readAttribute(sub, `${at}.subAttributes[${i}]`, report, true))
  if (subs.some((s) => s === undefined)) return undefined
  const defined = subs as AttributeDefinition[]
  checkDistinct(defined, at, report)
  return defined
}

/**
 * Checks one schema in RFC 7643 §7 form and returns it with the RFC 7643 §2.2 defaults filled in;
 * undefined when anything is wrong, each problem reported with its location. `schemas` and `meta`
 * (present when the schema was copied from a /Schemas response) are ignored.
 */
export function readSchema(raw: unknown, report: Report): SchemaDefinition | undefined {
  if (!isJsonObject(raw)) {
    report('schema', 'must be a JSON object with id, name, description and attributes (RFC 7643 §7)')
    return undefined
  }
  let problems = 0
  const note: Report = (w, p) => {
    problems++
    report(w, p)
  }
  for (const key of Object.keys(raw))
    if (!SCHEMA_KEYS.has(key)) note(key, 'is not a member of an RFC 7643 §7 schema')
  const id = raw.id
  const idProblem = typeof id === 'string' ? urnProblem(id) : 'is required: the schema URN'
  if (idProblem) note('id', idProblem)
  const segments = typeof id === 'string' ? id.split(':') : []
  const name = text(raw, 'name', 'schema', note, segments[segments.length - 1] ?? '')
  const description = text(raw, 'description', 'schema', note, name)
  const attributes = raw.attributes
  if (
    !Array.isArray(attributes) ||
    attributes.length === 0 ||
    attributes.length > SCHEMA_LIMITS.attributesPerSchema
  ) {
    note('attributes', `must list 1 to ${SCHEMA_LIMITS.attributesPerSchema} attributes`)
    return undefined
  }
  const read = attributes.map((a, i) => readAttribute(a, `attributes[${i}]`, note, false))
  if (problems > 0 || typeof id !== 'string' || read.some((a) => a === undefined)) return undefined
  const defined = read as AttributeDefinition[]
  checkDistinct(defined, 'attributes', note)
  return problems > 0 ? undefined : { id, name, description, attributes: defined }
}
