/**
 * A training job: runs the model line's trainer (built-in worker or a command) on a dataset
 * version and tracks it as an experiment — params, dataset version, code version (git sha),
 * start and end, state, logs, and the metrics the trainer reports (kept, never trusted).
 * Idempotent by key: a job that succeeded with a key is returned, not run again.
 */
import { hostname } from 'node:os';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AppContext } from '../app-context.js';
import { NotFoundError, RefitError, UsageError } from '../core/errors.js';
import { redact } from '../config/secrets.js';
import { runBuiltin } from '../executors/builtin.js';
import { killGroup, runCommand } from '../executors/command.js';
import { isRemote, remoteExecutorFor } from '../executors/remote.js';
import { findDataset, latestDataset } from '../stores/datasets.js';
import { newId } from '../stores/ids.js';

export interface TrainingJob {
  id: string;
  key: string | null;
  model: string;
  executor: string;
  state: 'running' | 'succeeded' | 'failed';
  datasetTag: string;
  datasetDir: string;
  params: Record<string, unknown>;
  codeVersion: string | null;
  startedMs: number;
  finishedMs: number | null;
  outputDir: string;
  reportedMetrics: Record<string, unknown> | null;
  logs: string;
  error: string | null;
}

export class TrainingFailedError extends RefitError {
  constructor(readonly job: TrainingJob) {
    super('CONFLICT', `training ${job.id} of ${job.model} failed: ${job.error}`);
  }
}

export function gitSha(dir: string): string | null {
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim() || null
    );
  } catch {
    return null;
  }
}

export async function runTraining(
  app: AppContext,
  model: string,
  options: { datasetTag?: string; key?: string; params?: Record<string, unknown>; signal?: AbortSignal } = {},
): Promise<TrainingJob> {
  const line = app.config.models[model];
  if (!line) throw new UsageError(`unknown model line "${model}"`);
  if (isRemote(line)) {
    // Ad hoc (`refit train`): poll in place. Runs park between polls instead (advanceRemoteTraining).
    const key = options.key ?? newId('adhoc', app.clock.now());
    for (;;) {
      const step = await advanceRemoteTraining(app, model, {
        datasetTag: options.datasetTag,
        key,
        params: options.params,
      });
      if ('job' in step) return step.job;
      if (options.signal?.aborted) {
        await cancelRemoteTraining(app, key, 'cancelled');
        throw new RefitError('CONFLICT', `training of ${model} was cancelled`);
      }
      await new Promise((r) => setTimeout(r, Math.max(0, step.nextCheckMs - app.clock.now())));
    }
  }
  const { db } = app.store;
  if (options.key) {
    const done = await db
      .selectFrom('training_jobs')
      .select('id')
      .where('key', '=', options.key)
      .where('state', '=', 'succeeded')
      .executeTakeFirst();
    if (done) return getTrainingJob(app, done.id);
  }
  const dataset = options.datasetTag
    ? await findDataset(db, model, { tag: options.datasetTag })
    : await latestDataset(db, model);
  if (!dataset)
    throw new NotFoundError(
      options.datasetTag
        ? `${model} has no dataset version ${options.datasetTag}`
        : `${model} has no dataset version yet: run \`refit datasets build ${model}\` first`,
    );
  if (!existsSync(join(dataset.location, 'train.jsonl')))
    throw new NotFoundError(`dataset ${dataset.tag} has no local train split at ${dataset.location}`);
  const params = { ...line.train.params, ...options.params };
  const now = app.clock.now();
  const id = newId('train', now);
  const outputDir = join(app.config.artifactsDir, 'training', model, id);
  mkdirSync(outputDir, { recursive: true });
  const codeVersion = gitSha(dirname(app.config.source));
  if (options.key) {
    // An earlier attempt of this job whose worker died may have left its command running: end it.
    const stale = await db
      .selectFrom('training_jobs')
      .select(['id', 'worker'])
      .where('key', '=', options.key)
      .where('state', '!=', 'succeeded')
      .execute();
    for (const j of stale) endOrphan(j.worker, log0(app, model));
    await db.deleteFrom('training_jobs').where('key', '=', options.key).where('state', '!=', 'succeeded').execute();
  }
  await db
    .insertInto('training_jobs')
    .values({
      id,
      key: options.key ?? null,
      model,
      executor: line.train.executor,
      state: 'running',
      dataset_tag: dataset.tag,
      params: JSON.stringify(params),
      code_version: codeVersion,
      started_ms: now,
      finished_ms: null,
      output_dir: outputDir,
      reported_metrics: null,
      logs: '',
      error: null,
    })
    .execute();
  const log = app.logger.child({ model, step: 'train', job: id });
  log.info(`training ${model} on ${dataset.tag} with the ${line.train.executor} executor`);
  const onLog = (l: string) => log.debug(l);
  const result =
    line.train.executor === 'builtin'
      ? await runBuiltin({
          datasetDir: dataset.location,
          outputDir,
          task: line.task,
          params: params as never,
          timeoutMs: line.train.timeoutMs,
          onLog,
          signal: options.signal,
        })
      : await runCommand(
          line.train.command!,
          {
            REFIT_DATASET_DIR: dataset.location,
            REFIT_OUTPUT_DIR: outputDir,
            REFIT_PARAMS: JSON.stringify(params),
            REFIT_MODEL: model,
            REFIT_TASK: line.task,
          },
          line.train.timeoutMs,
          dirname(app.config.source),
          onLog,
          {
            signal: options.signal,
            onStart: (pid) =>
              void db
                .updateTable('training_jobs')
                .set({ worker: `${hostname()}:${pid}` })
                .where('id', '=', id)
                .execute()
                .catch(() => {}),
          },
        ).then((r) => ({ ...r, reported: readReported(outputDir) }));
  const secrets = app.config.secretValues;
  await db
    .updateTable('training_jobs')
    .set({
      state: result.ok ? 'succeeded' : 'failed',
      finished_ms: app.clock.now(),
      logs: redact(result.logs.join('\n').slice(-65_536), secrets),
      reported_metrics: result.reported ? JSON.stringify(result.reported) : null,
      error: result.error ? redact(result.error, secrets) : null,
    })
    .where('id', '=', id)
    .execute();
  const job = await getTrainingJob(app, id);
  if (!result.ok) {
    log.error(`training failed: ${job.error}`);
    throw new TrainingFailedError(job);
  }
  log.info(`training finished`);
  return job;
}

function log0(app: AppContext, model: string) {
  return app.logger.child({ model, step: 'train' });
}

/**
 * Kills the process group a dead worker left behind, when it ran on this host (`host:pgid`). A
 * recycled pid could belong to someone else, so the group must still look like a command's:
 * a group leader (its pgid equals its pid) — refit starts every command as one.
 */
function endOrphan(worker: string | null, log: { warn(msg: string): void }): void {
  if (!worker) return;
  const [host, pidText] = worker.split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 1) return;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    if (pgrp !== pid) return;
  } catch {
    return; // gone already
  }
  log.warn(`ending the process group ${pid} left running by an earlier attempt whose worker died`);
  killGroup(pid);
}

function readReported(outputDir: string): Record<string, unknown> | null {
  const f = join(outputDir, 'metrics.json');
  if (!existsSync(f)) return null;
  try {
    return JSON.parse(readFileSync(f, 'utf8'));
  } catch {
    return { unreadable: 'metrics.json is not valid JSON' };
  }
}

export async function getTrainingJob(app: AppContext, id: string): Promise<TrainingJob> {
  const r = await app.store.db.selectFrom('training_jobs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw new NotFoundError(`no training job ${id}`);
  const ds = await findDataset(app.store.db, r.model, { tag: r.dataset_tag });
  return {
    id: r.id,
    key: r.key,
    model: r.model,
    executor: r.executor,
    state: r.state as TrainingJob['state'],
    datasetTag: r.dataset_tag,
    datasetDir: ds?.location ?? '',
    params: JSON.parse(r.params),
    codeVersion: r.code_version,
    startedMs: Number(r.started_ms),
    finishedMs: r.finished_ms === null ? null : Number(r.finished_ms),
    outputDir: r.output_dir,
    reportedMetrics: r.reported_metrics ? JSON.parse(r.reported_metrics) : null,
    logs: r.logs,
    error: r.error,
  };
}

/**
 * One step of a remote training job, never blocking: submit it (idempotent by key, so a crash
 * between submitting and recording repeats nothing), or poll it — still running → the next check
 * time; succeeded → its outputs are downloaded and the job recorded; failed, cancelled or past the
 * line's training timeout (the remote job is then cancelled) → TrainingFailedError.
 */
export async function advanceRemoteTraining(
  app: AppContext,
  model: string,
  options: { datasetTag?: string; key: string; params?: Record<string, unknown> },
): Promise<{ job: TrainingJob } | { nextCheckMs: number; status: string }> {
  const line = app.config.models[model]!;
  const executor = remoteExecutorFor(app, line);
  const pollMs = line.train.http?.pollMs ?? line.train.github?.pollMs ?? line.train.hfSpace?.pollMs ?? 30_000;
  const { db } = app.store;
  const now = app.clock.now();
  const existing = await db
    .selectFrom('training_jobs')
    .selectAll()
    .where('key', '=', options.key)
    .orderBy('started_ms', 'desc')
    .executeTakeFirst();
  if (existing?.state === 'succeeded') return { job: await getTrainingJob(app, existing.id) };
  const log = app.logger.child({ model, step: 'train' });
  const secrets = app.config.secretValues;
  if (existing?.state === 'running' && existing.remote) {
    const handle = JSON.parse(existing.remote) as unknown;
    const finish = async (state: 'succeeded' | 'failed', logs: string[], error: string | null) => {
      await db
        .updateTable('training_jobs')
        .set({
          state,
          finished_ms: app.clock.now(),
          logs: redact(logs.join('\n').slice(-65_536), secrets),
          error: error ? redact(error, secrets) : null,
          reported_metrics: state === 'succeeded' ? JSON.stringify(readReported(existing.output_dir)) : null,
        })
        .where('id', '=', existing.id)
        .execute();
      return getTrainingJob(app, existing.id);
    };
    if (now - Number(existing.started_ms) > line.train.timeoutMs) {
      await executor
        .cancel(handle)
        .catch((err: Error) => log.warn(`could not cancel the ${executor.name} job: ${err.message}`));
      throw new TrainingFailedError(
        await finish(
          'failed',
          [],
          `the remote ${executor.name} job did not finish within ${Math.round(line.train.timeoutMs / 1000)} s and was cancelled`,
        ),
      );
    }
    const polled = await executor.poll(handle);
    const status = polled.status;
    const where = status.url ? ` (${status.url})` : '';
    if (JSON.stringify(polled.handle) !== existing.remote)
      await db
        .updateTable('training_jobs')
        .set({ remote: JSON.stringify(polled.handle) })
        .where('id', '=', existing.id)
        .execute();
    if (status.state === 'queued' || status.state === 'running') {
      if (status.logs.length)
        await db
          .updateTable('training_jobs')
          .set({ logs: redact(status.logs.join('\n').slice(-65_536), secrets) })
          .where('id', '=', existing.id)
          .execute();
      return { nextCheckMs: now + pollMs, status: `remote ${executor.name} job is ${status.state}${where}` };
    }
    if (status.state !== 'succeeded')
      throw new TrainingFailedError(
        await finish('failed', status.logs, status.error ?? `the remote ${executor.name} job ${status.state}`),
      );
    const files = await executor.collect(polled.handle, status, existing.output_dir);
    log.info(`remote ${executor.name} job succeeded${where}; ${files} output file(s) collected`);
    return { job: await finish('succeeded', status.logs, null) };
  }
  // Nothing running for this key: submit (again, after a failure).
  const dataset = options.datasetTag
    ? await findDataset(db, model, { tag: options.datasetTag })
    : await latestDataset(db, model);
  if (!dataset) throw new NotFoundError(`${model} has no dataset version ${options.datasetTag ?? 'yet'}`);
  const params = { ...line.train.params, ...options.params };
  const id = newId('train', now);
  const outputDir = join(app.config.artifactsDir, 'training', model, id);
  mkdirSync(outputDir, { recursive: true });
  await db.deleteFrom('training_jobs').where('key', '=', options.key).where('state', '!=', 'succeeded').execute();
  await db
    .insertInto('training_jobs')
    .values({
      id,
      key: options.key,
      model,
      executor: executor.name,
      state: 'running',
      dataset_tag: dataset.tag,
      params: JSON.stringify(params),
      code_version: gitSha(dirname(app.config.source)),
      started_ms: now,
      finished_ms: null,
      output_dir: outputDir,
      reported_metrics: null,
      logs: '',
      error: null,
    })
    .execute();
  const handle = await executor.submit({
    key: options.key,
    model,
    task: line.task,
    params,
    datasetDir: dataset.location,
    datasetTag: dataset.tag,
  });
  await db
    .updateTable('training_jobs')
    .set({ remote: JSON.stringify(handle) })
    .where('id', '=', id)
    .execute();
  log.info(`submitted a remote ${executor.name} training job for ${model} on ${dataset.tag}`);
  return { nextCheckMs: now + pollMs, status: `remote ${executor.name} job submitted` };
}

/** Cancels the remote job of a key if one is running (a cancelled run); records it failed. */
export async function cancelRemoteTraining(app: AppContext, key: string, reason: string): Promise<boolean> {
  const { db } = app.store;
  const job = await db
    .selectFrom('training_jobs')
    .select(['id', 'model', 'remote'])
    .where('key', '=', key)
    .where('state', '=', 'running')
    .where('remote', 'is not', null)
    .executeTakeFirst();
  if (!job) return false;
  const line = app.config.models[job.model];
  if (line && isRemote(line)) await remoteExecutorFor(app, line).cancel(JSON.parse(job.remote!));
  await db
    .updateTable('training_jobs')
    .set({
      state: 'failed',
      finished_ms: app.clock.now(),
      error: `cancelled: ${redact(reason, app.config.secretValues)}`,
    })
    .where('id', '=', job.id)
    .execute();
  return true;
}
