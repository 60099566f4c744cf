/**
 * The model registry: versions (monotonic per model line, idempotent by registration key) with a
 * verified artifact, metrics, params, lineage, gate report and tags; aliases that move atomically
 * with a full history (who, when, why). Promote and rollback lock the model line's row first, so
 * concurrent promotions from several processes serialise into one consistent history.
 */
import { existsSync } from 'node:fs';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { AppContext } from '../app-context.js';
import { CHALLENGER, CHAMPION, PREVIOUS, validateAlias } from '../core/aliases.js';
import { NotFoundError, RefitError, UsageError } from '../core/errors.js';
import { artifactStoreFor } from '../artifacts/store.js';
import { newId } from '../stores/ids.js';
import { recordCandidateOutcome } from '../stores/candidate-outcome.js';
import type { Database, ModelVersionsTable } from '../stores/schema.js';

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
  aliases: string[];
}

export interface RegisterInput {
  model: string;
  artifactPath: string;
  registrationKey?: string;
  runId?: string;
  datasetTag?: string;
  metrics?: Record<string, unknown>;
  params?: Record<string, unknown>;
  lineage?: Record<string, unknown>;
  gate?: unknown;
  tags?: Record<string, string>;
  actor: string;
}

export interface AliasMove {
  alias: string;
  from: number | null;
  to: number | null;
}

export interface AliasChange {
  model: string;
  action: 'promote' | 'rollback' | 'set-alias';
  moves: AliasMove[];
  /** false when nothing changed (e.g. the version already is the champion). */
  changed: boolean;
  reason: string;
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

function requireLine(app: AppContext, model: string): void {
  if (!app.config.models[model])
    throw new UsageError(
      `unknown model line "${model}": configured lines are ${Object.keys(app.config.models).join(', ')}`,
    );
}

async function lockLine(tx: Transaction<Database>, model: string): Promise<void> {
  await tx
    .updateTable('model_lines')
    .set((eb) => ({ lock_version: eb('lock_version', '+', 1) }))
    .where('name', '=', model)
    .execute();
}

async function aliasMap(db: Kysely<Database> | Transaction<Database>, model: string): Promise<Map<string, number>> {
  const rows = await db.selectFrom('aliases').select(['alias', 'version']).where('model', '=', model).execute();
  return new Map(rows.map((r) => [r.alias, r.version]));
}

export async function registerVersion(app: AppContext, input: RegisterInput): Promise<ModelVersion> {
  requireLine(app, input.model);
  const { db } = app.store;
  if (input.registrationKey) {
    const existing = await db
      .selectFrom('model_versions')
      .selectAll()
      .where('registration_key', '=', input.registrationKey)
      .executeTakeFirst();
    if (existing) return getVersion(app, existing.model, existing.version);
  }
  if (!existsSync(input.artifactPath)) throw new NotFoundError(`artifact ${input.artifactPath} does not exist`);
  const store = artifactStoreFor(app.config);
  const now = app.clock.now();
  const version = await db.transaction().execute(async (tx) => {
    await lockLine(tx, input.model);
    const max = await tx
      .selectFrom('model_versions')
      .select((eb) => eb.fn.max<number>('version').as('v'))
      .where('model', '=', input.model)
      .executeTakeFirst();
    const version = Number(max?.v ?? 0) + 1;
    const artifact = await store.put(input.model, version, input.artifactPath);
    await tx
      .insertInto('model_versions')
      .values({
        model: input.model,
        version,
        created_ms: now,
        registration_key: input.registrationKey ?? null,
        run_id: input.runId ?? null,
        dataset_tag: input.datasetTag ?? null,
        artifact_uri: artifact.uri,
        artifact_sha256: artifact.sha256,
        artifact_size: artifact.size,
        metrics: JSON.stringify(input.metrics ?? {}),
        params: JSON.stringify(input.params ?? {}),
        lineage: JSON.stringify(input.lineage ?? {}),
        gate: input.gate === undefined ? null : JSON.stringify(input.gate),
        tags: JSON.stringify(input.tags ?? {}),
        actor: input.actor,
      })
      .execute();
    return version;
  });
  app.logger.child({ model: input.model }).info(`registered ${input.model} v${version}`, { version });
  return getVersion(app, input.model, version);
}

export async function getVersion(app: AppContext, model: string, version: number): Promise<ModelVersion> {
  const row = await app.store.db
    .selectFrom('model_versions')
    .selectAll()
    .where('model', '=', model)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row) throw new NotFoundError(`${model} has no version ${version}: see \`refit models ${model}\``);
  const aliases = [...(await aliasMap(app.store.db, model))]
    .filter(([, v]) => v === version)
    .map(([a]) => a)
    .sort();
  return toVersion(row, aliases);
}

export async function listVersions(app: AppContext, model?: string): Promise<ModelVersion[]> {
  let q = app.store.db.selectFrom('model_versions').selectAll();
  if (model) q = q.where('model', '=', model);
  const rows = await q.orderBy('model').orderBy('version', 'desc').execute();
  const aliases = await app.store.db.selectFrom('aliases').select(['model', 'alias', 'version']).execute();
  return rows.map((r) =>
    toVersion(
      r,
      aliases
        .filter((a) => a.model === r.model && a.version === r.version)
        .map((a) => a.alias)
        .sort(),
    ),
  );
}

/** The artifact's local path, after verifying its sha256. */
export async function openArtifact(app: AppContext, v: ModelVersion): Promise<string> {
  return artifactStoreFor(app.config).open(v.artifact.uri, v.artifact.sha256);
}

async function applyMoves(
  app: AppContext,
  model: string,
  action: AliasChange['action'],
  actor: string,
  reason: string,
  plan: (current: Map<string, number>) => AliasMove[] | string,
): Promise<AliasChange> {
  const now = app.clock.now();
  return app.store.db.transaction().execute(async (tx) => {
    await lockLine(tx, model);
    const current = await aliasMap(tx, model);
    const moves = plan(current);
    if (typeof moves === 'string') return { model, action, moves: [], changed: false, reason: moves };
    const last = await tx
      .selectFrom('alias_history')
      .select((eb) => eb.fn.max<number>('seq').as('s'))
      .where('model', '=', model)
      .executeTakeFirst();
    let seq = Number(last?.s ?? 0);
    for (const m of moves) {
      if (m.to === null)
        await tx.deleteFrom('aliases').where('model', '=', model).where('alias', '=', m.alias).execute();
      else
        await tx
          .insertInto('aliases')
          .values({ model, alias: m.alias, version: m.to, updated_ms: now })
          .onConflict((oc) => oc.columns(['model', 'alias']).doUpdateSet({ version: m.to!, updated_ms: now }))
          .execute();
      await tx
        .insertInto('alias_history')
        .values({
          id: newId('alias', now),
          model,
          alias: m.alias,
          from_version: m.from,
          to_version: m.to,
          at_ms: now,
          seq: ++seq,
          actor,
          action,
          reason,
        })
        .execute();
    }
    return { model, action, moves, changed: true, reason };
  });
}

export async function promote(
  app: AppContext,
  model: string,
  version: number,
  actor: string,
  reason: string,
): Promise<AliasChange> {
  requireLine(app, model);
  await getVersion(app, model, version);
  const change = await applyMoves(app, model, 'promote', actor, reason, (cur) => {
    const champion = cur.get(CHAMPION) ?? null;
    if (champion === version) return `${model} v${version} already is the champion`;
    const moves: AliasMove[] = [];
    if (champion !== null) moves.push({ alias: PREVIOUS, from: cur.get(PREVIOUS) ?? null, to: champion });
    moves.push({ alias: CHAMPION, from: champion, to: version });
    if (cur.get(CHALLENGER) === version) moves.push({ alias: CHALLENGER, from: version, to: null });
    return moves;
  });
  if (change.changed) {
    await recordCandidateOutcome(
      app.store.db,
      model,
      'promoted',
      app.config.models[model]!.budget.capacity,
      app.clock.now(),
    );
    app.logger.child({ model }).info(`promoted ${model} v${version} to champion`, { reason });
  }
  return change;
}

export async function rollback(
  app: AppContext,
  model: string,
  actor: string,
  reason: string,
  opts: { expectChampion?: number } = {},
): Promise<AliasChange> {
  requireLine(app, model);
  const change = await applyMoves(app, model, 'rollback', actor, reason, (cur) => {
    // A conditional rollback (monitoring, verification) only undoes the version it judged.
    if (opts.expectChampion !== undefined && cur.get(CHAMPION) !== opts.expectChampion)
      return `${model} v${opts.expectChampion} is no longer the champion`;
    const previous = cur.get(PREVIOUS);
    if (previous === undefined)
      throw new RefitError(
        'CONFLICT',
        `${model} has no previous champion to roll back to (see \`refit models ${model}\`)`,
      );
    // The rollback target is used up: rolling back twice must not re-promote the bad version.
    return [
      { alias: CHAMPION, from: cur.get(CHAMPION) ?? null, to: previous },
      { alias: PREVIOUS, from: previous, to: null },
    ];
  });
  if (change.changed) app.logger.child({ model }).warn(`rolled back ${model} to v${change.moves[0]?.to}`, { reason });
  return change;
}

export async function setAlias(
  app: AppContext,
  model: string,
  alias: string,
  version: number | null,
  actor: string,
  reason: string,
): Promise<AliasChange> {
  requireLine(app, model);
  validateAlias(alias);
  if (alias === CHAMPION || alias === PREVIOUS)
    throw new UsageError(`"${alias}" moves only through refit promote / refit rollback`);
  if (version !== null) await getVersion(app, model, version);
  return applyMoves(app, model, 'set-alias', actor, reason, (cur) => {
    const from = cur.get(alias) ?? null;
    if (from === version) return `${alias} already points to ${version === null ? 'nothing' : `v${version}`}`;
    return [{ alias, from, to: version }];
  });
}

export interface AliasHistoryEntry {
  seq: number;
  alias: string;
  from: number | null;
  to: number | null;
  atMs: number;
  actor: string;
  action: string;
  reason: string;
}

export async function aliasHistory(app: AppContext, model: string): Promise<AliasHistoryEntry[]> {
  const rows = await app.store.db
    .selectFrom('alias_history')
    .selectAll()
    .where('model', '=', model)
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({
    seq: r.seq,
    alias: r.alias,
    from: r.from_version,
    to: r.to_version,
    atMs: Number(r.at_ms),
    actor: r.actor,
    action: r.action,
    reason: r.reason,
  }));
}
