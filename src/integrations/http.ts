/**
 * One HTTP call with a timeout, classified for retry decisions: ok, auth (401/403), not found,
 * retryable (429, 5xx, network, timeout — with Retry-After when given) or other client errors.
 * Messages never carry the token; URLs are shown without credentials.
 */
import type { z } from 'zod';
import { RefitError, UpstreamRejectedError, UpstreamUnavailableError } from '../core/errors.js';
import { answerOf } from './answer.js';
export type HttpOutcome =
  | { kind: 'ok'; status: number; body: string; where?: string }
  | { kind: 'auth'; status: number; message: string }
  | { kind: 'not_found'; status: number; message: string }
  | { kind: 'retryable'; status: number | null; retryAfterMs: number | null; message: string }
  | { kind: 'client'; status: number; message: string };

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  token?: string | null;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export function retryAfterMs(header: string | null, nowMs: number): number | null {
  if (!header) return null;
  const s = Number(header);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

function shown(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

export async function httpCall(req: HttpRequest, nowMs: number = Date.now()): Promise<HttpOutcome> {
  const headers: Record<string, string> = { 'user-agent': 'refit', ...req.headers };
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: req.method,
      headers,
      body: req.body,
      signal: AbortSignal.timeout(req.timeoutMs),
      redirect: 'follow',
    });
  } catch (err) {
    const e = err as Error;
    const code = (e as { cause?: { code?: string } }).cause?.code;
    const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
    const why = timedOut ? `no answer within ${req.timeoutMs} ms` : `${e.message}${code ? ` (${code})` : ''}`;
    return { kind: 'retryable', status: null, retryAfterMs: null, message: `${req.method} ${shown(req.url)}: ${why}` };
  }
  const body = await res.text().catch(() => '');
  const where = `${req.method} ${shown(req.url)} → ${res.status}`;
  if (res.ok) return { kind: 'ok', status: res.status, body, where };
  const detail = body.slice(0, 200).replace(/\s+/g, ' ').trim();
  // The Hugging Face Hub answers 401 for a repository that does not exist or that the token may
  // not see, saying which in X-Error-Code: a name to check, not (only) a token.
  const hubCode = res.headers.get('x-error-code');
  if (hubCode === 'RepoNotFound' || hubCode === 'EntryNotFound' || hubCode === 'RevisionNotFound') {
    const what = hubCode === 'RepoNotFound' ? 'repository' : hubCode === 'RevisionNotFound' ? 'revision' : 'file';
    return {
      kind: 'not_found',
      status: res.status,
      message:
        `${where}: ${hubCode} — no such ${what}, or it is private and the token cannot see it: ` +
        'check the name (owner/name) and that the token has access',
    };
  }
  if (res.status === 401 || res.status === 403)
    return {
      kind: 'auth',
      status: res.status,
      message: `${where}: the token was refused${detail ? ` (${detail})` : ''}`,
    };
  if (res.status === 404) return { kind: 'not_found', status: 404, message: `${where}: not found` };
  if (res.status === 429 || res.status >= 500)
    return {
      kind: 'retryable',
      status: res.status,
      retryAfterMs: retryAfterMs(res.headers.get('retry-after'), nowMs),
      message: `${where}${detail ? `: ${detail}` : ''}`,
    };
  return { kind: 'client', status: res.status, message: `${where}${detail ? `: ${detail}` : ''}` };
}

/**
 * The body of a successful call, or an error saying what failed: UpstreamUnavailableError for what
 * a retry may fix (429, 5xx, network, timeout; with Retry-After), UpstreamRejectedError for the
 * rest (auth, not found, other 4xx — a token, a name or a URL to correct).
 */
export function bodyOf(out: HttpOutcome, what: string): string {
  if (out.kind === 'ok') return out.body;
  throw upstreamError(out, what);
}

export function upstreamError(out: Exclude<HttpOutcome, { kind: 'ok' }>, what: string): RefitError {
  const message = `${what}: ${out.message}`;
  if (out.kind === 'retryable') return new UpstreamUnavailableError(message, out.retryAfterMs);
  return new UpstreamRejectedError(message);
}

/** The JSON body of a successful call in the shape `schema` says, or an error saying what came instead. */
export function jsonOf<T>(out: HttpOutcome, what: string, schema: z.ZodType<T>): T {
  const body = bodyOf(out, what);
  const where = out.kind === 'ok' ? out.where : undefined;
  return answerOf(body, schema, what, where ?? 'the service');
}
