/**
 * What production monitoring reads and keeps: the reviewed predictions of one version in a window
 * (its online accuracy), and the last production-drift check per model line (the `drift_score`
 * signal, with the per-column report).
 */
import { sql } from 'kysely';
import type { Window } from '../config/fields.js';
import type { Store } from './store.js';

export interface VersionAccuracy {
  version: number;
  n: number;
  correct: number;
}

/** Reviewed predictions of one version: the latest `count`, or those of the last `ms`. */
export async function versionAccuracy(
  store: Store,
  model: string,
  version: number,
  window: Window,
  nowMs: number,
): Promise<VersionAccuracy> {
  let q = store.db
    .selectFrom('feedback')
    .select('outcome')
    .where('model', '=', model)
    .where('version', '=', String(version))
    .where('outcome', 'is not', null);
  if (window.kind === 'time') q = q.where('ts_ms', '>=', nowMs - window.ms);
  const limit = window.kind === 'count' ? window.count : 10_000_000;
  const windowed = q.orderBy('ts_ms', 'desc').limit(limit);
  const row = await store.db
    .selectFrom(windowed.as('w'))
    .select([(eb) => eb.fn.countAll<number>().as('n'), sql<number>`COALESCE(SUM(w.outcome), 0)`.as('correct')])
    .executeTakeFirstOrThrow();
  return { version, n: Number(row.n), correct: Number(row.correct) };
}

export interface DriftState {
  version: number;
  driftShare: number;
  checkedMs: number;
  details: unknown;
}

export async function driftState(store: Store, model: string): Promise<DriftState | null> {
  const r = await store.db.selectFrom('monitor_state').selectAll().where('model', '=', model).executeTakeFirst();
  if (!r) return null;
  return {
    version: r.version,
    driftShare: Number(r.drift_share),
    checkedMs: Number(r.checked_ms),
    details: JSON.parse(r.details),
  };
}

/** The last production drift share (the `drift_score` signal), or null before any check. */
export async function driftShareOf(store: Store, model: string): Promise<number | null> {
  const r = await store.db
    .selectFrom('monitor_state')
    .select('drift_share')
    .where('model', '=', model)
    .executeTakeFirst();
  return r ? Number(r.drift_share) : null;
}

export async function saveDriftState(store: Store, model: string, s: DriftState): Promise<void> {
  const values = {
    version: s.version,
    drift_share: s.driftShare,
    checked_ms: s.checkedMs,
    details: JSON.stringify(s.details),
  };
  await store.db
    .insertInto('monitor_state')
    .values({ model, ...values })
    .onConflict((oc) => oc.column('model').doUpdateSet(values))
    .execute();
}

/** The latest inputs a version served or was logged with (newest first). */
export async function recentInputs(store: Store, model: string, version: number, limit: number) {
  const rows = await store.db
    .selectFrom('predictions')
    .select('input')
    .where('model', '=', model)
    .where('version', '=', String(version))
    .orderBy('ts_ms', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => JSON.parse(r.input) as Record<string, unknown>);
}

export interface AccuracyBucket {
  /** Start of the bucket (epoch ms). */
  atMs: number;
  correct: number;
  total: number;
}

/**
 * The line's reviewed predictions per time bucket (a multiple of an hour), over every version:
 * what served, how often it was right. Oldest first; `sinceMs` bounds the read.
 */
export async function accuracyTimeline(
  store: Store,
  model: string,
  bucketMs: number,
  sinceMs = 0,
): Promise<AccuracyBucket[]> {
  const rows = await store.db
    .selectFrom('accuracy_hourly')
    .select(['hour_ms', 'correct', 'total'])
    .where('model', '=', model)
    .where('hour_ms', '>=', sinceMs)
    .orderBy('hour_ms')
    .execute();
  const out: AccuracyBucket[] = [];
  for (const r of rows) {
    const atMs = Math.floor(Number(r.hour_ms) / bucketMs) * bucketMs;
    const last = out[out.length - 1];
    if (last && last.atMs === atMs) {
      last.correct += Number(r.correct);
      last.total += Number(r.total);
    } else out.push({ atMs, correct: Number(r.correct), total: Number(r.total) });
  }
  return out;
}
