import { env } from 'cloudflare:workers'
import type { Directory } from '../../src/directory/directory'
import { type ParsedDirectoryError, parseDirectoryError } from '../../src/directory/directory-error'

/** The service bindings of the consumer Worker (vitest.config.ts), each with its own props. */
export type DirectoryBinding = 'DIRECTORY_ACME' | 'DIRECTORY_ALL' | 'DIRECTORY_NO_PROPS'

/** Directory's RPC methods as a consumer sees them. */
export type DirectoryApi = Omit<Directory, 'fetch' | 'env' | 'ctx'>

interface Consumer {
  call(binding: DirectoryBinding, method: string, ...args: unknown[]): Promise<unknown>
}

const consumer = (env as unknown as { DIRECTORY_CONSUMER: Consumer }).DIRECTORY_CONSUMER

/**
 * Directory as the consumer Worker's binding `binding` reaches it: every call goes from this test
 * to the consumer Worker over RPC, and from there through its service binding to Directory.
 */
export function directoryThrough(binding: DirectoryBinding): DirectoryApi {
  return new Proxy({} as DirectoryApi, {
    get:
      (_, method) =>
      (...args: unknown[]) =>
        consumer.call(binding, String(method), ...args),
  })
}

/** The Directory error a call failed with, read from the message RPC carried across both hops. */
export async function failureOf(call: Promise<unknown>): Promise<ParsedDirectoryError> {
  try {
    await call
  } catch (error) {
    const parsed = parseDirectoryError(error)
    if (!parsed) throw new Error(`not a Directory error: ${String(error)}`)
    return parsed
  }
  throw new Error('the call succeeded')
}
