import { Validator } from '@cfworker/json-schema'
import { describe, it } from 'vitest'
import { ADMIN_ROUTES } from '../../src/admin/admin-app'
import { admin } from '../support/admin-client'

interface Media {
  schema: object
  example?: unknown
}
interface Operation {
  summary?: string
  requestBody?: { content: Record<string, Media> }
  responses: Record<string, { content?: Record<string, Media> }>
}
type Document = {
  openapi: string
  paths: Record<string, Record<string, Operation>>
  components: object
}

/** Each example of an operation, with where it is and the schema it must satisfy. */
function examplesOf(path: string, method: string, operation: Operation) {
  const media = [
    ...Object.entries(operation.requestBody?.content ?? {}).map(
      ([type, m]) => [`request ${type}`, m] as const,
    ),
    ...Object.entries(operation.responses).flatMap(([status, answer]) =>
      Object.entries(answer.content ?? {}).map(([type, m]) => [`${status} ${type}`, m] as const),
    ),
  ]
  return media.map(([where, m]) => ({ where: `${method.toUpperCase()} ${path} ${where}`, ...m }))
}

const validate = (doc: Document, schema: object, value: unknown) =>
  new Validator({ ...schema, components: doc.components } as never, '2020-12').validate(value)

describe('management API: OpenAPI document', () => {
  it('lists every route, and every operation has a valid example for each body and answer', async ({
    expect,
  }) => {
    const res = await admin('/openapi.json', { key: null })
    expect(res.headers.get('content-type')).toContain('application/json')
    const doc = res.json as Document
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths).sort()).toEqual([...new Set(ADMIN_ROUTES.map((r) => r.path))].sort())
    let checked = 0
    for (const route of ADMIN_ROUTES) {
      const operation = doc.paths[route.path]?.[route.method]
      expect(operation, `${route.method} ${route.path}`).toBeDefined()
      const examples = examplesOf(route.path, route.method, operation!)
      expect(examples.length, `${route.method} ${route.path}`).toBeGreaterThan(1)
      for (const example of examples) {
        expect(example.example, example.where).toBeDefined()
        const result = validate(doc, example.schema, example.example)
        expect(result.errors, example.where).toEqual([])
        checked++
      }
    }
    console.log(
      `OpenAPI: ${ADMIN_ROUTES.length} operations on ${Object.keys(doc.paths).length} paths, ${checked} examples valid`,
    )
  })

  it('the validator catches an example that breaks its schema', async ({ expect }) => {
    const doc = (await admin('/openapi.json', { key: null })).json as Document
    const tenant = doc.paths['/tenants/{name}']!.get!.responses['200']!.content!['application/json']!
    expect(validate(doc, tenant.schema, { name: 'acme' }).valid).toBe(false)
    expect(validate(doc, tenant.schema, tenant.example).valid).toBe(true)
  })
})
