/**
 * The model registry: versions (monotonic per model line, idempotent by registration key) with a
 * verified artifact, metrics, params, lineage, gate report and tags; aliases that move atomically
 * with a full history (who, when, why). The rules live here — champion → previous on a promotion,
 * a rollback uses `previous` up, reserved alias names — and the store applies them under the
 * model line's lock (stores/aliases.ts, stores/versions.ts).
 */
import { existsSync } from 'node:fs';
import type { AppContext } from '../app-context.js';
import { artifactStoreFor } from '../artifacts/store.js';
import { CHALLENGER, CHAMPION, PREVIOUS, validateAlias } from '../core/aliases.js';
import { ConflictError, NotFoundError, UsageError } from '../core/errors.js';
import { championOf, moveAliases, type AliasMove } from '../stores/aliases.js';
import { recordCandidateOutcome } from '../stores/candidate-outcome.js';
import { resetStreaks } from '../stores/decision-facts.js';
import { findVersion, insertVersion, versionByKey, type ModelVersion } from '../stores/versions.js';

export type { ModelVersion, AliasMove };

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

export interface AliasChange {
  model: string;
  action: 'promote' | 'rollback' | 'set-alias';
  moves: AliasMove[];
  /** false when nothing changed (e.g. the version already is the champion). */
  changed: boolean;
  reason: string;
}

function requireLine(app: AppContext, model: string): void {
  if (!app.config.models[model]) {
    const names = Object.keys(app.config.models).join(', ');
    throw new UsageError(`unknown model line "${model}": configured lines are ${names}`);
  }
}

export async function registerVersion(app: AppContext, input: RegisterInput): Promise<ModelVersion> {
  requireLine(app, input.model);
  if (input.registrationKey) {
    const existing = await versionByKey(app.store, input.registrationKey);
    if (existing) return getVersion(app, existing.model, existing.version);
  }
  if (!existsSync(input.artifactPath)) throw new NotFoundError(`artifact ${input.artifactPath} does not exist`);
  const artifacts = artifactStoreFor(app.config);
  const fields = {
    model: input.model,
    createdMs: app.clock.now(),
    registrationKey: input.registrationKey ?? null,
    runId: input.runId ?? null,
    datasetTag: input.datasetTag ?? null,
    metrics: input.metrics ?? {},
    params: input.params ?? {},
    lineage: input.lineage ?? {},
    gate: input.gate,
    tags: input.tags ?? {},
    actor: input.actor,
  };
  const version = await insertVersion(app.store, fields, (v) => artifacts.put(input.model, v, input.artifactPath));
  app.logger.child({ model: input.model }).info(`registered ${input.model} v${version}`, { version });
  return getVersion(app, input.model, version);
}

export async function getVersion(app: AppContext, model: string, version: number): Promise<ModelVersion> {
  const v = await findVersion(app.store, model, version);
  if (!v) throw new NotFoundError(`${model} has no version ${version}: see \`refit models ${model}\``);
  return v;
}

/** The champion version of a line, or null. */
export async function championVersion(app: AppContext, model: string): Promise<ModelVersion | null> {
  const n = await championOf(app.store, model);
  return n === null ? null : getVersion(app, model, n);
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
  const moved = await moveAliases(app.store, { model, action, actor, reason, atMs: app.clock.now() }, plan);
  if (typeof moved === 'string') return { model, action, moves: [], changed: false, reason: moved };
  return { model, action, moves: moved, changed: true, reason };
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
    const capacity = app.config.models[model]!.budget.capacity;
    await recordCandidateOutcome(app.store, model, 'promoted', capacity, app.clock.now());
    await resetStreaks(app.store, model);
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
      throw new ConflictError(`${model} has no previous champion to roll back to (see \`refit models ${model}\`)`);
    // The rollback target is used up: rolling back twice must not re-promote the bad version.
    return [
      { alias: CHAMPION, from: cur.get(CHAMPION) ?? null, to: previous },
      { alias: PREVIOUS, from: previous, to: null },
    ];
  });
  if (change.changed) {
    await resetStreaks(app.store, model);
    app.logger.child({ model }).warn(`rolled back ${model} to v${change.moves[0]?.to}`, { reason });
  }
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
