/**
 * Generated hostile SCIM requests (issue 7, point 2), shared by the fixed-seed sample in `npm test`
 * (test/integration/hostile-input.test.ts) and `npm run fuzz` (scripts/fuzz.ts): random and mutated
 * filters, filters deep and long up to the parser's limits, PATCH operations, resource bodies,
 * searches and Bulk requests, with SQL and JSON-path
 * metacharacters in every string position, deep and large JSON, duplicate keys, `__proto__` and
 * `constructor` keys, numbers out of range, invalid UTF-8 and 1 MB strings.
 *
 * Bodies are built as a JSON syntax tree and serialized here, so they can hold what `JSON.stringify`
 * cannot write: duplicate keys, raw number literals such as `1e400`, and nesting deeper than the
 * serializer's stack.
 */
import fc from 'fast-check'
import { deepFilterText, type FilterEndpoint } from './fuzz-deep-filters'

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest'
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest'

/** Ids and names that exist in the tenant under attack, so that writes reach real resources. */
export interface FuzzContext {
  readonly users: readonly string[]
  readonly groups: readonly string[]
}

/** One request: `body` is text or raw bytes (for invalid UTF-8). */
export interface FuzzRequest {
  readonly kind: string
  readonly method: string
  /** Below `/scim/v2`, with its query string. */
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string | Uint8Array
}

export interface FuzzOptions {
  /** Allow bodies and strings of about 1 MB (slow in bulk: a few per hundred cases). */
  readonly large?: boolean
}

/** Present once in `rarity` requests: a hostile header everywhere would stop every request at it. */
const rarely = <T>(arbitrary: fc.Arbitrary<T>, rarity = 10) =>
  fc.oneof({ weight: rarity - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary })

// ---------------------------------------------------------------------------------------------
// JSON syntax trees

export type Json =
  | { readonly t: 'lit'; readonly raw: string }
  | { readonly t: 'str'; readonly v: string }
  | { readonly t: 'arr'; readonly items: readonly Json[] }
  | { readonly t: 'obj'; readonly entries: readonly (readonly [string, Json])[] }
  /** `depth` levels of `[` or `{"a":` around `inner`: serialized without recursion. */
  | { readonly t: 'deep'; readonly depth: number; readonly object: boolean; readonly inner: Json }

/** A plain JSON value as a tree. */
export function tree(value: unknown): Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') {
    return { t: 'lit', raw: JSON.stringify(value) }
  }
  if (typeof value === 'string') return { t: 'str', v: value }
  if (Array.isArray(value)) return { t: 'arr', items: value.map(tree) }
  return { t: 'obj', entries: Object.entries(value as object).map(([k, v]) => [k, tree(v)] as const) }
}

/** Bodies beyond this are cut (truncated JSON is hostile input too): wide arrays of 1 MB strings would not fit in memory. */
export const MAX_BODY_CHARACTERS = 3 * 1024 * 1024

/**
 * Serializes a tree; strings go through JSON.stringify, so lone surrogates become `\ud800` escapes.
 * Output past MAX_BODY_CHARACTERS is cut off.
 */
export function serialize(root: Json): string {
  const parts: string[] = []
  let length = 0
  const write = (text: string) => {
    if (length >= MAX_BODY_CHARACTERS) return false
    const room = MAX_BODY_CHARACTERS - length
    parts.push(text.length > room ? text.slice(0, room) : text)
    length += Math.min(text.length, room)
    return length < MAX_BODY_CHARACTERS
  }
  const walk = (node: Json): boolean => {
    switch (node.t) {
      case 'lit':
        return write(node.raw)
      case 'str':
        return write(JSON.stringify(node.v))
      case 'arr':
        if (!write('[')) return false
        for (const [i, item] of node.items.entries()) if ((i > 0 && !write(',')) || !walk(item)) return false
        return write(']')
      case 'obj':
        if (!write('{')) return false
        for (const [i, [key, value]] of node.entries.entries()) {
          if ((i > 0 && !write(',')) || !write(`${JSON.stringify(key)}:`) || !walk(value)) return false
        }
        return write('}')
      case 'deep':
        return (
          write((node.object ? '{"a":' : '[').repeat(node.depth)) &&
          walk(node.inner) &&
          write((node.object ? '}' : ']').repeat(node.depth))
        )
    }
  }
  walk(root)
  return parts.join('')
}

// ---------------------------------------------------------------------------------------------
// Strings

/** SQL, JSON-path, LIKE, filter and URL metacharacters, and Unicode that folds or breaks. */
const METACHARACTERS = [
  "'",
  '"',
  '\\',
  '%',
  '_',
  '*',
  ';',
  '--',
  '/*',
  '*/',
  "' OR '1'='1",
  '" OR ""="',
  "'); DROP TABLE users; --",
  '1; DELETE FROM groups',
  'UNION SELECT * FROM scim_events',
  '$',
  '$.',
  '$[0]',
  '$.userName',
  '$**',
  '[*]',
  '..',
  '.',
  '[',
  ']',
  '(',
  ')',
  '{',
  '}',
  'json_extract(',
  "json('",
  '?',
  '?1',
  ':name',
  '@p',
  '\u0000',
  '\u0001',
  '\n',
  '\r\n',
  '\t',
  '\u2028',
  '\u202e',
  '\ufeff',
  '\ud800',
  '\udfff',
  '😀',
  'ß',
  'İ',
  'ﬃ',
  'Σ',
  'ǅ',
  'ＡＢＣ',
  ' eq ',
  ' or ',
  ' and ',
  'not(',
  ' pr',
  'true',
  'null',
  'bulkId:',
  'bulkId:x',
  '%00',
  '%2e%2e%2f',
  '%zz',
  '../',
  '<script>',
  '$'.concat('{7*7}'),
  '{{7*7}}',
  'urn:ietf:params:scim:schemas:core:2.0:User:',
  '__proto__',
  'constructor',
  'prototype',
  'W/"1"',
]

const metacharacter = fc.constantFrom(...METACHARACTERS)

/** A hostile string: metacharacters mixed with text, Unicode and (rarely) long runs. */
export const hostileString = (options: FuzzOptions = {}): fc.Arbitrary<string> =>
  fc.oneof(
    {
      weight: 24,
      arbitrary: fc
        .array(fc.oneof(metacharacter, fc.string({ maxLength: 6 })), { maxLength: 6 })
        .map((p) => p.join('')),
    },
    { weight: 8, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
    { weight: 8, arbitrary: fc.constantFrom('', ' ', 'a', 'x@example.com', 'User', 'Group') },
    // Long runs, up to 1 MB: rare, as a few of them in a body already hit the size limits.
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          metacharacter,
          fc.constantFrom(100, 1_000, 1_000, 10_000, ...(options.large ? [300_000, 1_048_576] : [])),
        )
        .map(([m, n]) => m.repeat(Math.ceil(n / Math.max(1, m.length))).slice(0, n)),
    },
  )

// ---------------------------------------------------------------------------------------------
// JSON values

const NUMBERS = [
  '0',
  '-0',
  '1',
  '-1',
  '1e400',
  '-1e400',
  '1e-400',
  '123456789012345678901234567890',
  '9007199254740993',
  '2147483648',
  '-2147483649',
  '0.1',
  '1.5e308',
  '4.9e-324',
  '1E2',
  '-0.0',
]

/** Raw number literals, in and far out of every range. */
export const hostileNumber = fc.oneof(
  fc.constantFrom(...NUMBERS),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
)

/** A hostile JSON value: any type, keys included, nested; `deep` wraps one in thousands of levels. */
export function hostileJson(options: FuzzOptions = {}): fc.Arbitrary<Json> {
  const string = hostileString(options)
  const key = fc.oneof(
    fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      'value',
      'display',
      'type',
      'primary',
      '$ref',
      'members',
      'schemas',
      'id',
      'meta',
      '',
    ),
    string,
  )
  const { value } = fc.letrec<{ value: Json }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom<Json>({ t: 'lit', raw: 'null' }, { t: 'lit', raw: 'true' }, { t: 'lit', raw: 'false' }),
      hostileNumber.map((raw): Json => ({ t: 'lit', raw })),
      string.map((v): Json => ({ t: 'str', v })),
      fc.array(tie('value'), { maxLength: 4 }).map((items): Json => ({ t: 'arr', items })),
      fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((entries): Json => ({ t: 'obj', entries })),
    ),
  }))
  return fc.oneof(
    { weight: 12, arbitrary: value },
    {
      weight: 1,
      arbitrary: fc
        .record({
          depth: fc.constantFrom(100, 1_000, 5_000, 20_000, 100_000),
          object: fc.boolean(),
          inner: value,
        })
        .map((d): Json => ({ t: 'deep', ...d })),
    },
  )
}

/** Many elements: wide rather than deep. */
const wide = (item: fc.Arbitrary<Json>) =>
  fc
    .tuple(item, fc.constantFrom(100, 1_000, 10_000))
    .map(([v, n]): Json => ({ t: 'arr', items: Array(n).fill(v) }))

// ---------------------------------------------------------------------------------------------
// Mutations of a valid body

type Mutation = {
  readonly at: number
  readonly kind: 'replace' | 'add' | 'duplicate' | 'remove' | 'wrap'
  readonly key: string
  readonly value: Json
}

function nodesOf(root: Json): Json[] {
  const all: Json[] = []
  const stack = [root]
  while (stack.length > 0) {
    const node = stack.pop() as Json
    all.push(node)
    if (node.t === 'arr') stack.push(...node.items)
    if (node.t === 'obj') stack.push(...node.entries.map(([, v]) => v))
  }
  return all
}

/** Applies one mutation to the node `at` (modulo the node count); returns a new tree. */
function mutate(root: Json, m: Mutation): Json {
  const nodes = nodesOf(root)
  const target = nodes[m.at % nodes.length]
  const rebuild = (node: Json): Json => {
    if (node === target) {
      if (m.kind === 'replace') return m.value
      if (m.kind === 'wrap') return { t: 'arr', items: [node] }
      if (node.t === 'obj') {
        const [first] = node.entries
        if (m.kind === 'add') return { t: 'obj', entries: [...node.entries, [m.key, m.value]] }
        if (m.kind === 'duplicate' && first)
          return { t: 'obj', entries: [...node.entries, [first[0], m.value]] }
        if (m.kind === 'remove') return { t: 'obj', entries: node.entries.slice(1) }
      }
      if (node.t === 'arr' && m.kind === 'add') return { t: 'arr', items: [...node.items, m.value] }
      return m.value
    }
    if (node.t === 'arr') return { t: 'arr', items: node.items.map(rebuild) }
    if (node.t === 'obj') return { t: 'obj', entries: node.entries.map(([k, v]) => [k, rebuild(v)] as const) }
    return node
  }
  return rebuild(root)
}

function mutated(base: fc.Arbitrary<Json>, options: FuzzOptions, maxMutations = 3): fc.Arbitrary<Json> {
  const mutation = fc.record({
    at: fc.nat(),
    kind: fc.constantFrom<Mutation['kind']>('replace', 'add', 'duplicate', 'remove', 'wrap'),
    key: fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'schemas', 'userName', 'members', 'Operations', 'value'),
      hostileString(),
    ),
    value: hostileJson(options),
  })
  return fc
    .tuple(
      base,
      fc.oneof(
        { weight: 3, arbitrary: fc.constant([]) },
        { weight: 3, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 1 }) },
        { weight: 2, arbitrary: fc.array(mutation, { minLength: 1, maxLength: maxMutations }) },
      ),
    )
    .map(([root, mutations]) => mutations.reduce(mutate, root))
}

// ---------------------------------------------------------------------------------------------
// Attribute paths and filters

const USER_PATHS = [
  'userName',
  'name',
  'name.givenName',
  'name.familyName',
  'name.formatted',
  'displayName',
  'nickName',
  'title',
  'userType',
  'preferredLanguage',
  'locale',
  'timezone',
  'active',
  'password',
  'profileUrl',
  'externalId',
  'id',
  'meta',
  'meta.created',
  'meta.lastModified',
  'meta.version',
  'meta.resourceType',
  'emails',
  'emails.value',
  'emails.type',
  'emails.primary',
  'phoneNumbers',
  'phoneNumbers.value',
  'addresses',
  'addresses.locality',
  'addresses.primary',
  'groups',
  'groups.value',
  'groups.display',
  'roles',
  'roles.value',
  'entitlements',
  'x509Certificates.value',
  'ims.value',
  'photos.value',
  `${ENTERPRISE}:manager`,
  `${ENTERPRISE}:manager.value`,
  `${ENTERPRISE}:department`,
  `${ENTERPRISE}:employeeNumber`,
  'manager',
  `${USER}:userName`,
  `${USER}:name.givenName`,
  'schemas',
  'members',
  'members.value',
]
const GROUP_PATHS = [
  'displayName',
  'members',
  'members.value',
  'members.display',
  'members.type',
  'members.$ref',
  'externalId',
  'id',
  'meta.lastModified',
  `${GROUP}:displayName`,
  'userName',
]
const OPERATORS = [
  'eq',
  'ne',
  'co',
  'sw',
  'ew',
  'gt',
  'ge',
  'lt',
  'le',
  'EQ',
  'Co',
  'pr',
  'PR',
  'xx',
  '=',
  '==',
  'like',
]

const attributePath = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...USER_PATHS, ...GROUP_PATHS) },
  { weight: 1, arbitrary: hostileString() },
  { weight: 1, arbitrary: fc.constantFrom(...USER_PATHS).map((p) => p.toUpperCase()) },
)

const comparisonValue = fc.oneof(
  { weight: 6, arbitrary: hostileString().map((s) => JSON.stringify(s)) },
  { weight: 2, arbitrary: hostileNumber },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'true',
      'false',
      'null',
      '"2026-01-01T00:00:00Z"',
      '"2026-13-45T99:99:99Z"',
      '"W/\\"3\\""',
    ),
  },
  { weight: 1, arbitrary: hostileString() },
)

// Comparisons the grammar and the schema accept (so the request reaches SQL), with hostile values.
const STRING_ATTRIBUTES = [
  'userName',
  'displayName',
  'name.givenName',
  'emails.value',
  'emails.type',
  'externalId',
  'title',
  'nickName',
  `${ENTERPRISE}:department`,
  `${ENTERPRISE}:manager.value`,
  'meta.resourceType',
]
const typedComparison = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...STRING_ATTRIBUTES),
        fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'le'),
        hostileString(),
      )
      .map(([a, op, v]) => `${a} ${op} ${JSON.stringify(v.replace(/[\ud800-\udfff]/g, 'x'))}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...STRING_ATTRIBUTES, 'active', 'emails', 'meta.lastModified', 'emails.primary'))
      .map(([a]) => `${a} pr`),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('active', 'emails.primary'), fc.constantFrom('eq', 'ne'), fc.boolean())
      .map(([a, op, v]) => `${a} ${op} ${v}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('meta.lastModified', 'meta.created'),
        fc.constantFrom('gt', 'ge', 'lt', 'le', 'eq'),
        fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }),
      )
      .map(([a, op, d]) => `${a} ${op} "${d.toISOString()}"`),
  },
)

/** A filter: well-formed by the grammar of RFC 7644 §3.4.2.2 most of the time, then mutated. */
export const filterText: fc.Arbitrary<string> = fc
  .tuple(
    fc.letrec<{ filter: string }>((tie) => ({
      filter: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        { arbitrary: typedComparison, weight: 6 },
        fc
          .tuple(attributePath, fc.constantFrom(...OPERATORS), comparisonValue)
          .map(([p, op, v]) => (op.toLowerCase() === 'pr' ? `${p} ${op}` : `${p} ${op} ${v}`)),
        fc
          .tuple(tie('filter'), fc.constantFrom('and', 'or', 'AND', 'Or'), tie('filter'))
          .map(([l, o, r]) => `${l} ${o} ${r}`),
        tie('filter').map((f) => `not (${f})`),
        tie('filter').map((f) => `(${f})`),
        fc
          .tuple(
            fc.constantFrom('emails', 'members', 'addresses', 'groups', 'phoneNumbers', 'name'),
            tie('filter'),
          )
          .map(([a, f]) => `${a}[${f}]`),
      ),
    })).filter,
    rarely(
      fc.array(fc.tuple(fc.nat(), fc.constantFrom('delete', 'insert', 'truncate'), metacharacter), {
        minLength: 1,
        maxLength: 2,
      }),
      3,
    ).map((edits) => edits ?? []),
    fc.constantFrom(...Array(17).fill(0), 3, 60, 2_000),
  )
  .map(([filter, edits, nesting]) => {
    let text = `${'('.repeat(nesting)}${filter}${')'.repeat(nesting)}`
    for (const [at, edit, char] of edits) {
      const i = at % (text.length + 1)
      if (edit === 'delete') text = text.slice(0, i) + text.slice(i + 1)
      else if (edit === 'insert') text = text.slice(0, i) + char + text.slice(i)
      else text = text.slice(0, i)
    }
    return text
  })

// ---------------------------------------------------------------------------------------------
// Requests

const CONTENT_TYPES = [
  'application/scim+json',
  'application/scim+json',
  'application/scim+json',
  'application/json',
  'application/scim+json; charset=utf-8',
  'application/scim+json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'APPLICATION/SCIM+JSON',
  '',
]

const IF_MATCH = [
  'W/"1"',
  'W/"2"',
  '*',
  '"1"',
  'W/"99999999999999999999"',
  'W/"-1"',
  'garbage',
  'W/"1", W/"2"',
  '',
]

const headersArbitrary = fc
  .record({
    'content-type': fc.oneof(
      { weight: 12, arbitrary: fc.constant('application/scim+json') },
      { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
    ),
    'if-match': rarely(fc.constantFrom(...IF_MATCH)),
    'if-none-match': rarely(fc.constantFrom(...IF_MATCH)),
    accept: rarely(fc.constantFrom('application/scim+json', '*/*', 'text/html', 'application/xml'), 4),
  })
  .map(
    (h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<string, string>,
  )

/** `encodeURIComponent`, with lone surrogates (which it cannot encode) made U+FFFD first. */
function encode(text: string): string {
  try {
    return encodeURIComponent(text)
  } catch {
    return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '\ufffd'))
  }
}

const pick = <T>(list: readonly T[], fallback: T) =>
  list.length === 0 ? fc.constant(fallback) : fc.constantFrom(...list)

/** A resource id: an existing one most of the time, else hostile text in every encoding. */
function idArbitrary(existing: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 12, arbitrary: pick(existing, '00000000-0000-0000-0000-000000000000') },
    { weight: 1, arbitrary: hostileString().map((s) => encode(s).slice(0, 3_000)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '%',
        '%zz',
        '%00',
        '..',
        '%2e%2e',
        '%2F',
        '.search',
        'bulkId:x',
        'a'.repeat(5000),
        '%F0%9F%98%80',
        '%C3%28',
        '%ED%A0%80',
      ),
    },
  )
}

const userBase = (options: FuzzOptions) =>
  fc
    .record({
      userName: fc.oneof(
        hostileString(options),
        fc.uuid().map((u) => `${u}@example.com`),
      ),
      displayName: hostileString(options),
      active: fc.oneof(
        { weight: 8, arbitrary: fc.boolean() },
        { weight: 1, arbitrary: fc.constantFrom('True', 'false', 'yes') },
      ),
      emails: fc.array(
        fc.record({
          value: hostileString(),
          type: fc.constantFrom('work', 'home', ''),
          primary: fc.constantFrom(false, false, false, true),
        }),
        { maxLength: 3 },
      ),
      enterprise: fc.boolean(),
      department: hostileString(),
      manager: hostileString(),
    })
    .map((u) =>
      tree({
        schemas: u.enterprise ? [USER, ENTERPRISE] : [USER],
        userName: u.userName,
        displayName: u.displayName,
        name: { givenName: 'Fuzz', familyName: u.displayName.slice(0, 20) },
        active: u.active,
        emails: u.emails,
        ...(u.enterprise
          ? { [ENTERPRISE]: { department: u.department, manager: { value: u.manager } } }
          : {}),
      }),
    )

const groupBase = (ctx: FuzzContext, options: FuzzOptions) =>
  fc
    .record({
      displayName: fc.oneof(hostileString(options), fc.uuid()),
      members: fc.array(fc.oneof(pick(ctx.users, 'x'), pick(ctx.groups, 'y'), hostileString()), {
        maxLength: 5,
      }),
    })
    .map((g) =>
      tree({ schemas: [GROUP], displayName: g.displayName, members: g.members.map((value) => ({ value })) }),
    )

const patchPath = fc.oneof(
  { weight: 5, arbitrary: attributePath },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom('emails', 'members', 'addresses', 'phoneNumbers', 'groups'),
        filterText,
        fc.constantFrom('', '.value', '.type', '.primary', '.display', '.x'),
      )
      .map(([a, f, s]) => `${a}[${f}]${s}`),
  },
)

/** Operations the PATCH engine accepts for Users and Groups, carrying hostile values: they reach D1. */
const typedPatchOp = (ctx: FuzzContext, options: FuzzOptions, kind: 'User' | 'Group'): fc.Arbitrary<Json> => {
  const value = hostileString(options).map((v) => v.replace(/[\ud800-\udfff]/g, 'x'))
  if (kind === 'Group') {
    const id = fc.oneof(pick(ctx.users, 'u'), pick(ctx.groups, 'g'), fc.uuid())
    return fc.oneof(
      fc
        .array(id, { minLength: 1, maxLength: 4 })
        .map((ids) => tree({ op: 'add', path: 'members', value: ids.map((v) => ({ value: v })) })),
      id.map((v) => tree({ op: 'remove', path: `members[value eq "${v}"]` })),
      id.map((v) => tree({ op: 'Remove', path: 'members', value: [{ value: v }] })),
      fc
        .array(id, { maxLength: 3 })
        .map((ids) => tree({ op: 'replace', path: 'members', value: ids.map((v) => ({ value: v })) })),
      fc
        .tuple(fc.constantFrom('displayName', 'externalId'), value)
        .map(([path, v]) => tree({ op: 'replace', path, value: v })),
      value.map((v) => tree({ op: 'replace', value: { externalId: v } })),
    )
  }
  return fc.oneof(
    fc
      .tuple(
        fc.constantFrom('replace', 'add', 'Replace'),
        fc.constantFrom(
          'displayName',
          'nickName',
          'title',
          'name.givenName',
          'emails[type eq "work"].value',
          'externalId',
          `${ENTERPRISE}:department`,
          'manager',
        ),
        value,
      )
      .map(([op, path, v]) => tree({ op, path, value: v })),
    fc
      .tuple(value, fc.constantFrom('work', 'home'))
      .map(([v, type]) => tree({ op: 'add', path: 'emails', value: [{ value: v, type }] })),
    fc
      .tuple(value, fc.boolean())
      .map(([v, active]) => tree({ op: 'replace', value: { displayName: v, active } })),
    fc
      .constantFrom('nickName', 'emails[type eq "home"]', 'title')
      .map((path) => tree({ op: 'remove', path })),
  )
}

const wildPatchOp = (ctx: FuzzContext, options: FuzzOptions): fc.Arbitrary<Json> =>
  fc
    .record(
      {
        op: fc.oneof(
          { weight: 12, arbitrary: fc.constantFrom('add', 'replace', 'remove', 'Add', 'REPLACE', 'Remove') },
          { weight: 1, arbitrary: fc.constantFrom('move', 'copy', '') },
        ),
        path: patchPath,
        value: fc.oneof(
          hostileJson(options),
          fc
            .array(fc.oneof(pick(ctx.users, 'u'), pick(ctx.groups, 'g'), hostileString()), { maxLength: 4 })
            .map((ids) => tree(ids.map((value) => ({ value })))),
          hostileString(options).map((v) => tree({ displayName: v, 'name.givenName': v, active: false })),
        ),
      },
      { requiredKeys: ['op'] },
    )
    .map(
      (op): Json => ({
        t: 'obj',
        entries: Object.entries(op).map(
          ([k, v]) => [k, typeof v === 'string' ? tree(v) : (v as Json)] as const,
        ),
      }),
    )

const patchBody = (ctx: FuzzContext, options: FuzzOptions, kind: 'User' | 'Group') =>
  mutated(
    fc
      .array(
        fc.oneof(
          { weight: 3, arbitrary: typedPatchOp(ctx, options, kind) },
          { weight: 1, arbitrary: wildPatchOp(ctx, options) },
        ),
        { minLength: 1, maxLength: 5 },
      )
      .map(
        (ops): Json => ({
          t: 'obj',
          entries: [
            ['schemas', tree([PATCH_OP])],
            ['Operations', { t: 'arr', items: ops }],
          ],
        }),
      ),
    options,
    1,
  )

const searchBody = (options: FuzzOptions) =>
  mutated(
    fc
      .record(
        {
          filter: filterText,
          sortBy: rarely(attributePath, 3),
          sortOrder: rarely(fc.constantFrom('ascending', 'descending', 'DESCENDING', 'sideways'), 3),
          startIndex: rarely(fc.oneof(fc.integer({ min: -2, max: 50 }).map(String), hostileNumber), 4),
          count: rarely(fc.oneof(fc.integer({ min: -2, max: 50 }).map(String), hostileNumber), 3),
          cursor: rarely(fc.oneof(fc.constant(''), fc.base64String({ maxLength: 80 }), hostileString()), 8),
          attributes: rarely(fc.array(attributePath, { maxLength: 3 }), 3),
          excludedAttributes: rarely(fc.array(attributePath, { maxLength: 3 }), 3),
        },
        { requiredKeys: [] },
      )
      .map((params) => Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)))
      .map((s) => ({
        t: 'obj' as const,
        entries: [
          ['schemas', tree([SEARCH])] as const,
          ...Object.entries(s).map(
            ([k, v]) =>
              [
                k,
                k === 'startIndex' || k === 'count' ? { t: 'lit' as const, raw: String(v) } : tree(v),
              ] as const,
          ),
        ],
      })),
    options,
    1,
  )

const queryString = fc
  .record(
    {
      filter: filterText,
      sortBy: rarely(attributePath, 3),
      sortOrder: rarely(fc.constantFrom('ascending', 'descending', 'x'), 4),
      startIndex: rarely(fc.oneof(fc.integer({ min: -2, max: 50 }).map(String), hostileNumber), 4),
      count: rarely(fc.oneof(fc.integer({ min: -2, max: 50 }).map(String), hostileNumber), 3),
      cursor: rarely(fc.oneof(fc.constant(''), fc.base64String({ maxLength: 80 }), hostileString()), 6),
      attributes: rarely(attributePath, 4),
      excludedAttributes: rarely(attributePath, 4),
    },
    { requiredKeys: [] },
  )
  .map(
    (params) =>
      Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Record<string, string>,
  )
  .chain((params) =>
    fc.constantFrom('encoded', 'encoded', 'encoded', 'encoded', 'raw', 'raw', 'repeated').map((how) => {
      const entries = Object.entries(params)
      if (how === 'raw') return entries.map(([k, v]) => `${k}=${v}`).join('&')
      const encoded = entries.map(([k, v]) => `${k}=${encode(v)}`)
      return how === 'repeated' ? [...encoded, ...encoded].join('&') : encoded.join('&')
    }),
  )

const bulkBody = (ctx: FuzzContext, options: FuzzOptions) =>
  mutated(
    fc
      .array(
        fc.oneof(
          fc.tuple(fc.constantFrom('POST'), fc.constant('/Users'), userBase(options)),
          fc.tuple(fc.constantFrom('POST'), fc.constant('/Groups'), groupBase(ctx, options)),
          fc.tuple(
            fc.constant('PATCH'),
            idArbitrary(ctx.users).map((id) => `/Users/${id}`),
            patchBody(ctx, options, 'User'),
          ),
          fc.tuple(
            fc.constant('PATCH'),
            idArbitrary(ctx.groups).map((id) => `/Groups/${id}`),
            patchBody(ctx, options, 'Group'),
          ),
          fc.tuple(
            fc.constant('PUT'),
            fc.oneof(idArbitrary(ctx.users), fc.constant('bulkId:b0')).map((id) => `/Users/${id}`),
            userBase(options),
          ),
          fc.tuple(
            fc.constant('DELETE'),
            idArbitrary([]).map((id) => `/Users/${id}`),
            fc.constant(tree({})),
          ),
          fc.tuple(fc.constantFrom('GET', 'post', 'x'), hostileString(), hostileJson(options)),
        ),
        { minLength: 1, maxLength: 5 },
      )
      .map(
        (ops): Json => ({
          t: 'obj',
          entries: [
            ['schemas', tree([BULK])],
            ['failOnErrors', tree(3)],
            [
              'Operations',
              {
                t: 'arr',
                items: ops.map(
                  ([method, path, data], i): Json => ({
                    t: 'obj',
                    entries: [
                      ['method', tree(method)],
                      ['path', tree(path)],
                      ['bulkId', tree(`b${i}`)],
                      ['data', data],
                    ],
                  }),
                ),
              },
            ],
          ],
        }),
      ),
    options,
    2,
  )

/** Raw bytes of `text` with invalid UTF-8 sequences spliced in at generated positions. */
const INVALID_UTF8 = [
  [0xff],
  [0xc3, 0x28],
  [0xc0, 0xaf],
  [0xe2, 0x82],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0x80],
  [0xfe, 0xfe],
]

function withInvalidUtf8(text: string, at: readonly number[], which: readonly number[]): Uint8Array {
  const bytes = Array.from(new TextEncoder().encode(text))
  at.forEach((position, i) => {
    const sequence = INVALID_UTF8[(which[i] ?? 0) % INVALID_UTF8.length] as number[]
    bytes.splice(position % (bytes.length + 1), 0, ...sequence)
  })
  return Uint8Array.from(bytes)
}

/** Request targets are cut to this many characters. */
export const MAX_PATH_CHARACTERS = 8_000

/**
 * A deep or long filter (scripts/lib/fuzz-deep-filters.ts) on a list or a search, sorted and paged
 * by cursor at times: the SQL of every filter the parser accepts must run (issue 12, point 4).
 */
const deepFilterRequest: fc.Arbitrary<FuzzRequest> = fc
  .constantFrom('User', 'Group', 'root')
  .chain((endpoint) =>
    fc.record({
      endpoint: fc.constant(endpoint as FilterEndpoint),
      filter: deepFilterText(endpoint as FilterEndpoint),
      search: fc.boolean(),
      sortBy: rarely(fc.constantFrom('meta.created', 'displayName', 'emails', 'externalId'), 2),
      cursor: fc.boolean(),
    }),
  )
  .map(({ endpoint, filter, search, sortBy, cursor }): FuzzRequest => {
    const base = { User: '/Users', Group: '/Groups', root: '' }[endpoint]
    const params = { filter, ...(sortBy && { sortBy }), ...(cursor && { cursor: '', count: '2' }) }
    if (search || endpoint === 'root') {
      const body = JSON.stringify({ schemas: [SEARCH], ...params })
      const headers = { 'content-type': 'application/scim+json' }
      return { kind: 'deep filter', method: 'POST', path: `${base}/.search`, headers, body }
    }
    const query = Object.entries(params).map(([k, v]) => `${k}=${encode(v)}`)
    return { kind: 'deep filter', method: 'GET', path: `${base}?${query.join('&')}`, headers: {} }
  })

/** Every kind of hostile request against a tenant whose resources are `ctx`. */
export function fuzzRequest(ctx: FuzzContext, options: FuzzOptions = {}): fc.Arbitrary<FuzzRequest> {
  const json = (kind: string, method: string, path: fc.Arbitrary<string>, body: fc.Arbitrary<Json>) =>
    fc
      .record({ path, body, headers: headersArbitrary })
      .map(({ path, body, headers }): FuzzRequest => ({ kind, method, path, headers, body: serialize(body) }))
  const userPath = idArbitrary(ctx.users).map((id) => `/Users/${id}`)
  const groupPath = idArbitrary(ctx.groups).map((id) => `/Groups/${id}`)
  const anyJsonBody = (base: fc.Arbitrary<Json>) =>
    fc.oneof({ weight: 15, arbitrary: base }, { weight: 1, arbitrary: wide(hostileJson()) })

  const requests = fc.oneof(
    fc.tuple(fc.constantFrom('/Users', '/Groups'), queryString).map(
      ([base, query]): FuzzRequest => ({
        kind: 'list',
        method: 'GET',
        path: `${base}?${query}`,
        headers: {},
      }),
    ),
    json(
      'search',
      'POST',
      fc.constantFrom('/Users/.search', '/Groups/.search', '/.search'),
      searchBody(options),
    ),
    deepFilterRequest,
    json('create user', 'POST', fc.constant('/Users'), anyJsonBody(mutated(userBase(options), options))),
    json('create group', 'POST', fc.constant('/Groups'), mutated(groupBase(ctx, options), options)),
    json('replace user', 'PUT', userPath, mutated(userBase(options), options)),
    json('replace group', 'PUT', groupPath, mutated(groupBase(ctx, options), options)),
    json('patch user', 'PATCH', userPath, patchBody(ctx, options, 'User')),
    json('patch group', 'PATCH', groupPath, patchBody(ctx, options, 'Group')),
    json('bulk', 'POST', fc.constant('/Bulk'), bulkBody(ctx, options)),
    fc
      .tuple(
        fc.constantFrom('GET', 'GET', 'HEAD', 'OPTIONS', 'PROPFIND'),
        fc.oneof(userPath, groupPath),
        fc.constantFrom('', '?attributes=userName', '?excludedAttributes=members,emails', '?attributes=%00'),
      )
      .map(
        ([method, path, query]): FuzzRequest => ({ kind: 'item', method, path: path + query, headers: {} }),
      ),
    // Deletes aim at ids that do not exist but once in twenty: the seeded resources must last.
    fc
      .tuple(
        fc.oneof(
          { weight: 19, arbitrary: idArbitrary([]) },
          { weight: 1, arbitrary: idArbitrary([...ctx.users, ...ctx.groups]) },
        ),
        fc.constantFrom('/Users/', '/Groups/'),
      )
      .map(([id, base]): FuzzRequest => ({ kind: 'delete', method: 'DELETE', path: base + id, headers: {} })),
    // Any endpoint, any method, any body as text — malformed JSON, duplicate keys, raw numbers.
    fc
      .record({
        method: fc.constantFrom('POST', 'PUT', 'PATCH'),
        path: fc.oneof(
          fc.constantFrom(
            '/Users',
            '/Groups',
            '/Bulk',
            '/.search',
            '/Users/.search',
            '/Me',
            '/Schemas',
            '/ServiceProviderConfig',
          ),
          userPath,
          groupPath,
        ),
        body: fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.constantFrom(
            '',
            '{',
            '{"schemas":',
            'null',
            '[]',
            '"x"',
            '1e400',
            '{"a":1}{"b":2}',
            '\ufeff{}',
            '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","userName":"b","userName":{"x":1}}',
          ),
          hostileJson(options).map(serialize),
        ),
        headers: headersArbitrary,
      })
      .map((r): FuzzRequest => ({ kind: 'raw text', ...r })),
  )

  // Invalid UTF-8 spliced into any of those bodies.
  return (
    fc
      .oneof(
        { weight: 9, arbitrary: requests },
        {
          weight: 1,
          arbitrary: fc
            .tuple(
              requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD'),
              fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
              fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
            )
            .map(
              ([request, at, which]): FuzzRequest => ({
                ...request,
                kind: `${request.kind} + invalid UTF-8`,
                body: withInvalidUtf8(
                  typeof request.body === 'string' ? request.body : '{"schemas":[]}',
                  at,
                  which,
                ),
              }),
            ),
        },
      )
      // Past 16 KB the edge answers 414 itself (and wrangler dev 431): the Worker never sees such a
      // URL. Measured as sent: characters HTTP forbids in a request target percent-encoded.
      .map((r) => {
        const sent = r.path.replace(/[^\u0021-\u007e]|#/gu, (c) => encode(c))
        return sent.length > MAX_PATH_CHARACTERS ? { ...r, path: sent.slice(0, MAX_PATH_CHARACTERS) } : r
      })
  )
}

/** `request` as text for a reproduction: method, path, headers and the body (cut when long). */
export function describeRequest(request: FuzzRequest, limit = 2_000): string {
  const body =
    request.body === undefined
      ? ''
      : typeof request.body === 'string'
        ? request.body
        : `<bytes ${Array.from(request.body.slice(0, limit), (b) => b.toString(16).padStart(2, '0')).join(' ')}>`
  const cut = body.length > limit ? `${body.slice(0, limit)}… (${body.length} characters)` : body
  const headers = Object.entries(request.headers).map(([k, v]) => `${k}: ${v}`)
  return [`${request.method} /scim/v2${request.path}`, ...headers, '', cut].join('\n')
}
