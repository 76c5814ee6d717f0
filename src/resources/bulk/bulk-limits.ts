/** RFC 7644 §3.7.4 — the most operations one BulkRequest may carry (ServiceProviderConfig `bulk.maxOperations`). */
export const MAX_BULK_OPERATIONS = 1000

/** RFC 7644 §3.7.4 — the largest BulkRequest body in bytes (ServiceProviderConfig `bulk.maxPayloadSize`). */
export const MAX_BULK_PAYLOAD_BYTES = 1024 * 1024
