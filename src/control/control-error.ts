/** Why a control-plane operation was refused; the API maps it to a status, the CLI to its message. */
export type ControlErrorKind = 'invalid' | 'not_found' | 'conflict' | 'limit'

/** A refusal with what to do next: the same words reach the API caller and the CLI operator. */
export class ControlError extends Error {
  constructor(
    readonly kind: ControlErrorKind,
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super(message)
    this.name = 'ControlError'
  }
}
