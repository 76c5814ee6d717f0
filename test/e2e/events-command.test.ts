/**
 * `npm run events` for real against local storage: migrations and a tenant made by the project's
 * own commands in a temporary `--persist-to` directory, outbox rows as the Worker writes them, then
 * the command's output, filters, errors and `--follow`.
 */
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWrangler, type WranglerClient } from '../../scripts/lib/wrangler'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs')

let persistDir = ''
let w: WranglerClient

function run(file: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [TSX, file, ...args, '--persist-to', persistDir],
      { cwd: ROOT },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    )
  })
}

/** Inserts an outbox row as the Worker's write batches do. */
function insertEvent(id: string, operation: string, occurredAt: string, delivered: boolean, extra = '') {
  const [attributes, memberIds] =
    operation === 'membersAdded' ? ['\'["members"]\'', '\'["u1","u2"]\''] : ['\'["userName"]\'', 'NULL']
  return w.d1Execute(
    `INSERT INTO scim_events (id, tenant_id, resource_type, resource_id, operation, attributes, member_ids, version, occurred_at, token_id, delivered_at)
     VALUES ('${id}', 'acme', '${operation === 'membersAdded' ? 'Group' : 'User'}', 'r-${id}', '${operation}', ${attributes}, ${memberIds}, 1,
       '${occurredAt}', 'tok_e2e', ${delivered ? `'${occurredAt}'` : 'NULL'})${extra}`,
    'DB',
  )
}

beforeAll(async () => {
  persistDir = await mkdtemp(join(tmpdir(), 'edge-scim-events-'))
  w = createWrangler({ remote: false, persistTo: persistDir })
  expect((await run('scripts/db-migrate.ts', '--local')).code).toBe(0)
  expect((await run('scripts/tenant.ts', 'create', 'acme', '--json')).code).toBe(0)
  await insertEvent('e1', 'created', '2026-01-01T10:00:00.000Z', true)
  await insertEvent('e2', 'membersAdded', '2026-01-02T10:00:00.000Z', false)
})

afterAll(async () => {
  await rm(persistDir, { recursive: true, force: true })
})

describe('npm run events', () => {
  it('prints the last events oldest first, with a summary and progress on stderr', async () => {
    const { code, stdout, stderr } = await run('scripts/events.ts', 'acme')
    expect(code).toBe(0)
    expect(stdout.trim().split('\n')).toEqual([
      '2026-01-01T10:00:00.000Z  created         User  r-e1  v1  delivered  by tok_e2e  userName',
      '2026-01-02T10:00:00.000Z  membersAdded    Group r-e2  v1  pending    by tok_e2e  +2 members',
    ])
    expect(stderr).toContain('Reading the last 20 events of acme from DB (--local --persist-to')
    expect(stderr).toContain('2 events (1 not delivered yet).')
  })

  it('prints JSON Lines with --json and filters with --since', async () => {
    const { code, stdout } = await run('scripts/events.ts', 'acme', '--json', '--since', '2026-01-02')
    expect(code).toBe(0)
    expect(
      stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      expect.objectContaining({
        id: 'e2',
        operation: 'membersAdded',
        memberIds: ['u1', 'u2'],
        deliveredAt: null,
      }),
    ])
    const none = await run('scripts/events.ts', 'acme', '--since', '2099-01-01')
    expect(none.stdout).toBe('')
    expect(none.stderr).toContain('No events of acme since 2099-01-01T00:00:00.000Z.')
  })

  it('tells the operator what to do when the tenant does not exist', async () => {
    const { code, stdout, stderr } = await run('scripts/events.ts', 'nobody')
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toContain('Tenant nobody does not exist in local storage.')
    expect(stderr).toContain('See the tenants with: npm run tenant -- list --local --persist-to')
  })

  // Loading wrangler's library (to read wrangler.toml) used to add a SIGINT listener that exited
  // before this summary was printed.
  it('follows new events until interrupted', async () => {
    const child = spawn(
      process.execPath,
      [TSX, 'scripts/events.ts', 'acme', '--follow', '--persist-to', persistDir],
      {
        cwd: ROOT,
      },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    const until = async (done: () => boolean) => {
      while (!done()) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await until(() => stderr.includes('Following new events'))
    await insertEvent('e3', 'patched', '2026-01-03T10:00:00.000Z', false)
    await until(() => stdout.includes('r-e3'))
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    child.kill('SIGINT')
    expect(await exited).toBe(0)
    expect(stdout.trim().split('\n')).toHaveLength(3)
    expect(stderr).toContain('Stopped: 3 events (2 not delivered yet).')
  })
})
