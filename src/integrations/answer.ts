/**
 * What a service answered, checked before it is used. A 200 whose body is not JSON (a proxy's
 * error page, a truncated body) is UPSTREAM_UNAVAILABLE — a retry may meet the real service; JSON
 * of another shape than the documented one is UPSTREAM_REJECTED — the URL points at something
 * else, or the service breaks its contract. Both say what was being done, where, what was
 * expected and the start of what came, instead of a parser error or a TypeError on a missing field.
 */
import type { z } from 'zod';
import { UpstreamRejectedError, UpstreamUnavailableError } from '../core/errors.js';

/** The first 120 characters of a body, on one line. */
export function snippet(body: unknown): string {
  const text = typeof body === 'string' ? body : body instanceof ArrayBuffer ? '(binary)' : JSON.stringify(body);
  const line = (text ?? String(body)).replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 120)}…` : line || '(empty)';
}

/** `body` parsed as JSON, or an UpstreamUnavailableError naming `doing` and `where`. */
export function parseAnswer(body: string, doing: string, where: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new UpstreamUnavailableError(
      `${doing}: ${where} answered with a body that is not JSON ("${snippet(body)}"): is a proxy or an error ` +
        'page in the way, or does the URL point at another service?',
    );
  }
}

/** `value` as `schema` says, or an UpstreamRejectedError naming what was expected. */
export function expectAnswer<T>(value: unknown, schema: z.ZodType<T>, doing: string, where: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const at = issue.path.length ? `"${issue.path.join('.')}"` : 'the body';
  const what = issue.message.replace(/, received undefined$/, ', found none');
  const expected = schema.description ? `; expected ${schema.description}` : '';
  throw new UpstreamRejectedError(
    `${doing}: ${where} answered JSON of another shape (${at}: ${what}${expected}), got "${snippet(value)}": ` +
      'check the URL and that the service is the one refit expects',
  );
}

/** A JSON body of the expected shape: `parseAnswer`, then `expectAnswer`. */
export function answerOf<T>(body: string, schema: z.ZodType<T>, doing: string, where: string): T {
  return expectAnswer(parseAnswer(body, doing, where), schema, doing, where);
}
