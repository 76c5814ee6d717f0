import { ScimError } from '../http/scim-error'
import type { AttributeDefinition, ResourceTypeDefinition } from '../schema/attribute'
import type { SchemaRegistry } from '../schema/registry'
import { type AttributePath, type FilterNode, impliedValue, isNeverReturned, type PatchPath } from './ast'
import { checkComparison } from './check-comparison'
import { type Fail, type Token, tokenize } from './lexer'

// Bounds that keep recursion (here, in the SQL compiler and in the evaluator) far from the stack limit.
const MAX_DEPTH = 50
const MAX_NODES = 200

/**
 * Parses a SCIM filter into a resolved AST, RFC 7644 §3.4.2.2; throws `invalidFilter` on a syntax
 * error, an unknown attribute or a literal that cannot match the attribute's type.
 *
 * `attr[filter].sub op value` is not its own node: it becomes the `valuePath` node of `attr`
 * whose filter is `filter and sub op value`, so both conditions hold for the same element.
 * A comparison against a complex attribute (`members eq "u"`, `manager eq "m"`) is a comparison
 * against its `value` sub-attribute, as `path.subAttribute`.
 */
export function parseFilter(
  input: string,
  registry: SchemaRegistry,
  resourceType: ResourceTypeDefinition,
): FilterNode {
  const fail: Fail = (position, cause) =>
    ScimError.invalidFilter(`Invalid filter at position ${position}: ${cause}`)
  const parser = createParser(input, registry, resourceType, fail)
  return parser.filter()
}

/**
 * Parses a PATCH operation's `path` (`PATH = attrPath / valuePath [subAttr]`), RFC 7644 §3.5.2;
 * throws `invalidPath` on any error, including one inside the value filter.
 */
export function parsePatchPath(
  input: string,
  registry: SchemaRegistry,
  resourceType: ResourceTypeDefinition,
): PatchPath {
  const fail: Fail = (position, cause) =>
    ScimError.invalidPath(`Invalid path at position ${position}: ${cause}`)
  const parser = createParser(input, registry, resourceType, fail)
  return parser.patchPath()
}

// String literals are quoted already.
const describe = (t: Token) => {
  if (t.kind === 'end') return 'the end of the input'
  return t.kind === 'literal' ? t.text : `"${t.text}"`
}

const byName = (attributes: readonly AttributeDefinition[] | undefined, name: string) =>
  attributes?.find((a) => a.name.toLowerCase() === name.toLowerCase())

/**
 * Recursive descent over FILTER of RFC 7644 §3.4.2.2 Figure 1 (with errata 7322 for valFilter):
 * `or` binds loosest, then `and`, then `not (…)` and grouping; both binary operators are left-associative.
 * Inside `[…]`, `parent` is the multi-valued attribute whose sub-attributes the names refer to.
 */
function createParser(
  input: string,
  registry: SchemaRegistry,
  resourceType: ResourceTypeDefinition,
  fail: Fail,
) {
  const tokens = tokenize(input, fail)
  let index = 0
  let depth = 0
  let nodes = 0

  // The last token is `end`; reading past it keeps returning it.
  const peek = () => tokens[Math.min(index, tokens.length - 1)] as Token
  const next = () => tokens[Math.min(index++, tokens.length - 1)] as Token
  const expect = (kind: Token['kind'], cause: string) => {
    const t = next()
    if (t.kind !== kind) throw fail(t.position, `${cause}, found ${describe(t)}`)
    return t
  }
  const count = <T extends FilterNode>(node: T, at: Token): T => {
    if (++nodes > MAX_NODES) throw fail(at.position, `the filter has more than ${MAX_NODES} expressions`)
    return node
  }

  function orExpr(parent?: AttributePath): FilterNode {
    let left = andExpr(parent)
    while (peek().kind === 'or') {
      const op = next()
      left = count({ kind: 'or', left, right: andExpr(parent) }, op)
    }
    return left
  }

  function andExpr(parent?: AttributePath): FilterNode {
    let left = unary(parent)
    while (peek().kind === 'and') {
      const op = next()
      left = count({ kind: 'and', left, right: unary(parent) }, op)
    }
    return left
  }

  function unary(parent?: AttributePath): FilterNode {
    const t = peek()
    if (t.kind === 'not') {
      next()
      expect('(', 'expected "(" after "not"')
      return count({ kind: 'not', filter: group(t, ')', parent) }, t)
    }
    if (t.kind === '(') {
      next()
      return group(t, ')', parent)
    }
    return attrExpr(parent)
  }

  /** The inside of `(…)` or `[…]`, after the opening token. */
  function group(open: Token, close: ')' | ']', parent?: AttributePath): FilterNode {
    if (++depth > MAX_DEPTH) throw fail(open.position, `the filter nests more than ${MAX_DEPTH} levels deep`)
    const inner = orExpr(parent)
    expect(close, `expected "${close}" to close "${open.text}" at position ${open.position}`)
    depth--
    return inner
  }

  function attrExpr(parent?: AttributePath): FilterNode {
    const t = next()
    if (t.kind !== 'path') {
      const hint = t.kind === 'literal' ? ' (a filter is "attribute operator value", not a bare value)' : ''
      throw fail(t.position, `expected an attribute path, found ${describe(t)}${hint}`)
    }
    const path = parent ? resolveSub(parent, t.text, t) : resolve(t)
    const after = peek()
    if (after.kind === '[') {
      if (parent) throw fail(after.position, 'value filters cannot be nested')
      const filter = valueFilter(path, t)
      const sub = peek()
      if (sub.kind !== 'subAttr') return count({ kind: 'valuePath', path, filter }, t)
      next()
      // The same element must satisfy both, so the comparison joins the value filter with `and`.
      const element = resolveSub(path, sub.name, sub)
      const condition = comparison(element, `${t.text}${sub.text}`)
      return count(
        { kind: 'valuePath', path, filter: count({ kind: 'and', left: filter, right: condition }, sub) },
        t,
      )
    }
    return comparison(path, t.text)
  }

  /** `[valFilter]` after the multi-valued attribute `path`, written as `at`. */
  function valueFilter(path: AttributePath, at: Token): FilterNode {
    if (path.subAttribute || !path.attribute.multiValued) {
      throw fail(
        at.position,
        `"${at.text}" is not a multi-valued attribute, so it cannot take a value filter`,
      )
    }
    return group(next(), ']', path)
  }

  function comparison(path: AttributePath, pathText: string): FilterNode {
    const op = next()
    if (isNeverReturned(path)) {
      throw fail(op.position, `"${pathText}" is never returned, so it cannot be filtered on`)
    }
    if (op.kind !== 'operator') {
      throw fail(op.position, `expected a comparison operator after "${pathText}", found ${describe(op)}`)
    }
    if (op.operator === 'pr') {
      if (peek().kind === 'literal') throw fail(peek().position, '"pr" takes no value')
      return count({ kind: 'present', path }, op)
    }
    const value = next()
    if (value.kind !== 'literal') {
      throw fail(value.position, `expected a value after "${op.text}", found ${describe(value)}`)
    }
    const target = valueTarget(path, pathText, op)
    const checked = checkComparison(
      target.subAttribute ?? target.attribute,
      pathText,
      op.operator,
      value,
      fail,
    )
    return count({ kind: 'compare', path: target, op: op.operator, value: checked }, op)
  }

  // RFC 7644 §3.4.2.2 — `emails co "example.com"` compares the `value` of a complex attribute.
  function valueTarget(path: AttributePath, pathText: string, at: Token): AttributePath {
    const target = impliedValue(path)
    if (!target) throw fail(at.position, `"${pathText}" is complex: compare one of its sub-attributes`)
    return target
  }

  function resolve(t: Token): AttributePath {
    const path = registry.resolve(resourceType, t.text)
    if (!path) throw fail(t.position, `unknown attribute "${t.text}"`)
    return path
  }

  // Inside a value filter, names are sub-attributes of the element; for a multi-valued attribute
  // without sub-attributes, `value` is the element itself (RFC 7644 §3.5.2.2) and has no subAttribute.
  function resolveSub(parent: AttributePath, name: string, t: Token): AttributePath {
    const { attribute } = parent
    if (!attribute.subAttributes && name.toLowerCase() === 'value')
      return { schema: parent.schema, attribute }
    const subAttribute = byName(attribute.subAttributes, name)
    if (!subAttribute) throw fail(t.position, `unknown sub-attribute "${name}" of "${attribute.name}"`)
    return { schema: parent.schema, attribute, subAttribute }
  }

  function expectEnd(what: string) {
    const t = peek()
    if (t.kind !== 'end') throw fail(t.position, `unexpected ${describe(t)}, expected ${what}`)
  }

  return {
    filter(): FilterNode {
      const node = orExpr()
      expectEnd('"and", "or" or the end of the filter')
      return node
    },
    patchPath(): PatchPath {
      const t = next()
      if (t.kind !== 'path') throw fail(t.position, `expected an attribute path, found ${describe(t)}`)
      const path = resolve(t)
      if (peek().kind !== '[') {
        expectEnd('the end of the path')
        return { kind: 'attribute', path }
      }
      const filter = valueFilter(path, t)
      const sub = peek()
      if (sub.kind !== 'subAttr') {
        expectEnd('a sub-attribute or the end of the path')
        return { kind: 'valuePath', path, filter }
      }
      next()
      const { subAttribute } = resolveSub(path, sub.name, sub)
      expectEnd('the end of the path')
      return { kind: 'valuePath', path, filter, subAttribute }
    },
  }
}
