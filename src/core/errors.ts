/**
 * Errors by meaning. Every refit error has a `code` that says what happened; the one table below
 * says, per code, whether running the same thing again can help (`retryable`), the CLI's exit
 * code and the HTTP status. Retry decisions, run outcomes, exit codes and statuses read the code
 * (or the class), never the message. Messages say what happened, where, and how to fix it.
 */

export type ErrorCode =
  /** The configuration file or environment is wrong (exit 2). */
  | 'CONFIG'
  /** A command was called wrongly: unknown model line, missing argument (exit 2). */
  | 'USAGE'
  /** A value read from outside (an event row, a file, a request body) is malformed. */
  | 'INPUT'
  | 'NOT_FOUND'
  /** The request clashes with the current state (a run in flight, an alias already moved). */
  | 'CONFLICT'
  /** The store could not be opened or reached. */
  | 'STORE'
  /** A service refit calls did not answer usefully now: network, timeout, 429, 5xx. */
  | 'UPSTREAM_UNAVAILABLE'
  /** A service refit calls refused the request: a token, a name or a URL to correct (4xx). */
  | 'UPSTREAM_REJECTED'
  /** A trainer (worker, command or remote job) failed; a crashed trainer may pass on a retry. */
  | 'TRAINING_FAILED'
  /** A dataset version failed validation: the run stops with the report. */
  | 'DATASET_INVALID'
  /** The gate did not bless the candidate. */
  | 'CANDIDATE_REJECTED'
  /** A deployment failed its verification and was rolled back. */
  | 'ROLLED_BACK'
  /** The run was cancelled (by `refit cancel`, the dashboard or shutdown). */
  | 'CANCELLED'
  /** A disk refit writes to is full (ENOSPC) or over its quota (EDQUOT); freeing space lets a retry pass. */
  | 'DISK_FULL'
  /** The process was asked to stop (Ctrl-C, SIGTERM); its runs were released to resume (exit 130). */
  | 'INTERRUPTED'
  /** Not a failure: a step must wait (external preparation, a remote job, a health check). */
  | 'WAITING'
  /** A step's stored result has a shape this version of refit does not read. */
  | 'STORED_RESULT'
  /** Anything else: a bug or an environment problem refit did not anticipate. */
  | 'INTERNAL';

export interface ErrorPolicy {
  retryable: boolean;
  exitCode: number;
  httpStatus: number;
}

/** The one table: what each code means for retries, the CLI and HTTP. */
export const ERROR_POLICY: Record<ErrorCode, ErrorPolicy> = {
  CONFIG: { retryable: false, exitCode: 2, httpStatus: 500 },
  USAGE: { retryable: false, exitCode: 2, httpStatus: 400 },
  INPUT: { retryable: false, exitCode: 1, httpStatus: 400 },
  NOT_FOUND: { retryable: false, exitCode: 1, httpStatus: 404 },
  CONFLICT: { retryable: false, exitCode: 1, httpStatus: 409 },
  STORE: { retryable: true, exitCode: 1, httpStatus: 503 },
  UPSTREAM_UNAVAILABLE: { retryable: true, exitCode: 1, httpStatus: 502 },
  UPSTREAM_REJECTED: { retryable: false, exitCode: 1, httpStatus: 502 },
  TRAINING_FAILED: { retryable: true, exitCode: 1, httpStatus: 500 },
  DATASET_INVALID: { retryable: false, exitCode: 1, httpStatus: 422 },
  CANDIDATE_REJECTED: { retryable: false, exitCode: 1, httpStatus: 422 },
  ROLLED_BACK: { retryable: false, exitCode: 1, httpStatus: 500 },
  CANCELLED: { retryable: false, exitCode: 1, httpStatus: 409 },
  DISK_FULL: { retryable: true, exitCode: 1, httpStatus: 507 },
  INTERRUPTED: { retryable: false, exitCode: 130, httpStatus: 503 },
  WAITING: { retryable: false, exitCode: 0, httpStatus: 202 },
  STORED_RESULT: { retryable: false, exitCode: 1, httpStatus: 500 },
  INTERNAL: { retryable: true, exitCode: 1, httpStatus: 500 },
};

export class RefitError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }

  /** Can running the same step again help? Stated once, by the code. */
  get retryable(): boolean {
    return ERROR_POLICY[this.code].retryable;
  }
}

/** The configuration file or environment is wrong; each issue names file, line and path. */
export class ConfigError extends RefitError {
  readonly issues: string[];
  constructor(issues: string[], source: string) {
    super('CONFIG', `invalid configuration in ${source}:\n  - ${issues.join('\n  - ')}`);
    this.issues = issues;
  }
}

export class UsageError extends RefitError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

export class InputError extends RefitError {
  constructor(message: string) {
    super('INPUT', message);
  }
}

export class NotFoundError extends RefitError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

export class ConflictError extends RefitError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

/** A service refit calls is unavailable now (network, timeout, 429, 5xx); `retryAfterMs` when it said. */
export class UpstreamUnavailableError extends RefitError {
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super('UPSTREAM_UNAVAILABLE', message);
  }
}

/** A service refit calls refused the request (a token, a name, a URL to correct). */
export class UpstreamRejectedError extends RefitError {
  constructor(message: string) {
    super('UPSTREAM_REJECTED', message);
  }
}

export class DatasetInvalidError extends RefitError {
  constructor(message: string) {
    super('DATASET_INVALID', message);
  }
}

export class CandidateRejectedError extends RefitError {
  constructor(message: string) {
    super('CANDIDATE_REJECTED', message);
  }
}

export class RolledBackError extends RefitError {
  constructor(message: string) {
    super('ROLLED_BACK', message);
  }
}

export class CancelledError extends RefitError {
  constructor(message: string) {
    super('CANCELLED', message);
  }
}

/** Thrown by a step that must wait: the run parks until `nextCheckMs` and is advanced again then. */
export class WaitError extends RefitError {
  constructor(
    readonly nextCheckMs: number,
    message: string,
  ) {
    super('WAITING', message);
  }
}

/**
 * Thrown by the approval step while no one has approved or rejected the run: it parks as
 * `awaiting_approval`, advanced again only after `refit approve|reject` or the HTTP route.
 */
export class AwaitingApprovalError extends RefitError {
  constructor(message: string) {
    super('WAITING', message);
  }
}

/** This process was asked to stop: what it left, and what happens next, is in the message. */
export class InterruptedError extends RefitError {
  constructor(message: string) {
    super('INTERRUPTED', message);
  }
}

/** The code of any thrown value: a RefitError's own, else INTERNAL. */
export function codeOf(err: unknown): ErrorCode {
  return err instanceof RefitError ? err.code : 'INTERNAL';
}

/** The code's policy, unless the error itself knows better (a failure the other side already retried). */
export function isRetryable(err: unknown): boolean {
  return err instanceof RefitError ? err.retryable : ERROR_POLICY.INTERNAL.retryable;
}

/** Exit codes of the CLI (PRODUCT.md): 0 success, 1 a run or gate failed / rows rejected, 2 bad usage or config. */
export function exitCodeFor(err: unknown): number {
  return ERROR_POLICY[codeOf(err)].exitCode;
}

export function httpStatusFor(err: unknown): number {
  return ERROR_POLICY[codeOf(err)].httpStatus;
}
