/** A failure the operator can act on: a message, what to do next, and wrangler's output if any. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly output?: { stdout: string; stderr: string },
  ) {
    super(message)
    this.name = 'CliError'
  }
}

/** Runs a script's main: prints errors (with their hint) to stderr and exits 1. */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main()
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`\n✘ ${error.message}\n`)
      if (error.hint) process.stderr.write(`  ${error.hint}\n`)
      if (process.env.DEBUG && error.output)
        process.stderr.write(`${error.output.stderr}\n${error.output.stdout}\n`)
    } else {
      process.stderr.write(
        `\n✘ Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`,
      )
    }
    process.exitCode = 1
  }
}
