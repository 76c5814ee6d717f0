/**
 * `npm run tenant -- <command>`: the tenant lifecycle (create, rotate, revoke, suspend, resume,
 * list, delete) on top of wrangler's KV and D1 commands, the same code for --local and --remote.
 * stdout carries only results (with --json: exactly one JSON document); progress goes to stderr.
 */
import { REVOCATION_DELAY_SECONDS } from '../src/tenancy/revocation-delay'
import { runMain } from './lib/cli-error'
import { parseTenantArgs, TENANT_USAGE, type TenantArgs } from './lib/tenant-args'
import {
  createTenant,
  deleteTenant,
  formatSummaries,
  type IssuedToken,
  importLegacyTenants,
  listSummaries,
  revokeTokens,
  rotateToken,
  setStatus,
} from './lib/tenant-commands'
import { runSchemaCommand } from './lib/tenant-schema'
import { setupLink } from './lib/tenant-setup-link'
import { flagsText } from './lib/tenant-store'
import { createWrangler, type WranglerClient } from './lib/wrangler'

const log = (line: string) => process.stderr.write(`${line}\n`)
const print = (text: string) => process.stdout.write(`${text}\n`)

const PROPAGATION_WARNING =
  `Note: a new or rotated token may take up to ${REVOCATION_DELAY_SECONDS} s to work in every ` +
  `Cloudflare location, and a revoked token or a suspended tenant may keep working for as long ` +
  '(KV propagation plus the edge cache of tenant records).'

function printToken(args: TenantArgs, w: WranglerClient, issued: IssuedToken) {
  if (args.json) {
    print(JSON.stringify({ tenant: issued.tenant, token: issued.token, tokenId: issued.tokenId }))
    return
  }
  const host = w.target.remote
    ? `https://${issued.tenant}.<BASE_DOMAIN>`
    : `http://${issued.tenant}.localhost:8787`
  print(
    `Token ${issued.tokenId} for ${issued.tenant} (shown only this once; store it in your identity provider now):`,
  )
  print(`  ${issued.token}`)
  print(`SCIM base URL: ${host}/scim/v2${w.target.remote ? '' : ' (with the default port of wrangler dev)'}`)
}

async function main(): Promise<void> {
  const args = parseTenantArgs(process.argv.slice(2))
  if (args === 'help') {
    print(TENANT_USAGE)
    return
  }
  const w = createWrangler(args.target)
  const { tenant } = args
  const mutates = args.command !== 'list' && args.command !== 'import' && args.schema?.action !== 'list'
  log(`${args.command}${tenant ? ` ${tenant}` : ''} (${flagsText(w)})`)

  switch (args.command) {
    case 'create': {
      const issued = await createTenant(
        w,
        { name: tenant, db: args.db, label: args.label, expiresInMs: args.expiresInMs },
        log,
      )
      log(`Created tenant ${tenant}.`)
      printToken(args, w, issued)
      break
    }
    case 'rotate': {
      const result = await rotateToken(
        w,
        { name: tenant, graceMs: args.graceMs, label: args.label, expiresInMs: args.expiresInMs },
        log,
      )
      for (const id of result.removed) log(`Removed token ${id}.`)
      for (const kept of result.kept) log(`Token ${kept.id} keeps working until ${kept.expiresAt}.`)
      printToken(args, w, result)
      break
    }
    case 'revoke': {
      const removed = await revokeTokens(w, tenant, args.tokenId)
      const message =
        removed.length === 0
          ? `Tenant ${tenant} had no tokens.`
          : `Revoked ${removed.join(', ')}.${args.tokenId ? '' : ` ${tenant} has no tokens now; \`rotate ${tenant}\` issues a new one.`}`
      if (args.json) print(JSON.stringify({ tenant, revoked: removed }))
      else print(message)
      break
    }
    case 'setup-link': {
      const link = await setupLink(w, tenant, args.expiresInMs)
      if (args.json) print(JSON.stringify(link))
      else {
        print(
          `Setup link ${link.id} for ${tenant}, until ${link.expiresAt} (opens once; send it only to the tenant's IT admin):`,
        )
        print(`  ${link.url}`)
      }
      break
    }
    case 'suspend':
    case 'resume': {
      const status = args.command === 'suspend' ? 'suspended' : 'active'
      const changed = await setStatus(w, tenant, status)
      if (args.json) print(JSON.stringify({ tenant, status, changed }))
      else print(changed ? `Tenant ${tenant} is now ${status}.` : `Tenant ${tenant} was already ${status}.`)
      break
    }
    case 'list': {
      const summaries = await listSummaries(w)
      print(args.json ? JSON.stringify(summaries) : formatSummaries(summaries))
      break
    }
    case 'import': {
      const imported = await importLegacyTenants(w, log)
      if (args.json) print(JSON.stringify({ imported }))
      else
        print(
          imported.length > 0 ? `Imported ${imported.join(', ')} into D1.` : 'Every tenant is in D1 already.',
        )
      break
    }
    case 'delete': {
      const rows = await deleteTenant(w, tenant, log)
      const total = Object.values(rows).reduce((sum, n) => sum + n, 0)
      if (args.json) print(JSON.stringify({ tenant, deleted: true, rows }))
      else print(`Deleted tenant ${tenant}: its control rows, its KV record and ${total} rows in D1.`)
      break
    }
    case 'schema':
      if (args.schema) await runSchemaCommand(w, tenant, args.schema, { json: args.json, print, log })
      break
  }
  if (mutates && w.target.remote) log(PROPAGATION_WARNING)
}

await runMain(main)
