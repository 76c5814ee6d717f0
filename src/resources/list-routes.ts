import type { Context, Hono } from 'hono'
import type { AppEnv } from '../env'
import { methodNotAllowed } from '../http/error-handler'
import { scimJson } from '../http/scim-response'
import { cursorSecretOf } from '../query/cursor'
import { type ListScope, listResources } from '../query/list'
import {
  type ListParams,
  listParamsFromQuery,
  listQueryValidator,
  readSearchRequest,
} from '../query/list-params'

const answer = async (c: Context<AppEnv>, scope: ListScope, params: ListParams) =>
  scimJson(c, await listResources(c.var.tenant, scope, params, cursorSecretOf(c.env)))

/**
 * Listing and searching, RFC 7644 §3.4.2–3.4.3: `GET /Users`, `GET /Groups`, `POST /Users/.search`,
 * `POST /Groups/.search` and `POST /.search` (Users and Groups together). Registered before the item
 * routes so that `/Users/.search` is never taken for an id.
 */
export function registerListRoutes(scim: Hono<AppEnv>) {
  for (const kind of ['User', 'Group'] as const) {
    const base = kind === 'User' ? '/Users' : '/Groups'
    scim.get(base, listQueryValidator, (c) => answer(c, kind, listParamsFromQuery(c.req.valid('query'))))
    scim.post(`${base}/.search`, async (c) => answer(c, kind, await readSearchRequest(c)))
    scim.all(`${base}/.search`, methodNotAllowed(['POST']))
  }
  scim.post('/.search', async (c) => answer(c, 'root', await readSearchRequest(c)))
  scim.all('/.search', methodNotAllowed(['POST']))
}
