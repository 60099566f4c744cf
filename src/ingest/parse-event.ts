/**
 * Turns one raw record (a parsed NDJSON line or CSV row) into a typed event, or says exactly which
 * field is wrong and how. CSV rows carry strings; numbers are parsed, and `input.FIELD` columns (or
 * an `input` column holding JSON) become the input object.
 */
import type { RefitEvent } from '../core/glossary.js';

export interface EventRules {
  /** Known model lines and their label sets (null: any label). */
  models: Map<string, string[] | null>;
  /** Time used when an event has no `ts`. */
  nowMs: number;
}

export type ParseOutcome = { ok: true; event: RefitEvent } | { ok: false; field: string; reason: string };

const fail = (field: string, reason: string): ParseOutcome => ({ ok: false, field, reason });

export function parseEvent(raw: Record<string, unknown>, rules: EventRules): ParseOutcome {
  const type = raw.type;
  if (type !== 'prediction' && type !== 'feedback' && type !== 'example') {
    return fail('type', `expected "prediction", "feedback" or "example", got ${show(type)}`);
  }
  const model = raw.model;
  if (typeof model !== 'string' || model === '')
    return fail('model', `required: the model line name, got ${show(model)}`);
  if (!rules.models.has(model))
    return fail(
      'model',
      `unknown model line ${show(model)}: add it under "models:" in refit.yaml or fix the event (known: ${[...rules.models.keys()].join(', ')})`,
    );
  const labels = rules.models.get(model)!;
  const ts = parseTs(raw.ts, rules.nowMs);
  if (ts === null)
    return fail(
      'ts',
      `expected an ISO-8601 time such as "2026-11-22T03:12:00Z" or epoch milliseconds between ` +
        `${TS_RANGE_TEXT}, got ${show(raw.ts)}`,
    );
  const tooDeep = depthBeyond(raw, MAX_DEPTH);
  if (tooDeep) return fail(tooDeep, `nested deeper than ${MAX_DEPTH} levels: flatten the input`);

  if (type === 'feedback') {
    const predictionId = text(raw.prediction_id);
    if (!predictionId)
      return fail(
        'prediction_id',
        `required: the id of the prediction this feedback is about, got ${show(raw.prediction_id)}`,
      );
    const label = text(raw.label);
    if (label === null) return fail('label', `required: the true label, got ${show(raw.label)}`);
    if (labels && !labels.includes(label))
      return fail('label', `unknown label ${show(label)} for model line "${model}" (known: ${labels.join(', ')})`);
    const rc = optionalUnit(raw.reviewer_confidence);
    if (rc === undefined)
      return fail('reviewer_confidence', `expected a number between 0 and 1, got ${show(raw.reviewer_confidence)}`);
    return { ok: true, event: { type, model, predictionId, label, reviewerConfidence: rc, tsMs: ts } };
  }

  const id = text(raw.id);
  if (!id) return fail('id', `required: a unique id (it makes ingestion idempotent), got ${show(raw.id)}`);
  const input = parseInput(raw);
  if (input === null)
    return fail(
      'input',
      'required: an object such as {"text": "..."} (CSV: an "input" column with JSON, or "input.FIELD" columns)',
    );

  if (type === 'example') {
    const label = text(raw.label);
    if (label === null) return fail('label', `required: the label of this example, got ${show(raw.label)}`);
    if (labels && !labels.includes(label))
      return fail('label', `unknown label ${show(label)} for model line "${model}" (known: ${labels.join(', ')})`);
    return { ok: true, event: { type, id, model, input, label, tsMs: ts } };
  }
  const prediction = text(raw.prediction);
  if (prediction === null) return fail('prediction', `required: the predicted label, got ${show(raw.prediction)}`);
  // As for feedback and examples: a label the line does not have is a mistake in the event.
  if (labels && !labels.includes(prediction))
    return fail(
      'prediction',
      `unknown label ${show(prediction)} for model line "${model}" (known: ${labels.join(', ')})`,
    );
  const confidence = optionalUnit(raw.confidence);
  if (confidence === undefined)
    return fail('confidence', `expected a number between 0 and 1, got ${show(raw.confidence)}`);
  const version = raw.version === undefined || raw.version === null || raw.version === '' ? null : text(raw.version);
  return { ok: true, event: { type, id, model, version, input, prediction, confidence, tsMs: ts } };
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '...' : s;
}

function text(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  return null;
}

/** undefined: invalid; null: absent. */
function optionalUnit(v: unknown): number | null | undefined {
  if (v === undefined || v === null || v === '') return null;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 1) return undefined;
  return n;
}

/** Times refit accepts: 2000-01-01 up to 2100-01-01 (UTC), so every later date computation holds. */
const TS_MIN = Date.UTC(2000, 0, 1);
const TS_MAX = Date.UTC(2100, 0, 1);
const TS_RANGE_TEXT = `${TS_MIN} (2000-01-01) and ${TS_MAX} (2100-01-01)`;

function parseTs(v: unknown, nowMs: number): number | null {
  if (v === undefined || v === null || v === '') return nowMs;
  const inRange = (ms: number) => (Number.isInteger(ms) && ms >= TS_MIN && ms < TS_MAX ? ms : null);
  if (typeof v === 'number') return inRange(v);
  if (typeof v !== 'string') return null;
  if (/^\d{1,16}$/.test(v)) return inRange(Number(v));
  const date = /^(\d{4})-(\d{2})-(\d{2})/.exec(v);
  if (!date) return null;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) return null;
  // Date.parse rolls impossible days over (2026-02-31 is March 3rd): the calendar date must exist.
  const [, y, m, d] = date.map(Number) as [number, number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return null;
  return inRange(ms);
}

/** Deepest nesting an event may have; deeper input is refused before anything recurses over it. */
export const MAX_DEPTH = 32;

/** The path of the first value nested deeper than `max`, or null (iterative: no stack to overflow). */
function depthBeyond(root: unknown, max: number): string | null {
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: root, depth: 0, path: '' }];
  while (stack.length) {
    const { v, depth, path } = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    if (depth >= max) return path || 'event';
    for (const [k, child] of Object.entries(v)) {
      stack.push({ v: child, depth: depth + 1, path: path ? `${path}.${k}` : k });
    }
  }
  return null;
}

function parseInput(raw: Record<string, unknown>): Record<string, unknown> | null {
  const v = raw.input;
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  if (typeof v === 'string' && v.trim().startsWith('{')) {
    try {
      const o = JSON.parse(v);
      return o && typeof o === 'object' && !Array.isArray(o) ? o : null;
    } catch {
      return null;
    }
  }
  let out: Record<string, unknown> | null = null;
  for (const [k, val] of Object.entries(raw)) {
    if (k.startsWith('input.') && k.length > 6) (out ??= {})[k.slice(6)] = cellValue(val);
  }
  return out;
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** A flat column's cell (CSV cells are text): a number where it reads as one, else as it is. */
function cellValue(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  return NUMBER.test(t) && Number.isFinite(Number(t)) ? Number(t) : v;
}
