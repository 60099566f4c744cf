/**
 * A remote training job, driven in steps so a run never blocks on it: submit (idempotent by the
 * key, so a crash between submitting and recording repeats nothing) or poll once — still running
 * → the next check time; succeeded → its outputs are collected and the job recorded; failed,
 * cancelled or past the line's training timeout (the remote job is then cancelled) →
 * TrainingFailedError. `trainRemotelyInPlace` polls in place for an ad hoc `refit train`.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AppContext } from '../app-context.js';
import type { ModelLineConfig } from '../config/config.js';
import { redact } from '../config/secrets.js';
import { CancelledError } from '../core/errors.js';
import { pollInterval, remoteExecutorFor } from '../executors/remote-executor-for.js';
import type { RemoteExecutor } from '../executors/remote.js';
import type { DatasetRecord } from '../stores/datasets.js';
import { newId } from '../stores/ids.js';
import {
  deleteUnfinishedJobs,
  getJob,
  insertJob,
  jobOfKey,
  runningRemoteJob,
  unfinishedJobsOfKey,
  updateJob,
  type JobRecord,
  type TrainingJob,
} from '../stores/jobs.js';
import { found } from '../stores/lost-write.js';
import { gitSha, LOG_LIMIT, readReported, TrainingFailedError } from './local-training.js';

export type RemoteStep = { job: TrainingJob } | { nextCheckMs: number; status: string };

export interface RemoteTrainingOptions {
  dataset: DatasetRecord;
  key: string;
  params?: Record<string, unknown>;
}

export async function advanceRemoteTraining(
  app: AppContext,
  line: ModelLineConfig,
  options: RemoteTrainingOptions,
): Promise<RemoteStep> {
  const existing = await jobOfKey(app.store, options.key);
  if (existing?.state === 'succeeded') return { job: existing };
  const executor = remoteExecutorFor(app, line);
  if (existing?.state === 'running' && existing.remote) return pollOnce(app, line, executor, existing);
  return submit(app, line, executor, options);
}

/** Nothing running for this key: submit (again, after a failure). */
async function submit(
  app: AppContext,
  line: ModelLineConfig,
  executor: RemoteExecutor,
  options: RemoteTrainingOptions,
): Promise<RemoteStep> {
  const now = app.clock.now();
  const { dataset, key } = options;
  const params = { ...line.train.params, ...options.params };
  const id = newId('train', now);
  const outputDir = join(app.config.artifactsDir, 'training', line.name, id);
  mkdirSync(outputDir, { recursive: true });
  // An earlier attempt that never finished (its process died) leaves a folder: not kept.
  for (const earlier of await unfinishedJobsOfKey(app.store, key))
    rmSync(earlier.outputDir, { recursive: true, force: true });
  await deleteUnfinishedJobs(app.store, key);
  const codeVersion = gitSha(dirname(app.config.source));
  await insertJob(app.store, {
    id,
    key,
    model: line.name,
    executor: executor.name,
    datasetTag: dataset.tag,
    params,
    codeVersion,
    startedMs: now,
    outputDir,
  });
  const handle = await executor.submit({
    key,
    model: line.name,
    task: line.task,
    params,
    datasetDir: dataset.location,
    datasetTag: dataset.tag,
  });
  await updateJob(app.store, id, { remote: handle });
  app.logger
    .child({ model: line.name, step: 'train' })
    .info(`submitted a remote ${executor.name} training job for ${line.name} on ${dataset.tag}`);
  return { nextCheckMs: now + pollInterval(line), status: `remote ${executor.name} job submitted` };
}

async function pollOnce(
  app: AppContext,
  line: ModelLineConfig,
  executor: RemoteExecutor,
  job: JobRecord,
): Promise<RemoteStep> {
  const now = app.clock.now();
  const log = app.logger.child({ model: line.name, step: 'train' });
  const secrets = app.config.secretValues;
  const finish = async (state: 'succeeded' | 'failed', logs: string[], error: string | null) => {
    await updateJob(app.store, job.id, {
      state,
      finishedMs: app.clock.now(),
      logs: redact(logs.join('\n').slice(-LOG_LIMIT), secrets),
      error: error ? redact(error, secrets) : null,
      reportedMetrics: state === 'succeeded' ? readReported(job.outputDir) : null,
    });
    return found(await getJob(app.store, job.id), `training job ${job.id}`);
  };
  if (now - job.startedMs > line.train.timeout + (executor.deadlineGraceMs ?? 0)) {
    await executor
      .cancel(job.remote)
      .catch((err: Error) => log.warn(`could not cancel the ${executor.name} job: ${err.message}`));
    const seconds = Math.round(line.train.timeout / 1000);
    const error = `the remote ${executor.name} job did not finish within ${seconds} s and was cancelled`;
    throw new TrainingFailedError(await finish('failed', [], error));
  }
  const polled = await executor.poll(job.remote);
  const status = polled.status;
  const where = status.url ? ` (${status.url})` : '';
  if (JSON.stringify(polled.handle) !== JSON.stringify(job.remote))
    await updateJob(app.store, job.id, { remote: polled.handle });
  if (status.state === 'queued' || status.state === 'running') {
    if (status.logs.length)
      await updateJob(app.store, job.id, { logs: redact(status.logs.join('\n').slice(-LOG_LIMIT), secrets) });
    return { nextCheckMs: now + pollInterval(line), status: `remote ${executor.name} job is ${status.state}${where}` };
  }
  if (status.state !== 'succeeded') {
    const error = status.error ?? `the remote ${executor.name} job ${status.state}`;
    throw new TrainingFailedError(await finish('failed', status.logs, error), status.final === true);
  }
  const files = await executor.collect(polled.handle, status, job.outputDir);
  log.info(`remote ${executor.name} job succeeded${where}; ${files} output file(s) collected`);
  return { job: await finish('succeeded', status.logs, null) };
}

/** Cancels the remote job of a key if one is running (a cancelled run); records it failed. */
export async function cancelRemoteTraining(app: AppContext, key: string, reason: string): Promise<boolean> {
  const job = await runningRemoteJob(app.store, key);
  if (!job) return false;
  const line = app.config.models[job.model];
  if (line && line.train.executor !== 'builtin' && line.train.executor !== 'command') {
    await remoteExecutorFor(app, line).cancel(job.remote);
  }
  const error = `cancelled: ${redact(reason, app.config.secretValues)}`;
  await updateJob(app.store, job.id, { state: 'failed', finishedMs: app.clock.now(), error });
  return true;
}

/** Ad hoc training on a remote executor: submit and poll in place until it ends. */
export async function trainRemotelyInPlace(
  app: AppContext,
  line: ModelLineConfig,
  options: RemoteTrainingOptions & { signal?: AbortSignal },
): Promise<TrainingJob> {
  for (;;) {
    const step = await advanceRemoteTraining(app, line, options);
    if ('job' in step) return step.job;
    if (options.signal?.aborted) {
      await cancelRemoteTraining(app, options.key, 'cancelled');
      throw new CancelledError(`training of ${line.name} was cancelled`);
    }
    await app.clock.sleep(step.nextCheckMs - app.clock.now());
  }
}
