/**
 * The kit's one error type for bad input: a malformed config, an unknown key, a missing or
 * corrupt file, an invalid schedule. `message` names the problem, `hint` says how to fix it;
 * the CLI prints both and exits with `exitCode` instead of a stack trace.
 */
export class KitError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message);
    this.name = 'KitError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 2;
    if (options.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }

  /** The message and the hint as the CLI prints them. */
  describe(): string {
    return this.hint ? `${this.message}\n  fix: ${this.hint}` : this.message;
  }
}

export function isKitError(e: unknown): e is KitError {
  return e instanceof KitError;
}
