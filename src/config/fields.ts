/**
 * Field types of the refit.yaml schema and the transforms that make the typed config: durations
 * become milliseconds, refill rates tokens per second, windows `{kind, ...}`, secrets `Secret`s,
 * and every object's snake_case keys camelCase (`section`), so the typed config is the schema's
 * output (`z.output`) and no mapper is written beside it.
 */
import { z } from 'zod';
import { CronExpressionParser } from 'cron-parser';
import { parseDuration } from '../core/duration.js';
import { Secret } from './secret.js';

/** Milliseconds (every duration of the typed config). */
export type Millis = number;

type Camel<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
export type CamelKeys<T> = T extends unknown ? { [K in keyof T as K extends string ? Camel<K> : K]: T[K] } : never;

const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

export function camelKeys<T extends object>(o: T): CamelKeys<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[camel(k)] = v;
  return out as CamelKeys<T>;
}

/** A strict object whose output has camelCase keys. */
export function section<S extends z.ZodRawShape>(shape: S) {
  return z.strictObject(shape).transform((o) => camelKeys(o));
}

export const duration = z
  .string()
  .refine((s) => parseDuration(s) !== null, { message: 'expected a duration such as "90s", "15m", "6h", "2d"' })
  .transform((s): Millis => parseDuration(s)!)
  .describe('A duration: a number and a unit (ms, s, m, h, d, w), e.g. "6h" or "1d 12h".');

/** "TOKENS/DURATION" → tokens per second. */
export const refill = z
  .string()
  .regex(/^\s*\d+(\.\d+)?\s*\/\s*\S+\s*$/, { message: 'expected "TOKENS/DURATION", e.g. "1/12h"' })
  .refine(
    (s) => {
      const period = s.split('/')[1];
      if (period === undefined) return true; // the regex above already reported it
      const ms = parseDuration(period.trim());
      return ms !== null && ms > 0;
    },
    { message: 'the period after "/" must be a positive duration, e.g. "1/12h"' },
  )
  .transform((s) => {
    const [tokens, period] = s.split('/').map((p) => p.trim());
    return Number(tokens) / (parseDuration(period!)! / 1000);
  })
  .describe('Refill speed as "TOKENS/DURATION", e.g. "1/12h" (one token every 12 hours).');

export type Window = { kind: 'count'; count: number } | { kind: 'time'; ms: Millis };

/** A count of latest rows, or a duration. */
export function countOrDuration(minCount: number) {
  const text = z.string().refine((s) => parseDuration(s) !== null, {
    message: 'expected a count or a duration such as "90s", "15m", "6h", "2d"',
  });
  return z
    .union([z.number().int().min(minCount), text])
    .transform((v): Window =>
      typeof v === 'number' ? { kind: 'count', count: v } : { kind: 'time', ms: parseDuration(v)! },
    );
}

export const cronExpression = z.string().refine(
  (s) => {
    try {
      CronExpressionParser.parse(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected a cron expression such as "0 3 * * *" (minute hour day month weekday)' },
);

/** `owner/name` of a Hugging Face or GitHub repository. */
export function repoId(what = 'owner/name') {
  return z.string().regex(/^[\w.-]+\/[\w.-]+$/, { message: `expected "${what}"` });
}

/** Marks a field as a secret: its value is a `Secret` (masked everywhere, collected for redaction). */
export function secret<T extends z.ZodType<string>>(schema: T) {
  return schema.transform((v) => new Secret(v));
}
