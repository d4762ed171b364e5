// Error classes the CLI's one error boundary maps to exit codes (design.md: 1 failed, 2 bad input).

/** Bad usage or invalid input: exit 2. `where` names the offending field, argument or path. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError'
  constructor(
    readonly where: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${where}: ${problem}`, options)
  }
}

/** The operation was valid input but failed (wrong state, host failure, conflict): exit 1. */
export class OperationError extends Error {
  override readonly name: string = 'OperationError'
}

/** A command met a container in a status that does not allow it (OCI runtime.md "Operations"). */
export class StatusError extends OperationError {
  override readonly name = 'StatusError'
  constructor(
    readonly id: string,
    readonly command: string,
    readonly status: string,
  ) {
    super(
      status === 'absent'
        ? `container "${id}" does not exist`
        : command === 'create'
          ? `container "${id}" already exists (it is ${status})`
          : `cannot ${command} container "${id}": it is ${status}`,
    )
  }
}

export const exitCodeOf = (error: unknown): 1 | 2 => (error instanceof InvalidInputError ? 2 : 1)
