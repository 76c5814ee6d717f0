/** Longest error message kept in a log line. */
const MAX_MESSAGE = 300

/**
 * An unexpected error as log fields that carry no request data: quoted text is cut from the
 * message (V8's JSON.parse, Zod and others quote the input they failed on, which may be an
 * attribute value or a password), and the stack keeps only its frames.
 */
export function describeError(error: unknown): { name: string; message: string; frames?: string[] } {
  if (!(error instanceof Error)) return { name: typeof error, message: '(not an Error)' }
  const first = error.message.search(/["'`]/)
  const last = Math.max(
    error.message.lastIndexOf('"'),
    error.message.lastIndexOf("'"),
    error.message.lastIndexOf('`'),
  )
  const message =
    first < 0 ? error.message : `${error.message.slice(0, first)}…${error.message.slice(last + 1)}`
  const frames = error.stack
    ?.split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .map((line) => line.trim())
  return { name: error.name, message: message.slice(0, MAX_MESSAGE), ...(frames?.length ? { frames } : {}) }
}
