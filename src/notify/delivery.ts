/**
 * What every channel shares: the context of one delivery attempt, and `DeliveryError`, which
 * says whether retrying can help (and when, after a Retry-After) — read by the outbox.
 */
import type { HttpOutcome } from '../integrations/http.js';

export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

export interface DeliveryContext {
  githubApiUrl: string;
  timeoutMs: number;
  nowMs: number;
  /** Earlier attempts exist: the channel checks whether one of them already landed. */
  retry: boolean;
}

/** The body of a successful call, or a DeliveryError: retryable for 429/5xx/network, final otherwise. */
export function check(out: HttpOutcome, what: string): string {
  if (out.kind === 'ok') return out.body;
  if (out.kind === 'retryable') throw new DeliveryError(`${what}: ${out.message}`, true, out.retryAfterMs);
  throw new DeliveryError(`${what}: ${out.message}`, false);
}
