/**
 * Reading a model line's unused evidence for a dataset build, in pages (keyset pagination), so a
 * build never holds more than one page of candidate rows: misclassified feedback and labelled
 * examples; correct feedback is sampled by the database itself; inputs are looked up again by id,
 * in pages, when a version is written.
 */
import { sql } from 'kysely';
import { confidenceBucket } from './evidence.js';
import type { Store } from './store.js';

/** A row of evidence as a build consumes it; tagging it needs only source, id and bucket. */
export interface EvidenceRef {
  source: 'misclassified' | 'correct' | 'example';
  id: string;
  label: string;
  tsMs: number;
  bucket: number;
}

export interface EvidenceRow extends EvidenceRef {
  input: Record<string, unknown>;
}

const PAGE = 1000;

function confident(floor: number) {
  return sql<boolean>`(f.reviewer_confidence IS NULL OR f.reviewer_confidence >= ${floor})`;
}

export async function* misclassifiedRows(store: Store, model: string, floor: number): AsyncGenerator<EvidenceRow> {
  let after = '';
  for (;;) {
    const rows = await store.db
      .selectFrom('feedback as f')
      .innerJoin('predictions as p', (j) => j.onRef('p.model', '=', 'f.model').onRef('p.id', '=', 'f.prediction_id'))
      .select(['f.prediction_id as id', 'f.label', 'f.reviewer_confidence', 'f.ts_ms', 'p.input'])
      .where('f.model', '=', model)
      .where('f.outcome', '=', 0)
      .where('f.dataset_tag', 'is', null)
      .where(confident(floor))
      .where('f.prediction_id', '>', after)
      .orderBy('f.prediction_id')
      .limit(PAGE)
      .execute();
    for (const r of rows)
      yield {
        source: 'misclassified',
        id: r.id,
        input: JSON.parse(r.input),
        label: r.label,
        tsMs: Number(r.ts_ms),
        bucket: confidenceBucket(r.reviewer_confidence),
      };
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]!.id;
  }
}

export async function correctLabelCounts(store: Store, model: string, floor: number): Promise<Map<string, number>> {
  const rows = await store.db
    .selectFrom('feedback as f')
    .select(['f.label', (eb) => eb.fn.countAll<number>().as('n')])
    .where('f.model', '=', model)
    .where('f.outcome', '=', 1)
    .where('f.dataset_tag', 'is', null)
    .where(confident(floor))
    .groupBy('f.label')
    .execute();
  return new Map(rows.map((r) => [r.label, Number(r.n)]));
}

export async function* exampleRows(store: Store, model: string): AsyncGenerator<EvidenceRow> {
  let after = '';
  for (;;) {
    const rows = await store.db
      .selectFrom('examples')
      .select(['id', 'input', 'label', 'ts_ms'])
      .where('model', '=', model)
      .where('dataset_tag', 'is', null)
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    for (const r of rows)
      yield {
        source: 'example',
        id: r.id,
        input: JSON.parse(r.input),
        label: r.label,
        tsMs: Number(r.ts_ms),
        bucket: 100,
      };
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]!.id;
  }
}

/**
 * A deterministic, evenly spread sample of `take` unused correct rows with label `label`, chosen
 * inside the database: rows are numbered by prediction id and row rn is taken when
 * ((rn − 1 + offset) · take) mod total < take — exactly `take` rows, a seed-dependent offset.
 */
export async function sampleCorrectRows(
  store: Store,
  model: string,
  floor: number,
  label: string,
  total: number,
  take: number,
  offset: number,
): Promise<EvidenceRow[]> {
  if (take <= 0 || total <= 0) return [];
  const rows = await sql<{
    id: string;
    label: string;
    reviewer_confidence: number | null;
    ts_ms: number;
    input: string;
  }>`
    SELECT s.prediction_id AS id, s.label, s.reviewer_confidence, s.ts_ms, p.input
    FROM (
      SELECT f.prediction_id, f.label, f.reviewer_confidence, f.ts_ms,
        ROW_NUMBER() OVER (ORDER BY f.prediction_id) AS rn
      FROM feedback f
      WHERE f.model = ${model} AND f.outcome = 1 AND f.dataset_tag IS NULL AND f.label = ${label}
        AND (f.reviewer_confidence IS NULL OR f.reviewer_confidence >= ${floor})
    ) s
    JOIN predictions p ON p.model = ${model} AND p.id = s.prediction_id
    WHERE (((s.rn - 1 + ${offset % total}) * ${take}) % ${total}) < ${take}
    ORDER BY s.prediction_id`.execute(store.db);
  return rows.rows.map((r) => ({
    source: 'correct' as const,
    id: r.id,
    input: JSON.parse(r.input),
    label: r.label,
    tsMs: Number(r.ts_ms),
    bucket: confidenceBucket(r.reviewer_confidence),
  }));
}

const LOOKUP = 500;

/**
 * The stored inputs (JSON text) of evidence rows, looked up by id a page at a time: prediction
 * inputs for feedback, example inputs for examples. Yields [ref, input JSON] in the refs' order;
 * a ref whose row is gone is skipped.
 */
export async function* inputsById<R extends { source: string; id: string }>(
  store: Store,
  model: string,
  refs: R[],
): AsyncGenerator<[R, string]> {
  for (let i = 0; i < refs.length; i += LOOKUP) {
    const page = refs.slice(i, i + LOOKUP);
    const feedbackIds = page.filter((r) => r.source !== 'example').map((r) => r.id);
    const exampleIds = page.filter((r) => r.source === 'example').map((r) => r.id);
    const predictions = feedbackIds.length
      ? await store.db
          .selectFrom('predictions')
          .select(['id', 'input'])
          .where('model', '=', model)
          .where('id', 'in', feedbackIds)
          .execute()
      : [];
    const examples = exampleIds.length
      ? await store.db
          .selectFrom('examples')
          .select(['id', 'input'])
          .where('model', '=', model)
          .where('id', 'in', exampleIds)
          .execute()
      : [];
    const p = new Map(predictions.map((r) => [r.id, r.input]));
    const e = new Map(examples.map((r) => [r.id, r.input]));
    for (const r of page) {
      const input = (r.source === 'example' ? e : p).get(r.id);
      if (input !== undefined) yield [r, input];
    }
  }
}
