/**
 * `npm run admin -- key <create|list|revoke>`: operator keys of the management API, through
 * wrangler's D1 commands (so the first key can be made on a fresh deployment, before any API call).
 * stdout carries only results (with --json: exactly one JSON document); progress goes to stderr.
 */
import { createOperatorKey, listOperatorKeys, revokeOperatorKey } from '../src/control/operator-keys'
import { ADMIN_USAGE, parseAdminArgs } from './lib/admin-args'
import { runMain } from './lib/cli-error'
import { flagsText, portsOf, toCliError } from './lib/tenant-store'
import { createWrangler } from './lib/wrangler'

const log = (line: string) => process.stderr.write(`${line}\n`)
const print = (text: string) => process.stdout.write(`${text}\n`)

async function main(): Promise<void> {
  const args = parseAdminArgs(process.argv.slice(2))
  if (args === 'help') {
    print(ADMIN_USAGE)
    return
  }
  const w = createWrangler(args.target)
  const { control } = await portsOf(w)
  log(`key ${args.action}${args.keyId ? ` ${args.keyId}` : ''} (${flagsText(w)})`)
  try {
    if (args.action === 'create') {
      const created = await createOperatorKey(control, args.label)
      if (args.json) print(JSON.stringify(created))
      else {
        print(`Operator key ${created.keyId} (shown only this once; store it in your backend's secrets now):`)
        print(`  ${created.key}`)
        print('Use it as `Authorization: Bearer <key>` on https://<BASE_DOMAIN>/admin/v1/…')
      }
    } else if (args.action === 'list') {
      const keys = await listOperatorKeys(control)
      if (args.json) print(JSON.stringify(keys))
      else if (keys.length === 0) print('No operator keys: `npm run admin -- key create` makes one.')
      else
        for (const k of keys)
          print(
            `${k.keyId}  created ${k.createdAt}  ${k.revokedAt ? `revoked ${k.revokedAt}` : 'live'}${k.label ? `  ${JSON.stringify(k.label)}` : ''}`,
          )
    } else {
      await revokeOperatorKey(control, args.keyId ?? '')
      if (args.json) print(JSON.stringify({ keyId: args.keyId, revoked: true }))
      else print(`Revoked ${args.keyId}; it stops working with the next request.`)
    }
  } catch (error) {
    throw toCliError(error, w)
  }
}

await runMain(main)
