/**
 * Model versions in the store: monotonic per model line (the next number is taken under the
 * line's row lock), idempotent by registration key, with the artifact's URI and sha256, metrics,
 * params, lineage, gate report and tags. `ModelVersion` is the read model every interface shows.
 */
import type { Selectable } from 'kysely';
import type { ModelVersionsTable } from './schema.js';
import { aliasesOf, allAliases, lockLine } from './aliases.js';
import { inTransaction, type Store } from './store.js';

export interface ModelVersion {
  model: string;
  version: number;
  createdMs: number;
  runId: string | null;
  datasetTag: string | null;
  artifact: { uri: string; sha256: string; size: number };
  metrics: Record<string, unknown>;
  params: Record<string, unknown>;
  lineage: Record<string, unknown>;
  gate: unknown;
  tags: Record<string, string>;
  actor: string;
  /** The aliases pointing at this version now, sorted. */
  aliases: string[];
}

export interface NewVersion {
  model: string;
  createdMs: number;
  registrationKey: string | null;
  runId: string | null;
  datasetTag: string | null;
  metrics: Record<string, unknown>;
  params: Record<string, unknown>;
  lineage: Record<string, unknown>;
  gate: unknown;
  tags: Record<string, string>;
  actor: string;
}

function toVersion(r: Selectable<ModelVersionsTable>, aliases: string[]): ModelVersion {
  return {
    model: r.model,
    version: r.version,
    createdMs: Number(r.created_ms),
    runId: r.run_id,
    datasetTag: r.dataset_tag,
    artifact: { uri: r.artifact_uri, sha256: r.artifact_sha256, size: Number(r.artifact_size) },
    metrics: JSON.parse(r.metrics),
    params: JSON.parse(r.params),
    lineage: JSON.parse(r.lineage),
    gate: r.gate ? JSON.parse(r.gate) : null,
    tags: JSON.parse(r.tags),
    actor: r.actor,
    aliases,
  };
}

export async function findVersion(store: Store, model: string, version: number): Promise<ModelVersion | null> {
  const row = await store.db
    .selectFrom('model_versions')
    .selectAll()
    .where('model', '=', model)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row) return null;
  const aliases = [...(await aliasesOf(store, model))].filter(([, v]) => v === version).map(([a]) => a);
  return toVersion(row, aliases.sort());
}

/** The version registered under a key (a run id, a training job id), if any. */
export async function versionByKey(store: Store, key: string): Promise<{ model: string; version: number } | null> {
  const row = await store.db
    .selectFrom('model_versions')
    .select(['model', 'version'])
    .where('registration_key', '=', key)
    .executeTakeFirst();
  return row ?? null;
}

export async function listVersions(
  store: Store,
  filter: { model?: string; limit?: number } = {},
): Promise<ModelVersion[]> {
  let q = store.db.selectFrom('model_versions').selectAll();
  if (filter.model) q = q.where('model', '=', filter.model);
  const rows = await q
    .orderBy('model')
    .orderBy('version', 'desc')
    .limit(filter.limit ?? 10_000)
    .execute();
  const aliases = await allAliases(store);
  return rows.map((r) => {
    const own = aliases.filter((a) => a.model === r.model && a.version === r.version).map((a) => a.alias);
    return toVersion(r, own.sort());
  });
}

/**
 * Inserts the next version of a model line. `store` puts the artifact once the number is known
 * (inside the line's lock, so two registrations never share a number).
 */
export async function insertVersion(
  store: Store,
  v: NewVersion,
  putArtifact: (version: number) => Promise<{ uri: string; sha256: string; size: number }>,
): Promise<number> {
  return inTransaction(store, async (tx) => {
    await lockLine(tx, v.model);
    const max = await tx.db
      .selectFrom('model_versions')
      .select((eb) => eb.fn.max<number>('version').as('v'))
      .where('model', '=', v.model)
      .executeTakeFirst();
    const version = Number(max?.v ?? 0) + 1;
    const artifact = await putArtifact(version);
    await tx.db
      .insertInto('model_versions')
      .values({
        model: v.model,
        version,
        created_ms: v.createdMs,
        registration_key: v.registrationKey,
        run_id: v.runId,
        dataset_tag: v.datasetTag,
        artifact_uri: artifact.uri,
        artifact_sha256: artifact.sha256,
        artifact_size: artifact.size,
        metrics: JSON.stringify(v.metrics),
        params: JSON.stringify(v.params),
        lineage: JSON.stringify(v.lineage),
        gate: v.gate === undefined ? null : JSON.stringify(v.gate),
        tags: JSON.stringify(v.tags),
        actor: v.actor,
      })
      .execute();
    return version;
  });
}

export async function setVersionTags(store: Store, model: string, version: number, tags: Record<string, string>) {
  await store.db
    .updateTable('model_versions')
    .set({ tags: JSON.stringify(tags) })
    .where('model', '=', model)
    .where('version', '=', version)
    .execute();
}
