/**
 * External dataset preparation as a durable state machine in the store, advanced one step per
 * call (one tick) — polling never holds a process:
 *   pending  → read the current version_tag (stored before triggering), trigger the preparer once
 *   waiting  → at its next check time, read dataset_metadata.json; done when
 *              num_samples >= required and version_tag differs from the stored one
 *   succeeded | failed (auth, a refused trigger, or the timeout) — with the reason in words.
 * 429/5xx/network errors back off (Retry-After honoured, exponential up to max_backoff).
 */
import type { AppContext } from '../../app-context.js';
import { UsageError } from '../../core/errors.js';
import { formatDuration } from '../../core/duration.js';
import type { ModelLineConfig, PreparePolicy, RefitConfig } from '../../config/config.js';
import { redact } from '../../config/secrets.js';
import { httpCall, type HttpOutcome } from '../../integrations/http.js';
import type { DatasetMetadata } from '../metadata.js';
import { triggerPreparer } from './trigger.js';
import type { PreparationsTable } from '../../stores/schema.js';
import type { Selectable } from 'kysely';

export type PreparationState = 'pending' | 'waiting' | 'succeeded' | 'failed';

export interface Preparation {
  key: string;
  model: string;
  state: PreparationState;
  required: number;
  lastSeenTag: string | null;
  startedMs: number;
  deadlineMs: number;
  triggeredMs: number | null;
  triggerConfirmedMs: number | null;
  nextCheckMs: number;
  checks: number;
  status: string | null;
  metadata: DatasetMetadata | null;
}

function toPreparation(r: Selectable<PreparationsTable>): Preparation {
  return {
    key: r.key,
    model: r.model,
    state: r.state as PreparationState,
    required: r.required,
    lastSeenTag: r.last_seen_tag,
    startedMs: Number(r.started_ms),
    deadlineMs: Number(r.deadline_ms),
    triggeredMs: r.triggered_ms === null ? null : Number(r.triggered_ms),
    triggerConfirmedMs: r.trigger_confirmed_ms === null ? null : Number(r.trigger_confirmed_ms),
    nextCheckMs: Number(r.next_check_ms),
    checks: r.checks,
    status: r.last_status,
    metadata: r.result ? JSON.parse(r.result) : null,
  };
}

export function metadataUrl(policy: PreparePolicy, config: RefitConfig): string {
  const m = policy.metadata;
  if (!m) throw new UsageError('external preparation needs prepare.metadata');
  if (m.kind === 'url') return m.url;
  return `${config.hubUrl}/datasets/${m.dataset}/resolve/${encodeURIComponent(m.revision)}/${m.path.split('/').map(encodeURIComponent).join('/')}`;
}

type MetadataRead =
  | { kind: 'metadata'; metadata: DatasetMetadata }
  | { kind: 'invalid'; message: string }
  | Exclude<HttpOutcome, { kind: 'ok' }>;

async function readMetadata(policy: PreparePolicy, config: RefitConfig, nowMs: number): Promise<MetadataRead> {
  const res = await httpCall(
    {
      method: 'GET',
      url: metadataUrl(policy, config),
      token: policy.token,
      timeoutMs: policy.requestTimeoutMs,
      headers: { 'cache-control': 'no-cache' },
    },
    nowMs,
  );
  if (res.kind !== 'ok') return res;
  try {
    const m = JSON.parse(res.body) as DatasetMetadata;
    if (typeof m.version_tag !== 'string' || typeof m.num_samples !== 'number') {
      return {
        kind: 'invalid',
        message: 'dataset_metadata.json lacks a string "version_tag" or a numeric "num_samples"',
      };
    }
    return { kind: 'metadata', metadata: m };
  } catch {
    return { kind: 'invalid', message: 'dataset_metadata.json is not valid JSON' };
  }
}

/**
 * Advances the preparation `key` of `model` by one step and returns its state. The first call
 * creates it with `required` samples.
 */
export async function advancePreparation(
  app: AppContext,
  model: string,
  key: string,
  required: number,
): Promise<Preparation> {
  const line = app.config.models[model];
  if (!line) throw new UsageError(`unknown model line "${model}"`);
  const policy = line.prepare;
  if (policy.trigger.kind === 'builtin')
    throw new UsageError(`model line "${model}" prepares its datasets itself (prepare.kind: builtin)`);
  const { db } = app.store;
  const now = app.clock.now();
  await db
    .insertInto('preparations')
    .values({
      key,
      model,
      state: 'pending',
      required,
      baseline_read: 0,
      last_seen_tag: null,
      started_ms: now,
      deadline_ms: now + policy.timeoutMs,
      triggered_ms: null,
      trigger_confirmed_ms: null,
      next_check_ms: now,
      checks: 0,
      errors_in_row: 0,
      last_status: 'created',
      result: null,
      updated_ms: now,
    })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  let row = await db.selectFrom('preparations').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
  const log = app.logger.child({ model, step: 'prepare' });
  const secrets = [...app.config.secretValues, ...(policy.token ? [policy.token] : [])];
  const update = async (set: Partial<Selectable<PreparationsTable>>) => {
    if (set.last_status) set.last_status = redact(set.last_status, secrets);
    await db
      .updateTable('preparations')
      .set({ ...set, updated_ms: now })
      .where('key', '=', key)
      .execute();
    row = await db.selectFrom('preparations').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
  };

  if (row.state === 'succeeded' || row.state === 'failed') return toPreparation(row);
  if (now < Number(row.next_check_ms)) return toPreparation(row);
  if (now >= Number(row.deadline_ms)) {
    await update({ state: 'failed', last_status: timeoutMessage(row, policy) });
    log.warn(row.last_status ?? 'preparation timed out');
    return toPreparation(row);
  }

  if (row.state === 'pending') {
    if (!row.baseline_read) {
      const before = await readMetadata(policy, app.config, now);
      if (before.kind === 'metadata')
        await update({
          baseline_read: 1,
          last_seen_tag: before.metadata.version_tag,
          last_status: `current version ${before.metadata.version_tag} (${before.metadata.num_samples} samples) recorded before triggering`,
        });
      else if (before.kind === 'not_found')
        await update({
          baseline_read: 1,
          last_seen_tag: null,
          last_status: 'no dataset_metadata.json yet; any version will be new',
        });
      else return failOrRetry(before, 'reading the current version before triggering');
    }
    // Claim the trigger: only the process that moves pending → waiting triggers (at most once).
    const claimed = await db
      .updateTable('preparations')
      .set({ state: 'waiting', triggered_ms: now, next_check_ms: now + policy.intervalMs, updated_ms: now })
      .where('key', '=', key)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 1) {
      const res = await triggerPreparer(policy, { config: app.config, model, key, required }, now);
      if (res.kind === 'ok') {
        await update({
          trigger_confirmed_ms: now,
          last_status: `${describeTrigger(line)} triggered; polling ${metadataUrl(policy, app.config)} every ${formatDuration(policy.intervalMs)} for num_samples >= ${required} and a version other than ${row.last_seen_tag ?? '(none)'}`,
        });
        log.info(row.last_status!);
      } else {
        await update({ state: 'failed', last_status: `${describeTrigger(line)} failed: ${res.message}` });
        log.error(row.last_status!);
      }
    } else {
      row = await db.selectFrom('preparations').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
    }
    return toPreparation(row);
  }

  // waiting: one metadata check.
  const read = await readMetadata(policy, app.config, now);
  const checks = row.checks + 1;
  if (read.kind === 'metadata') {
    const m = read.metadata;
    const isNew = m.version_tag !== row.last_seen_tag;
    if (isNew && m.num_samples >= row.required) {
      await update({
        state: 'succeeded',
        checks,
        errors_in_row: 0,
        result: JSON.stringify(m),
        last_status: `new version ${m.version_tag} with ${m.num_samples} samples (>= ${row.required}) after ${checks} check(s)`,
      });
      log.info(row.last_status!);
      return toPreparation(row);
    }
    const why = !isNew
      ? `still version ${m.version_tag}`
      : `version ${m.version_tag} has ${m.num_samples} samples, fewer than ${row.required}`;
    await update({
      checks,
      errors_in_row: 0,
      next_check_ms: now + policy.intervalMs,
      last_status: `current_len=${m.num_samples} required_len=${row.required} version=${m.version_tag}: ${why}`,
    });
    log.info(row.last_status!);
    return toPreparation(row);
  }
  if (read.kind === 'not_found') {
    await update({
      checks,
      errors_in_row: 0,
      next_check_ms: now + policy.intervalMs,
      last_status: `dataset_metadata.json not found (404) at ${metadataUrl(policy, app.config)}; waiting for the preparer to publish it`,
    });
    return toPreparation(row);
  }
  return failOrRetry(read, 'polling dataset_metadata.json', checks);

  async function failOrRetry(
    res: Exclude<MetadataRead, { kind: 'metadata' }>,
    doing: string,
    checksDone = row.checks,
  ): Promise<Preparation> {
    if (res.kind === 'auth') {
      await update({
        state: 'failed',
        checks: checksDone,
        last_status: `${doing}: ${res.message}; check that the token (prepare.token) can read ${metadataUrl(policy, app.config)}`,
      });
      log.error(row.last_status!);
      return toPreparation(row);
    }
    if (res.kind === 'invalid' || res.kind === 'client') {
      await update({ state: 'failed', checks: checksDone, last_status: `${doing}: ${res.message}` });
      log.error(row.last_status!);
      return toPreparation(row);
    }
    if (res.kind !== 'retryable') return toPreparation(row);
    const errors = row.errors_in_row + 1;
    const backoff = Math.min(
      policy.maxBackoffMs,
      Math.max(res.retryAfterMs ?? 0, policy.intervalMs * 2 ** (errors - 1)),
    );
    await update({
      checks: checksDone,
      errors_in_row: errors,
      next_check_ms: now + backoff,
      last_status: `${doing}: ${res.message}; retrying in ${formatDuration(backoff)}${res.retryAfterMs !== null ? ' (Retry-After)' : ''}`,
    });
    log.warn(row.last_status!);
    return toPreparation(row);
  }
}

function describeTrigger(line: ModelLineConfig): string {
  const t = line.prepare.trigger;
  switch (t.kind) {
    case 'hf-space':
      return `${t.factory ? 'factory rebuild' : 'restart'} of Space ${t.space}`;
    case 'github-workflow':
      return `workflow ${t.workflow} in ${t.repo}@${t.ref}`;
    case 'webhook':
      return `webhook ${new URL(t.url).host}`;
    case 'command':
      return `command ${t.command[0]}`;
    case 'builtin':
      return 'builtin';
  }
}

function timeoutMessage(row: Selectable<PreparationsTable>, policy: PreparePolicy): string {
  const confirmed = row.trigger_confirmed_ms !== null ? '' : ' (the trigger was never confirmed)';
  return `timed out after ${formatDuration(policy.timeoutMs)} waiting for a dataset version with num_samples >= ${row.required} other than ${row.last_seen_tag ?? '(none)'}${confirmed}; last: ${row.last_status ?? 'no check'}`;
}

export async function findPreparation(app: AppContext, key: string): Promise<Preparation | null> {
  const row = await app.store.db.selectFrom('preparations').selectAll().where('key', '=', key).executeTakeFirst();
  return row ? toPreparation(row) : null;
}
