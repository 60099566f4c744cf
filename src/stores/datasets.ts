/**
 * Dataset versions in the store. Recording a version is one transaction: the version row (unique
 * per build key), the evidence rows it consumed tagged with its version, and the evidence
 * counters' marks advanced by exactly what was consumed per confidence bucket.
 */
import type { Selectable } from 'kysely';
import type { DatasetMetadata } from '../datasets/metadata.js';
import type { Consumed } from '../datasets/candidates.js';
import type { DatasetsTable } from './schema.js';
import { inTransaction, type Store } from './store.js';
import { markDatasetBuilt } from './evidence.js';
import { ConflictError } from '../core/errors.js';

/** Another build consumed part of the same evidence first; building again picks up what is left. */
export class ConcurrentBuildError extends ConflictError {
  constructor(model: string, n: number) {
    super(
      `${n} evidence row(s) of ${model} were consumed by a concurrent dataset build; build again to use what is left`,
    );
  }
}

export interface DatasetRecord {
  model: string;
  tag: string;
  buildKey: string | null;
  createdMs: number;
  numSamples: number;
  splits: { train: number; eval: number; test: number };
  contentSha256: string;
  location: string;
  metadata: DatasetMetadata;
}

function toRecord(r: Selectable<DatasetsTable>): DatasetRecord {
  return {
    model: r.model,
    tag: r.tag,
    buildKey: r.build_key,
    createdMs: Number(r.created_ms),
    numSamples: r.num_samples,
    splits: JSON.parse(r.splits),
    contentSha256: r.content_sha256,
    location: r.location,
    metadata: JSON.parse(r.metadata),
  };
}

export async function findDataset(
  store: Store,
  model: string | null,
  by: { tag?: string; buildKey?: string },
): Promise<DatasetRecord | null> {
  let q = store.db.selectFrom('datasets').selectAll();
  if (model) q = q.where('model', '=', model);
  if (by.tag) q = q.where('tag', '=', by.tag);
  if (by.buildKey) q = q.where('build_key', '=', by.buildKey);
  const row = await q.orderBy('created_ms', 'desc').executeTakeFirst();
  return row ? toRecord(row) : null;
}

export async function latestDataset(store: Store, model: string): Promise<DatasetRecord | null> {
  const row = await store.db
    .selectFrom('datasets')
    .selectAll()
    .where('model', '=', model)
    .orderBy('created_ms', 'desc')
    .orderBy('tag', 'desc')
    .executeTakeFirst();
  return row ? toRecord(row) : null;
}

export async function listDatasets(store: Store, model?: string): Promise<DatasetRecord[]> {
  let q = store.db.selectFrom('datasets').selectAll();
  if (model) q = q.where('model', '=', model);
  return (await q.orderBy('model').orderBy('created_ms', 'desc').execute()).map(toRecord);
}

/** Sets `dataset_tag` on the still-unused rows among `ids`; returns how many it tagged. */
async function tagUnused(
  tx: Store,
  table: 'feedback' | 'examples',
  model: string,
  ids: string[],
  tag: string,
): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += 2000) {
    const part = ids.slice(i, i + 2000);
    const r =
      table === 'feedback'
        ? await tx.db
            .updateTable('feedback')
            .set({ dataset_tag: tag })
            .where('model', '=', model)
            .where('prediction_id', 'in', part)
            .where('dataset_tag', 'is', null)
            .executeTakeFirst()
        : await tx.db
            .updateTable('examples')
            .set({ dataset_tag: tag })
            .where('model', '=', model)
            .where('id', 'in', part)
            .where('dataset_tag', 'is', null)
            .executeTakeFirst();
    n += Number(r.numUpdatedRows);
  }
  return n;
}

export async function recordDataset(
  store: Store,
  v: {
    model: string;
    tag: string;
    buildKey: string | null;
    createdMs: number;
    metadata: DatasetMetadata;
    location: string;
  },
  consumed: Consumed,
): Promise<DatasetRecord> {
  return inTransaction(store, async (tx) => {
    const inserted = await tx.db
      .insertInto('datasets')
      .values({
        model: v.model,
        tag: v.tag,
        build_key: v.buildKey,
        created_ms: v.createdMs,
        num_samples: v.metadata.num_samples,
        splits: JSON.stringify(v.metadata.splits),
        content_sha256: v.metadata.content_sha256,
        location: v.location,
        metadata: JSON.stringify(v.metadata),
      })
      .onConflict((oc) => oc.column('build_key').where('build_key', 'is not', null).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
      const existing = await tx.db
        .selectFrom('datasets')
        .selectAll()
        .where('build_key', '=', v.buildKey)
        .executeTakeFirstOrThrow();
      return toRecord(existing);
    }
    // Tag without RETURNING (SQLite pays ~70% more per row for it): when every row was still
    // unused, the marks follow from the rows themselves; otherwise another build consumed some of
    // this evidence concurrently and this one must not be recorded.
    const expected = consumed.feedbackIds.length + consumed.exampleIds.length;
    const tagged =
      (await tagUnused(tx, 'feedback', v.model, consumed.feedbackIds, v.tag)) +
      (await tagUnused(tx, 'examples', v.model, consumed.exampleIds, v.tag));
    if (tagged !== expected) throw new ConcurrentBuildError(v.model, expected - tagged);
    for (const [bucket, m] of [...consumed.marks].sort((a, b) => a[0] - b[0])) {
      await tx.db
        .updateTable('evidence_counters')
        .set((eb) => ({
          mark_misclassified: eb('mark_misclassified', '+', m.misclassified),
          mark_examples: eb('mark_examples', '+', m.examples),
        }))
        .where('model', '=', v.model)
        .where('bucket', '=', bucket)
        .execute();
    }
    // Correct rows the sample passed over are not new data any more: "since the last dataset"
    // restarts for them too (they stay unused, so later builds may still sample them).
    await tx.db
      .updateTable('evidence_counters')
      .set((eb) => ({ mark_correct: eb.ref('correct') }))
      .where('model', '=', v.model)
      .execute();
    return toRecord(
      await tx.db
        .selectFrom('datasets')
        .selectAll()
        .where('model', '=', v.model)
        .where('tag', '=', v.tag)
        .executeTakeFirstOrThrow(),
    );
  });
}

/**
 * Records a version an external preparer published (its dataset_metadata.json), idempotent by
 * the preparation key, and restarts "since the last dataset" (the preparer consumed the evidence).
 * Returns the stored record.
 */
export async function recordExternalDataset(
  store: Store,
  v: { model: string; buildKey: string; createdMs: number; metadata: DatasetMetadata; location: string },
): Promise<DatasetRecord> {
  return inTransaction(store, async (tx) => {
    const m = v.metadata;
    const r = await tx.db
      .insertInto('datasets')
      .values({
        model: v.model,
        tag: m.version_tag,
        build_key: v.buildKey,
        created_ms: v.createdMs,
        num_samples: m.num_samples,
        splits: JSON.stringify(m.splits ?? {}),
        content_sha256: m.content_sha256 ?? '',
        location: v.location,
        metadata: JSON.stringify(m),
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0) === 1) await markDatasetBuilt(tx, v.model);
    const row = await tx.db
      .selectFrom('datasets')
      .selectAll()
      .where('model', '=', v.model)
      .where('tag', '=', m.version_tag)
      .executeTakeFirstOrThrow();
    return toRecord(row);
  });
}

/** Where a version's files are now (an external version once its splits were fetched and verified). */
export async function setDatasetLocation(store: Store, model: string, tag: string, location: string): Promise<void> {
  await store.db.updateTable('datasets').set({ location }).where('model', '=', model).where('tag', '=', tag).execute();
}
