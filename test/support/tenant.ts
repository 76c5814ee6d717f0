import { env } from 'cloudflare:workers'
import { checkDeclarations, type DeclarationInput, declarationsHash } from '../../src/schema/tenant-schemas'
import { forgetTenantRecord } from '../../src/tenancy/tenant-cache'
import { type TenantRecord, tenantKey } from '../../src/tenancy/tenant-record'
import { generateToken, generateTokenId, hashToken } from '../../src/tenancy/token'

export interface TestTenant {
  name: string
  host: string
  token: string
  tokenId: string
  baseUrl: string
}

let counter = 0

/** Checked, normalised declarations and their hash, as `npm run tenant -- schema add` stores them. */
export async function declareSchemas(inputs: readonly DeclarationInput[]) {
  const checked = checkDeclarations(inputs)
  if (!checked.ok) throw new Error(checked.problems.join('\n'))
  return { schemas: checked.value, schemasHash: await declarationsHash(checked.value) }
}

/** Writes a tenant record straight to the real local KV, as the tenant command does. */
export async function createTenant(
  options: Partial<Pick<TenantRecord, 'status' | 'db' | 'name'>> & {
    schemas?: readonly DeclarationInput[]
  } = {},
): Promise<TestTenant> {
  counter++
  // A fixed name only where a test's configuration names the tenant (a binding's props).
  const name = options.name ?? `t${counter}-${crypto.randomUUID().slice(0, 8)}`
  const token = generateToken()
  const tokenId = generateTokenId()
  const record: TenantRecord = {
    version: 1,
    name,
    status: options.status ?? 'active',
    db: options.db ?? 'DB',
    createdAt: new Date().toISOString(),
    tokens: [{ id: tokenId, hash: await hashToken(token), createdAt: new Date().toISOString() }],
    ...(options.schemas && (await declareSchemas(options.schemas))),
  }
  await env.TENANTS.put(tenantKey(name), JSON.stringify(record))
  const host = `${name}.scim.example.com`
  return { name, host, token, tokenId, baseUrl: `https://${host}/scim/v2` }
}

/** Replaces a tenant's record (to revoke, expire or suspend in a test). */
export async function updateTenant(name: string, change: (record: TenantRecord) => TenantRecord) {
  const record = (await env.TENANTS.get(tenantKey(name), 'json')) as TenantRecord
  await env.TENANTS.put(tenantKey(name), JSON.stringify(change(record)))
  // The Worker runs in this isolate: what it cached must not hide the change the test makes.
  forgetTenantRecord(name)
}
