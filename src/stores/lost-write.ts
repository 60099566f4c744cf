/**
 * A row refit wrote, and the database acknowledged, that is gone when read back. PostgreSQL with
 * `synchronous_commit = off` may lose the last commits in a crash (an immediate shutdown, a lost
 * host); so does a restore from an older backup. It is a retryable STORE error that says so —
 * the step runs again and writes a new row — not a crash on a null.
 */
import { RefitError } from '../core/errors.js';

export function lostWrite(what: string): RefitError {
  return new RefitError(
    'STORE',
    `${what} is missing from the store although its write was acknowledged: the database lost committed ` +
      'writes (a crash with synchronous_commit = off, or a restore from an older backup); the step is run again. ' +
      "Set synchronous_commit = on for refit's database to keep every acknowledged write",
  );
}

/** `row`, or the lost-write error for `what` when it is gone. */
export function found<T>(row: T | null | undefined, what: string): T {
  if (row === null || row === undefined) throw lostWrite(what);
  return row;
}
