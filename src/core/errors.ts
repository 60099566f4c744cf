/**
 * Error classes. Every refit error has a stable `code` the entry points map to an exit code or an
 * HTTP status; retry logic reads the class or code, never the message. Messages say what happened,
 * where, and how to fix it.
 */

export type ErrorCode =
  'CONFIG_INVALID' | 'USAGE' | 'INPUT_INVALID' | 'STORE' | 'EXTERNAL_SIGNAL' | 'NOT_FOUND' | 'CONFLICT';

export class RefitError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** The configuration file or environment is wrong; the message names the path (`models.spam.budget.capacity`). */
export class ConfigError extends RefitError {
  readonly issues: string[];
  constructor(issues: string[], source: string) {
    super('CONFIG_INVALID', `invalid configuration in ${source}:\n  - ${issues.join('\n  - ')}`);
    this.issues = issues;
  }
}

/** A command was called wrongly (unknown model line, missing argument). */
export class UsageError extends RefitError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** A value read from outside (event row, file) is malformed. */
export class InputError extends RefitError {
  constructor(message: string) {
    super('INPUT_INVALID', message);
  }
}

/** A user-supplied signal source (external SQL count) failed. */
export class ExternalSignalError extends RefitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EXTERNAL_SIGNAL', message, options);
  }
}

export class NotFoundError extends RefitError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

/** Exit codes of the CLI (PRODUCT.md): 0 success, 1 a run or gate failed / rows rejected, 2 bad usage or config. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof RefitError && (err.code === 'CONFIG_INVALID' || err.code === 'USAGE')) return 2;
  return 1;
}
