// The error types of gradebox: a user's mistake (with a stable code and a fix) versus an internal failure.

/** Bad input from a user (flag, file, policy, upload): says what was wrong and how to fix it. */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    /** Stable machine-readable code, e.g. `E_USAGE`, `E_POLICY_UNKNOWN_SYSCALL`. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Bad command-line usage: the CLI prints the message and exits with status 2. */
export class UsageError extends UserError {
  constructor(message: string) {
    super('E_USAGE', message);
  }
}

/** The sandbox or the service itself failed: never charged to a student. */
export class InternalError extends Error {
  override readonly name = 'InternalError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
