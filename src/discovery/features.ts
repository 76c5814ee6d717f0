import { limitsOf } from '../limits'
import { cursorSecretOf } from '../query/cursor'
import { MAX_PAGE_SIZE, paginationFeatures } from '../query/limits'
import { MAX_BULK_PAYLOAD_BYTES, maxBulkOperations } from '../resources/bulk/bulk-limits'
import type { ServiceProviderFeatures } from './render'

/**
 * What `/ServiceProviderConfig` advertises, RFC 7643 §5, read from the settings of the modules that
 * implement each feature, so a flag is true only where the feature works.
 */
export function serviceProviderFeatures(env: Env): ServiceProviderFeatures {
  return {
    documentationUri: env.DOCUMENTATION_URI,
    patch: true,
    bulk: {
      supported: true,
      maxOperations: maxBulkOperations(limitsOf(env)),
      maxPayloadSize: MAX_BULK_PAYLOAD_BYTES,
    },
    filter: { supported: true, maxResults: MAX_PAGE_SIZE },
    // Passwords are accepted and never stored (README): there is nothing to change.
    changePassword: false,
    sort: true,
    etag: true,
    pagination: paginationFeatures(cursorSecretOf(env) !== undefined),
  }
}
