/**
 * Writing events: one batch per transaction, idempotent by id (`ON CONFLICT DO NOTHING`), and the
 * incremental evidence counters. A feedback row is matched with its prediction when both are
 * present — in the batch that completes the pair, or by a later sweep when two instances ingested
 * the halves concurrently. Matching flips `outcome` from NULL exactly once (`WHERE outcome IS NULL`
 * under the row lock), so counters are never incremented twice.
 */
import { sql, type Insertable } from 'kysely';
import type { ExampleEvent, FeedbackEvent, PredictionEvent, RefitEvent } from '../core/glossary.js';
import type { FeedbackTable } from './schema.js';
import { labelConflicts, type LabelConflict } from './label-conflicts.js';
import { inTransaction, type Store } from './store.js';

export interface BatchResult {
  /** Rows written, per type. */
  inserted: { prediction: number; feedback: number; example: number };
  /** Rows whose id was already stored (or repeated in the batch). */
  duplicates: number;
  /** Predictions newly matched with their feedback. */
  matched: number;
  /** Duplicates whose label differs from the stored one (the stored one is kept). */
  conflicts: LabelConflict[];
}

const HOUR = 3_600_000;
const MAX_ROWS = 3000;
const NO_CONFIDENCE_BUCKET = 100;

export function confidenceBucket(c: number | null): number {
  if (c === null) return NO_CONFIDENCE_BUCKET;
  return Math.max(0, Math.min(100, Math.floor(c * 100 + 1e-9)));
}

export async function writeEventBatch(store: Store, events: RefitEvent[], nowMs: number): Promise<BatchResult> {
  const preds: PredictionEvent[] = [];
  const fbs: FeedbackEvent[] = [];
  const exs: ExampleEvent[] = [];
  for (const e of events) (e.type === 'prediction' ? preds : e.type === 'feedback' ? fbs : exs).push(e as never);

  return inTransaction(store, async (tx) => {
    const prediction = await insertPredictions(tx, preds, nowMs);
    // A re-sent prediction may differ from the stored one: then the store is asked.
    const fromBatch = prediction === preds.length ? preds : [];
    const fb = fbs.length ? await insertMatchedFeedback(tx, fbs, fromBatch, nowMs) : { inserted: 0, matched: [] };
    const example = await insertExamples(tx, exs, nowMs);
    let matched = fb.matched.length;
    // New predictions may complete feedback that arrived earlier.
    const done = new Set(fb.matched);
    const waiting = preds.filter((p) => !done.has(key(p.model, p.id)));
    if (waiting.length && (await hasUnmatchedFeedback(tx, [...new Set(waiting.map((p) => p.model))]))) {
      matched += await matchFeedback(tx, nowMs, waiting);
    }
    const inserted = { prediction, feedback: fb.inserted, example };
    const total = prediction + fb.inserted + example;
    const repeated = fb.inserted < fbs.length || example < exs.length;
    const conflicts = repeated ? await labelConflicts(tx, fbs, exs) : [];
    return { inserted, duplicates: events.length - total, matched, conflicts };
  });
}

/**
 * Predictions are written without RETURNING (it costs SQLite ~70% more per row): the count of
 * written rows tells whether every prediction of the batch was new.
 */
async function insertPredictions(tx: Store, preds: PredictionEvent[], nowMs: number): Promise<number> {
  let n = 0;
  for (const part of chunk(preds, MAX_ROWS)) {
    const r = await tx.db
      .insertInto('predictions')
      .values(part.map((p) => predictionRow(p, nowMs)))
      .onConflict((oc) => oc.columns(['model', 'id']).doNothing())
      .executeTakeFirst();
    n += Number(r.numInsertedOrUpdatedRows ?? 0);
  }
  return n;
}

function predictionRow(p: PredictionEvent, nowMs: number) {
  return {
    model: p.model,
    id: p.id,
    version: p.version,
    input: JSON.stringify(p.input),
    prediction: p.prediction,
    confidence: p.confidence,
    ts_ms: p.tsMs,
    ingested_ms: nowMs,
  };
}

/**
 * Feedback, matched at insert time when its prediction is known — from this batch (`batch`),
 * else from the store. Returns how many rows were new and the keys of those matched.
 */
async function insertMatchedFeedback(tx: Store, fbs: FeedbackEvent[], batch: PredictionEvent[], nowMs: number) {
  const known = new Map<string, { prediction: string; version: string | null }>();
  for (const p of batch) known.set(key(p.model, p.id), { prediction: p.prediction, version: p.version });
  const missing = fbs.filter((f) => !known.has(key(f.model, f.predictionId)));
  for (const part of chunk(missing, 400)) {
    const found = await tx.db
      .selectFrom('predictions')
      .select(['model', 'id', 'prediction', 'version'])
      .where((eb) =>
        eb(
          eb.refTuple('model', 'id'),
          'in',
          part.map((f) => eb.tuple(f.model, f.predictionId)),
        ),
      )
      .execute();
    for (const r of found) known.set(key(r.model, r.id), { prediction: r.prediction, version: r.version });
  }
  let inserted = 0;
  const matched: string[] = [];
  for (const part of chunk(fbs, MAX_ROWS)) {
    const values = part.map((f) => {
      const p = known.get(key(f.model, f.predictionId));
      return {
        model: f.model,
        prediction_id: f.predictionId,
        label: f.label,
        reviewer_confidence: f.reviewerConfidence,
        ts_ms: f.tsMs,
        ingested_ms: nowMs,
        outcome: p ? (p.prediction === f.label ? 1 : 0) : null,
        version: p ? (p.version ?? '') : null,
        matched_ms: p ? nowMs : null,
      };
    });
    const rows = await insertFeedback(tx, values);
    inserted += rows.length;
    const done = rows.filter((r) => r.outcome !== null);
    for (const r of done) matched.push(key(r.model, r.prediction_id));
    await countOutcomes(tx, done);
  }
  return { inserted, matched };
}

async function insertExamples(tx: Store, exs: ExampleEvent[], nowMs: number): Promise<number> {
  let n = 0;
  for (const part of chunk(exs, MAX_ROWS)) {
    const rows = await tx.db
      .insertInto('examples')
      .values(
        part.map((x) => ({
          model: x.model,
          id: x.id,
          input: JSON.stringify(x.input),
          label: x.label,
          ts_ms: x.tsMs,
          ingested_ms: nowMs,
        })),
      )
      .onConflict((oc) => oc.columns(['model', 'id']).doNothing())
      .returning(['model', 'id'])
      .execute();
    n += rows.length;
    const perModel = new Map<string, number>();
    for (const r of rows) perModel.set(r.model, (perModel.get(r.model) ?? 0) + 1);
    const counts = [...perModel].map(([model, examples]) => ({
      model,
      bucket: NO_CONFIDENCE_BUCKET,
      misclassified: 0,
      correct: 0,
      examples,
    }));
    await bumpCounters(tx, counts);
  }
  return n;
}

/**
 * Predictions refit served itself: their ids were just made, so no feedback can be waiting for
 * them — one multi-row insert, without the matching that ingestion does.
 */
export async function insertServedPredictions(store: Store, preds: PredictionEvent[], nowMs: number): Promise<void> {
  for (const part of chunk(preds, MAX_ROWS)) {
    await store.db
      .insertInto('predictions')
      .values(part.map((p) => predictionRow(p, nowMs)))
      .onConflict((oc) => oc.columns(['model', 'id']).doNothing())
      .execute();
  }
}

type FeedbackRow = Insertable<FeedbackTable> & {
  outcome: number | null;
  version: string | null;
  reviewer_confidence: number | null;
  ts_ms: number;
};

/**
 * Inserts feedback and returns the rows actually written. Without RETURNING when every row is
 * new (the common case; RETURNING costs SQLite ~70% more per row); when some already existed, the
 * attempt is rolled back to a savepoint and repeated with RETURNING to learn which.
 */
async function insertFeedback(tx: Store, values: FeedbackRow[]): Promise<FeedbackRow[]> {
  const insert = () =>
    tx.db
      .insertInto('feedback')
      .values(values)
      .onConflict((oc) => oc.columns(['model', 'prediction_id']).doNothing());
  await sql`SAVEPOINT refit_feedback`.execute(tx.db);
  const r = await insert().executeTakeFirst();
  if (Number(r.numInsertedOrUpdatedRows ?? 0) === values.length) {
    await sql`RELEASE SAVEPOINT refit_feedback`.execute(tx.db);
    return values;
  }
  await sql`ROLLBACK TO SAVEPOINT refit_feedback`.execute(tx.db);
  await sql`RELEASE SAVEPOINT refit_feedback`.execute(tx.db);
  return (await insert()
    .returning(['model', 'prediction_id', 'label', 'outcome', 'version', 'reviewer_confidence', 'ts_ms', 'ingested_ms'])
    .execute()) as FeedbackRow[];
}

async function hasUnmatchedFeedback(tx: Store, models: string[]): Promise<boolean> {
  const row = await tx.db
    .selectFrom('feedback')
    .select('model')
    .where('outcome', 'is', null)
    .where('model', 'in', models)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

const key = (model: string, id: string) => `${model}\u0000${id}`;

/**
 * Matches unmatched feedback with stored predictions and updates counters. With `keys`, only those
 * (model, prediction id) pairs; without, every unmatched feedback row of `model` (the sweep).
 */
export async function matchFeedback(
  tx: Store,
  nowMs: number,
  keys: { model: string; id: string }[] | null,
  model?: string,
): Promise<number> {
  let matched = 0;
  const chunks = keys ? chunk(keys, 400) : [null];
  for (const part of chunks) {
    const rows = await tx.db
      .updateTable('feedback')
      .set((eb) => ({
        outcome: sql<number>`CASE WHEN feedback.label = (SELECT p.prediction FROM predictions p WHERE p.model = feedback.model AND p.id = feedback.prediction_id) THEN 1 ELSE 0 END`,
        version: sql<string>`(SELECT COALESCE(p.version, '') FROM predictions p WHERE p.model = feedback.model AND p.id = feedback.prediction_id)`,
        matched_ms: eb.val(nowMs),
      }))
      .where('outcome', 'is', null)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('predictions as p')
            .select(sql`1`.as('one'))
            .whereRef('p.model', '=', 'feedback.model')
            .whereRef('p.id', '=', 'feedback.prediction_id'),
        ),
      )
      .$if(part !== null, (q) =>
        q.where((eb) =>
          eb(
            eb.refTuple('model', 'prediction_id'),
            'in',
            part!.map((k) => eb.tuple(k.model, k.id)),
          ),
        ),
      )
      .$if(part === null && model !== undefined, (q) => q.where('model', '=', model!))
      .returning(['model', 'outcome', 'version', 'reviewer_confidence', 'ts_ms'])
      .execute();
    matched += rows.length;
    if (rows.length === 0) continue;
    await countOutcomes(tx, rows);
  }
  return matched;
}

/** Adds matched feedback rows to the evidence counters and the hourly accuracy rollup. */
async function countOutcomes(
  tx: Store,
  rows: {
    model: string;
    outcome: number | null;
    version: string | null;
    reviewer_confidence: number | null;
    ts_ms: number;
  }[],
): Promise<void> {
  if (rows.length === 0) return;
  const counters = new Map<
    string,
    { model: string; bucket: number; misclassified: number; correct: number; examples: number }
  >();
  const hourly = new Map<string, { model: string; version: string; hour_ms: number; correct: number; total: number }>();
  for (const r of rows) {
    const bucket = confidenceBucket(r.reviewer_confidence);
    const ck = `${r.model}\u0000${bucket}`;
    const c = counters.get(ck) ?? { model: r.model, bucket, misclassified: 0, correct: 0, examples: 0 };
    if (r.outcome === 1) c.correct++;
    else c.misclassified++;
    counters.set(ck, c);
    const hour = Math.floor(r.ts_ms / HOUR) * HOUR;
    const version = r.version ?? '';
    const hk = `${r.model}\u0000${version}\u0000${hour}`;
    const h = hourly.get(hk) ?? { model: r.model, version, hour_ms: hour, correct: 0, total: 0 };
    h.total++;
    if (r.outcome === 1) h.correct++;
    hourly.set(hk, h);
  }
  await bumpCounters(tx, [...counters.values()]);
  await tx.db
    .insertInto('accuracy_hourly')
    .values(
      [...hourly.values()].sort((a, b) => cmp(a.model, b.model) || cmp(a.version, b.version) || a.hour_ms - b.hour_ms),
    )
    .onConflict((oc) =>
      oc.columns(['model', 'version', 'hour_ms']).doUpdateSet((eb) => ({
        correct: eb('accuracy_hourly.correct', '+', eb.ref('excluded.correct')),
        total: eb('accuracy_hourly.total', '+', eb.ref('excluded.total')),
      })),
    )
    .execute();
}

async function bumpCounters(
  tx: Store,
  rows: { model: string; bucket: number; misclassified: number; correct: number; examples: number }[],
): Promise<void> {
  if (rows.length === 0) return;
  await tx.db
    .insertInto('evidence_counters')
    // Sorted so concurrent writers take row locks in one order (no deadlocks on PostgreSQL).
    .values(
      rows
        .sort((a, b) => cmp(a.model, b.model) || a.bucket - b.bucket)
        .map((r) => ({ ...r, mark_misclassified: 0, mark_correct: 0, mark_examples: 0 })),
    )
    .onConflict((oc) =>
      oc.columns(['model', 'bucket']).doUpdateSet((eb) => ({
        misclassified: eb('evidence_counters.misclassified', '+', eb.ref('excluded.misclassified')),
        correct: eb('evidence_counters.correct', '+', eb.ref('excluded.correct')),
        examples: eb('evidence_counters.examples', '+', eb.ref('excluded.examples')),
      })),
    )
    .execute();
}

/** Sets the "last dataset" mark to the current totals: evidence since then starts from zero. */
export async function markDatasetBuilt(store: Store, model: string): Promise<void> {
  await store.db
    .updateTable('evidence_counters')
    .set((eb) => ({
      mark_misclassified: eb.ref('misclassified'),
      mark_correct: eb.ref('correct'),
      mark_examples: eb.ref('examples'),
    }))
    .where('model', '=', model)
    .execute();
}

function chunk<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
