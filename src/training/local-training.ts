/**
 * A local training job: the line's trainer (the built-in worker thread or a command in its own
 * process group) on a dataset version, tracked as an experiment — params, dataset version, code
 * version (git sha), start and end, state, logs, and the metrics the trainer reports (kept, never
 * trusted). Idempotent by key: a job that succeeded with a key is returned, not run again; the
 * attempts a dead worker left are ended (their process group) and cleaned up (their directory).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { AppContext } from '../app-context.js';
import type { ModelLineConfig } from '../config/config.js';
import { redact } from '../config/secrets.js';
import { RefitError } from '../core/errors.js';
import { describeFree } from '../core/disk-full.js';
import type { Logger } from '../core/ports/logger.js';
import { runBuiltin, type ExecutionResult } from '../executors/builtin.js';
import { killGroup, runCommand } from '../executors/command.js';
import type { DatasetRecord } from '../stores/datasets.js';
import { newId } from '../stores/ids.js';
import { LiveLog } from './job-logs.js';
import {
  deleteUnfinishedJobs,
  getJob,
  insertJob,
  jobOfKey,
  unfinishedJobsOfKey,
  updateJob,
  type TrainingJob,
} from '../stores/jobs.js';
import { found } from '../stores/lost-write.js';

/** The most of a job's log kept in the store. */
export const LOG_LIMIT = 65_536;

export class TrainingFailedError extends RefitError {
  /** `final`: the trainer's side already retried (a Kubernetes Job's pods): the step is not run again. */
  constructor(
    readonly job: TrainingJob,
    readonly final = false,
  ) {
    super('TRAINING_FAILED', `training ${job.id} of ${job.model} failed: ${job.error}`);
  }

  override get retryable(): boolean {
    return !this.final;
  }
}

export function gitSha(dir: string): string | null {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });
    return out.toString().trim() || null;
  } catch {
    return null;
  }
}

export interface LocalTrainingOptions {
  dataset: DatasetRecord;
  key?: string;
  params?: Record<string, unknown>;
  signal?: AbortSignal;
}

export async function runLocalTraining(app: AppContext, line: ModelLineConfig, options: LocalTrainingOptions) {
  if (options.key) {
    const done = await jobOfKey(app.store, options.key);
    if (done?.state === 'succeeded') return done;
    await clearAttempts(app, options.key, app.logger.child({ model: line.name, step: 'train' }));
  }
  const dataset = options.dataset;
  const params = { ...line.train.params, ...options.params };
  const now = app.clock.now();
  const id = newId('train', now);
  const outputDir = join(app.config.artifactsDir, 'training', line.name, id);
  mkdirSync(outputDir, { recursive: true });
  const codeVersion = gitSha(dirname(app.config.source));
  const executor = line.train.executor;
  await insertJob(app.store, {
    id,
    key: options.key ?? null,
    model: line.name,
    executor,
    datasetTag: dataset.tag,
    params,
    codeVersion,
    startedMs: now,
    outputDir,
  });
  const log = app.logger.child({ model: line.name, step: 'train', job: id });
  log.info(`training ${line.name} on ${dataset.tag} with the ${executor} executor`);
  const live = new LiveLog(app, id, LOG_LIMIT);
  const x = { id, dataset, outputDir, params, log, live, signal: options.signal };
  const result = await execute(app, line, x);
  await live.done();
  const secrets = app.config.secretValues;
  await updateJob(app.store, id, {
    state: result.ok ? 'succeeded' : 'failed',
    finishedMs: app.clock.now(),
    logs: redact(result.logs.join('\n').slice(-LOG_LIMIT), secrets),
    reportedMetrics: result.reported,
    error: result.error ? redact(withDiskFull(result, outputDir), secrets) : null,
  });
  const job = found(await getJob(app.store, id), `training job ${id}`);
  if (!result.ok) {
    log.error(`training failed: ${job.error}`);
    throw new TrainingFailedError(job);
  }
  log.info('training finished');
  return job;
}

/** The trainer's error, plus what its log shows: that it ran out of disk space, with where and what to do. */
function withDiskFull(result: ExecutionResult, outputDir: string): string {
  const error = result.error ?? '';
  const tail = result.logs.slice(-50).join('\n');
  if (!/ENOSPC|EDQUOT|No space left on device|Disk quota exceeded|\[Errno 28\]/.test(tail)) return error;
  const fix = 'free space there or point `artifacts:` at a larger disk';
  return `${error}; its log shows the disk of ${outputDir} is full (${describeFree(outputDir)}): ${fix}`;
}

interface Execution {
  id: string;
  dataset: DatasetRecord;
  outputDir: string;
  params: Record<string, unknown>;
  log: Logger;
  live: LiveLog;
  signal?: AbortSignal;
}

async function execute(app: AppContext, line: ModelLineConfig, x: Execution): Promise<ExecutionResult> {
  const onLog = (l: string) => {
    x.log.debug(l);
    x.live.push(l);
  };
  if (line.train.executor === 'builtin') {
    return runBuiltin({
      datasetDir: x.dataset.location,
      outputDir: x.outputDir,
      task: line.task,
      params: x.params as never,
      timeoutMs: line.train.timeout,
      onLog,
      signal: x.signal,
    });
  }
  const env = {
    REFIT_DATASET_DIR: x.dataset.location,
    REFIT_DATASET: x.dataset.tag,
    REFIT_OUTPUT_DIR: x.outputDir,
    REFIT_PARAMS: JSON.stringify(x.params),
    REFIT_MODEL: line.name,
    REFIT_TASK: line.task,
  };
  const cwd = dirname(app.config.source);
  const onStart = (pid: number) => void updateJob(app.store, x.id, { worker: `${hostname()}:${pid}` }).catch(() => {});
  const r = await runCommand(line.train.command!, env, line.train.timeout, cwd, onLog, { signal: x.signal, onStart });
  return { ...r, reported: readReported(x.outputDir) };
}

/**
 * Before a key's next attempt: ends the process group an earlier attempt's dead worker left
 * running on this host, removes its output directory, and forgets the attempt.
 */
async function clearAttempts(app: AppContext, key: string, log: Logger): Promise<void> {
  for (const j of await unfinishedJobsOfKey(app.store, key)) {
    if (j.remote) continue;
    endOrphan(j.worker, log);
    rmSync(j.outputDir, { recursive: true, force: true });
  }
  await deleteUnfinishedJobs(app.store, key);
}

/**
 * Kills the process group a dead worker left behind, when it ran on this host (`host:pgid`). A
 * recycled pid could belong to someone else, so the group must still look like a command's:
 * a group leader (its pgid equals its pid) — refit starts every command as one.
 */
function endOrphan(worker: string | null, log: Logger): void {
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

export function readReported(outputDir: string): Record<string, unknown> | null {
  const f = join(outputDir, 'metrics.json');
  if (!existsSync(f)) return null;
  try {
    const reported = JSON.parse(readFileSync(f, 'utf8'));
    // Kept as reported (never trusted for the gate), but it must be an object of metrics.
    if (reported && typeof reported === 'object' && !Array.isArray(reported)) return reported;
    return { unreadable: 'metrics.json is not a JSON object of metrics' };
  } catch {
    return { unreadable: 'metrics.json is not valid JSON' };
  }
}
