/**
 * A training job's log while it runs and after: lines are written to the job row as they come
 * (at most once a second, or every 50 lines), so `refit logs --follow` and
 * `GET /v1/runs/:id/logs?follow=true` show a training in progress from any process. A job is
 * found by its id (`train_…`) or by the run it trains for (the run id is the job's key).
 */
import type { AppContext } from '../app-context.js';
import { redact } from '../config/secrets.js';
import { NotFoundError } from '../core/errors.js';
import { getJob, jobOfKey, updateJob, type JobRecord } from '../stores/jobs.js';
import { getRun } from '../stores/runs.js';

const FLUSH_EVERY_MS = 1000;
const FLUSH_EVERY_LINES = 50;
const FOLLOW_POLL_MS = 1000;

/** Mirrors a running job's log lines into its row. `done()` waits for the last write. */
export class LiveLog {
  private lines: string[] = [];
  /** Characters held in `lines` (with their separators): only the tail within the limit is kept. */
  private chars = 0;
  private pending = 0;
  private lastFlushMs: number;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly app: AppContext,
    private readonly jobId: string,
    private readonly limit: number,
  ) {
    this.lastFlushMs = app.clock.now();
  }

  push(line: string): void {
    this.lines.push(line);
    this.chars += line.length + 1;
    while (this.chars > this.limit && this.lines.length > 1) this.chars -= this.lines.shift()!.length + 1;
    this.pending++;
    const now = this.app.clock.now();
    if (this.pending < FLUSH_EVERY_LINES && now - this.lastFlushMs < FLUSH_EVERY_MS) return;
    this.pending = 0;
    this.lastFlushMs = now;
    const logs = redact(this.lines.join('\n').slice(-this.limit), this.app.config.secretValues);
    // In order, never failing the training: the final write carries the whole log anyway.
    this.writing = this.writing.then(() => updateJob(this.app.store, this.jobId, { logs }).catch(() => {}));
  }

  done(): Promise<void> {
    return this.writing;
  }
}

/** The job of a job id, or of a run (its newest attempt); null when the run has none yet. */
export async function jobOf(app: AppContext, ref: string): Promise<JobRecord | null> {
  if (ref.startsWith('train_')) {
    const job = await getJob(app.store, ref);
    if (!job) throw new NotFoundError(`no training job ${ref}: see \`refit runs show RUN\` for a run's job`);
    return job;
  }
  const run = await getRun(app.store, ref);
  if (!run) throw new NotFoundError(`no run or training job ${ref}: see \`refit runs\``);
  return jobOfKey(app.store, ref);
}

/**
 * The log as chunks of text: what there is now, and with `follow` what comes until the job
 * ends (waiting for a queued run's job to start). Each chunk ends with a new line.
 */
export async function* logChunks(app: AppContext, ref: string, follow: boolean): AsyncGenerator<string> {
  let shown = 0;
  for (;;) {
    const job = await jobOf(app, ref);
    const logs = job?.logs ?? '';
    // A log past its limit is cut at the front: start over rather than skip.
    if (logs.length < shown) shown = 0;
    if (logs.length > shown) {
      // Lines are joined by new lines: what follows the last chunk starts with the one between.
      const text = logs.slice(shown).replace(/^\n/, '');
      shown = logs.length;
      yield `${text}\n`;
    }
    const finished = job !== null && job.state !== 'running';
    if (!follow || finished || (job === null && !(await runInFlight(app, ref)))) return;
    await app.clock.sleep(FOLLOW_POLL_MS);
  }
}

async function runInFlight(app: AppContext, ref: string): Promise<boolean> {
  const run = await getRun(app.store, ref);
  return run !== null && !['succeeded', 'failed', 'cancelled'].includes(run.state);
}
