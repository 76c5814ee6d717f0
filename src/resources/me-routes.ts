import type { Hono } from 'hono'
import type { AppEnv } from '../env'
import { renderScimError } from '../http/error-handler'
import { ScimError } from '../http/scim-error'

/**
 * RFC 7644 §3.11 — `/Me` is an alias for the User the bearer token authenticates. Here a token is a
 * tenant's provisioning credential (an identity provider's connector), issued to no User and
 * recorded by token id only, so there is no resource `/Me` could stand for. Mapping it to some user
 * (the first, one named in the token record) would let a client read or change a user it never
 * named; §3.11 lets a service provider without such a mapping answer 501 Not Implemented.
 */
const NOT_A_USER = new ScimError(
  501,
  'The /Me endpoint is not implemented: this bearer token authenticates a provisioning client of the tenant, not a User',
)

/** Registers `/Me` (and its sub-paths), answering every method with 501, RFC 7644 §3.11. */
export function registerMeRoutes(scim: Hono<AppEnv>) {
  scim.all('/Me', (c) => renderScimError(c, NOT_A_USER))
  scim.all('/Me/*', (c) => renderScimError(c, NOT_A_USER))
}
