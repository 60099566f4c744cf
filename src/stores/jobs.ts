/**
 * Training jobs in the store: one row per attempt, idempotent by key (a run id: starting twice
 * with one key trains once), tracked as an experiment — params, dataset version, code version,
 * timing, state, logs, the metrics the trainer reported (kept, never trusted), the process group
 * of a local command and the handle of a remote job.
 */
import type { Selectable } from 'kysely';
import type { TrainingJobsTable } from './schema.js';
import type { Store } from './store.js';

export type JobState = 'running' | 'succeeded' | 'failed';

/** A training job as every interface shows it. */
export interface TrainingJob {
  id: string;
  key: string | null;
  model: string;
  executor: string;
  state: JobState;
  datasetTag: string;
  params: Record<string, unknown>;
  codeVersion: string | null;
  startedMs: number;
  finishedMs: number | null;
  outputDir: string;
  reportedMetrics: Record<string, unknown> | null;
  logs: string;
  error: string | null;
}

/** A job row with what only the engine needs: the command's `host:pgid`, a remote job's handle. */
export interface JobRecord extends TrainingJob {
  worker: string | null;
  remote: unknown;
}

function toJob(r: Selectable<TrainingJobsTable>): JobRecord {
  return {
    id: r.id,
    key: r.key,
    model: r.model,
    executor: r.executor,
    state: r.state as JobState,
    datasetTag: r.dataset_tag,
    params: JSON.parse(r.params),
    codeVersion: r.code_version,
    startedMs: Number(r.started_ms),
    finishedMs: r.finished_ms === null ? null : Number(r.finished_ms),
    outputDir: r.output_dir,
    reportedMetrics: r.reported_metrics ? JSON.parse(r.reported_metrics) : null,
    logs: r.logs,
    error: r.error,
    worker: r.worker,
    remote: r.remote ? JSON.parse(r.remote) : null,
  };
}

export async function getJob(store: Store, id: string): Promise<JobRecord | null> {
  const r = await store.db.selectFrom('training_jobs').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toJob(r) : null;
}

/** The newest job of a key (any state), or null. */
export async function jobOfKey(store: Store, key: string): Promise<JobRecord | null> {
  const r = await store.db
    .selectFrom('training_jobs')
    .selectAll()
    .where('key', '=', key)
    .orderBy('started_ms', 'desc')
    .executeTakeFirst();
  return r ? toJob(r) : null;
}

/** Jobs of a key that did not succeed (attempts a dead or failed worker left). */
export async function unfinishedJobsOfKey(store: Store, key: string): Promise<JobRecord[]> {
  const rows = await store.db
    .selectFrom('training_jobs')
    .selectAll()
    .where('key', '=', key)
    .where('state', '!=', 'succeeded')
    .execute();
  return rows.map(toJob);
}

export async function deleteUnfinishedJobs(store: Store, key: string): Promise<void> {
  await store.db.deleteFrom('training_jobs').where('key', '=', key).where('state', '!=', 'succeeded').execute();
}

export interface NewJob {
  id: string;
  key: string | null;
  model: string;
  executor: string;
  datasetTag: string;
  params: Record<string, unknown>;
  codeVersion: string | null;
  startedMs: number;
  outputDir: string;
}

export async function insertJob(store: Store, j: NewJob): Promise<void> {
  await store.db
    .insertInto('training_jobs')
    .values({
      id: j.id,
      key: j.key,
      model: j.model,
      executor: j.executor,
      state: 'running',
      dataset_tag: j.datasetTag,
      params: JSON.stringify(j.params),
      code_version: j.codeVersion,
      started_ms: j.startedMs,
      finished_ms: null,
      output_dir: j.outputDir,
      reported_metrics: null,
      logs: '',
      error: null,
    })
    .execute();
}

export interface JobUpdate {
  state?: JobState;
  finishedMs?: number;
  logs?: string;
  error?: string | null;
  reportedMetrics?: Record<string, unknown> | null;
  worker?: string | null;
  remote?: unknown;
}

export async function updateJob(store: Store, id: string, u: JobUpdate): Promise<void> {
  const set: Partial<Selectable<TrainingJobsTable>> = {};
  if (u.state !== undefined) set.state = u.state;
  if (u.finishedMs !== undefined) set.finished_ms = u.finishedMs;
  if (u.logs !== undefined) set.logs = u.logs;
  if (u.error !== undefined) set.error = u.error;
  if (u.reportedMetrics !== undefined)
    set.reported_metrics = u.reportedMetrics ? JSON.stringify(u.reportedMetrics) : null;
  if (u.worker !== undefined) set.worker = u.worker;
  if (u.remote !== undefined) set.remote = u.remote === null ? null : JSON.stringify(u.remote);
  if (Object.keys(set).length === 0) return;
  await store.db.updateTable('training_jobs').set(set).where('id', '=', id).execute();
}

/** The running remote job of a key (what cancelling a run reaches), or null. */
export async function runningRemoteJob(store: Store, key: string): Promise<JobRecord | null> {
  const r = await store.db
    .selectFrom('training_jobs')
    .selectAll()
    .where('key', '=', key)
    .where('state', '=', 'running')
    .where('remote', 'is not', null)
    .executeTakeFirst();
  return r ? toJob(r) : null;
}

/** The jobs training now (of these model lines, or all): what a progress display reads. */
export async function runningJobs(store: Store, models?: string[]): Promise<JobRecord[]> {
  let q = store.db.selectFrom('training_jobs').selectAll().where('state', '=', 'running');
  if (models?.length) q = q.where('model', 'in', models);
  return (await q.execute()).map(toJob);
}
