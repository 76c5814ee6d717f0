import type { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { AppEnv } from '../../env'
import { methodNotAllowed } from '../../http/error-handler'
import { readJsonObject } from '../../http/request-body'
import { ScimError } from '../../http/scim-error'
import { scimJson } from '../../http/scim-response'
import { BULK_RESPONSE } from '../../schema/urns'
import { executeBulk } from './bulk-execute'
import { bulkQueryBudget, MAX_BULK_PAYLOAD_BYTES, maxBulkOperations } from './bulk-limits'
import { parseBulkRequest } from './bulk-request'

/** RFC 7644 §3.7.4 — a body over the advertised `maxPayloadSize` is refused before it is read whole. */
const payloadLimit = bodyLimit({
  maxSize: MAX_BULK_PAYLOAD_BYTES,
  onError: () => {
    throw new ScimError(
      413,
      `The size of the bulk operation exceeds the maxPayloadSize (${MAX_BULK_PAYLOAD_BYTES} bytes)`,
    )
  },
})

/** Registers `POST /Bulk`, RFC 7644 §3.7; other methods get 405. */
export function registerBulkRoutes(scim: Hono<AppEnv>) {
  scim.post('/Bulk', payloadLimit, async (c) => {
    const { tenant, d1 } = c.var
    const request = parseBulkRequest(await readJsonObject(c), maxBulkOperations(tenant.limits))
    const budget = bulkQueryBudget(tenant.limits)
    const operations = await executeBulk(tenant, request, () => budget - d1.count)
    return scimJson(c, { schemas: [BULK_RESPONSE], Operations: operations })
  })
  scim.all('/Bulk', methodNotAllowed(['POST']))
}
