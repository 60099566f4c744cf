/**
 * External dataset preparations in the store: one row per key (the run id, or a manual
 * `manual:<model>:<ms>`), the state machine's position (pending → waiting → succeeded | failed),
 * the version seen before triggering, the next check and the last status in words.
 */
import type { Selectable } from 'kysely';
import type { DatasetMetadata } from '../datasets/metadata.js';
import type { PreparationsTable } from './schema.js';
import type { Store } from './store.js';
import { found } from './lost-write.js';

export type PreparationState = 'pending' | 'waiting' | 'succeeded' | 'failed';

export interface Preparation {
  key: string;
  model: string;
  state: PreparationState;
  required: number;
  /** Whether the version before triggering was read (possibly: there was none). */
  baselineRead: boolean;
  lastSeenTag: string | null;
  startedMs: number;
  deadlineMs: number;
  triggeredMs: number | null;
  triggerConfirmedMs: number | null;
  nextCheckMs: number;
  checks: number;
  errorsInRow: number;
  status: string | null;
  metadata: DatasetMetadata | null;
}

const num = (v: number | null) => (v === null ? null : Number(v));

function toPreparation(r: Selectable<PreparationsTable>): Preparation {
  return {
    key: r.key,
    model: r.model,
    state: r.state as PreparationState,
    required: r.required,
    baselineRead: r.baseline_read === 1,
    lastSeenTag: r.last_seen_tag,
    startedMs: Number(r.started_ms),
    deadlineMs: Number(r.deadline_ms),
    triggeredMs: num(r.triggered_ms),
    triggerConfirmedMs: num(r.trigger_confirmed_ms),
    nextCheckMs: Number(r.next_check_ms),
    checks: r.checks,
    errorsInRow: r.errors_in_row,
    status: r.last_status,
    metadata: r.result ? JSON.parse(r.result) : null,
  };
}

export async function findPreparation(store: Store, key: string): Promise<Preparation | null> {
  const r = await store.db.selectFrom('preparations').selectAll().where('key', '=', key).executeTakeFirst();
  return r ? toPreparation(r) : null;
}

/** Creates the preparation of a key once (a second call returns the first). */
export async function openPreparation(
  store: Store,
  p: { key: string; model: string; required: number; nowMs: number; deadlineMs: number },
): Promise<Preparation> {
  await store.db
    .insertInto('preparations')
    .values({
      key: p.key,
      model: p.model,
      state: 'pending',
      required: p.required,
      baseline_read: 0,
      last_seen_tag: null,
      started_ms: p.nowMs,
      deadline_ms: p.deadlineMs,
      triggered_ms: null,
      trigger_confirmed_ms: null,
      next_check_ms: p.nowMs,
      checks: 0,
      errors_in_row: 0,
      last_status: 'created',
      result: null,
      updated_ms: p.nowMs,
    })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  return found(await findPreparation(store, p.key), `preparation ${p.key}`);
}

export interface PreparationUpdate {
  state?: PreparationState;
  baselineRead?: boolean;
  lastSeenTag?: string | null;
  triggerConfirmedMs?: number;
  nextCheckMs?: number;
  checks?: number;
  errorsInRow?: number;
  status?: string;
  metadata?: DatasetMetadata;
}

export async function updatePreparation(store: Store, key: string, u: PreparationUpdate, nowMs: number) {
  const set: Partial<Selectable<PreparationsTable>> = { updated_ms: nowMs };
  if (u.state !== undefined) set.state = u.state;
  if (u.baselineRead !== undefined) set.baseline_read = u.baselineRead ? 1 : 0;
  if (u.lastSeenTag !== undefined) set.last_seen_tag = u.lastSeenTag;
  if (u.triggerConfirmedMs !== undefined) set.trigger_confirmed_ms = u.triggerConfirmedMs;
  if (u.nextCheckMs !== undefined) set.next_check_ms = u.nextCheckMs;
  if (u.checks !== undefined) set.checks = u.checks;
  if (u.errorsInRow !== undefined) set.errors_in_row = u.errorsInRow;
  if (u.status !== undefined) set.last_status = u.status;
  if (u.metadata !== undefined) set.result = JSON.stringify(u.metadata);
  await store.db.updateTable('preparations').set(set).where('key', '=', key).execute();
  return found(await findPreparation(store, key), `preparation ${key}`);
}

/** Claims the trigger: only the process that moves pending → waiting triggers (at most once). */
export async function claimTrigger(store: Store, key: string, nowMs: number, nextCheckMs: number): Promise<boolean> {
  const r = await store.db
    .updateTable('preparations')
    .set({ state: 'waiting', triggered_ms: nowMs, next_check_ms: nextCheckMs, updated_ms: nowMs })
    .where('key', '=', key)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The newest open manual preparation of a model line (`refit datasets build` continues it). */
export async function openManualPreparation(store: Store, model: string): Promise<string | null> {
  const r = await store.db
    .selectFrom('preparations')
    .select('key')
    .where('model', '=', model)
    .where('key', 'like', `manual:${model}:%`)
    .where('state', 'in', ['pending', 'waiting'])
    .orderBy('started_ms', 'desc')
    .executeTakeFirst();
  return r?.key ?? null;
}
