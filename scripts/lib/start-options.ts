import { resolve } from 'node:path'
import { CliError } from './cli-error'
import { parseFlags, positiveInt } from './cli-flags'
import { PROJECT_ROOT } from './wrangler'

export const START_USAGE = `Usage: npm start -- [--config <file>] [--env <name>] [--port <p>] [--ip <addr>]
                    [--persist-to <dir>] [--var NAME:VALUE]… [--test-scheduled] [--inspector-port <p>]
  The flags mean what they mean to \`wrangler dev\`. Defaults: --config wrangler.toml, --port 8787,
  --ip 127.0.0.1, --persist-to .wrangler/state (wrangler's own, so \`npm run tenant\` and
  \`npm run db:migrate\` act on the same storage). --test-scheduled also answers
  /cdn-cgi/handler/scheduled, as wrangler dev does; crons run on their schedule either way.
  --inspector-port opens the Worker's DevTools inspector there (none by default, unlike wrangler dev).`

const MAX_PORT = 65_535

export interface StartOptions {
  /** Absolute path of the wrangler configuration. */
  config: string
  env: string | undefined
  port: number
  ip: string
  /** Absolute; the state itself lives in `<persistTo>/v3`, as wrangler keeps it. */
  persistTo: string
  /** `--var NAME:VALUE`, over wrangler.toml's [vars] and .dev.vars. */
  vars: Record<string, string>
  testScheduled: boolean
  /** The Worker's DevTools inspector (CPU profiles); none when absent. */
  inspectorPort: number | undefined
}

/** `--var NAME:VALUE` as wrangler dev reads it: the name up to the first colon, the rest is the value. */
function parseVar(text: string): [string, string] {
  const colon = text.indexOf(':')
  if (colon <= 0) throw new CliError(`--var takes NAME:VALUE, not ${text}`, START_USAGE)
  return [text.slice(0, colon), text.slice(colon + 1)]
}

export function parseStartOptions(argv: string[]): StartOptions {
  const values = parseFlags(
    argv,
    {
      config: { type: 'string', short: 'c' },
      env: { type: 'string', short: 'e' },
      port: { type: 'string' },
      ip: { type: 'string' },
      'persist-to': { type: 'string' },
      var: { type: 'string', multiple: true },
      'test-scheduled': { type: 'boolean' },
      'inspector-port': { type: 'string' },
    },
    START_USAGE,
  )
  if (values.env === '') throw new CliError('--env needs an environment name', START_USAGE)
  return {
    // Relative paths are the operator's, not the project root's.
    config: resolve(values.config ?? resolve(PROJECT_ROOT, 'wrangler.toml')),
    env: values.env,
    port: positiveInt('port', values.port, 8787, MAX_PORT, START_USAGE),
    ip: values.ip ?? '127.0.0.1',
    persistTo: resolve(values['persist-to'] ?? resolve(PROJECT_ROOT, '.wrangler', 'state')),
    vars: Object.fromEntries((values.var ?? []).map(parseVar)),
    testScheduled: values['test-scheduled'] ?? false,
    inspectorPort:
      values['inspector-port'] === undefined
        ? undefined
        : positiveInt('inspector-port', values['inspector-port'], 9229, MAX_PORT, START_USAGE),
  }
}
