/**
 * How a pass over a run ends — the one place that decides it, from the error's type, never its
 * message: succeeded; waiting (a step parked the run until its next check); awaiting approval
 * (parked until a person's verdict, and the people told); retried later (a
 * retryable failure within `retry.attempts`, with exponential backoff); cancelled (the lease is
 * released, nothing else changes); or failed — candidate rejected, rolled back, or any other
 * failure — and the people are told.
 */
import type { AppContext } from '../app-context.js';
import { AwaitingApprovalError, codeOf, isRetryable, WaitError, type ErrorCode } from '../core/errors.js';
import { redact } from '../config/secrets.js';
import { explainAnyDiskFull } from '../core/disk-full.js';
import { getRun, releaseLease, settleRun, type RunEnd, type RunView } from '../stores/runs.js';
import { lastFailedStep } from '../stores/steps.js';
import { notifyRun } from './run-notify.js';

export interface AdvanceResult {
  runId: string;
  model: string;
  state: 'running' | 'waiting' | 'awaiting_approval' | 'succeeded' | 'failed' | 'cancelled' | 'skipped';
  outcome: string;
  /** What ended a failed (or parked) pass, by meaning. */
  code: ErrorCode | null;
}

export async function settleSuccess(app: AppContext, run: RunView, headline: string): Promise<AdvanceResult> {
  return finish(app, run, { state: 'succeeded', outcome: headline }, null);
}

export async function settleMissingLine(app: AppContext, run: RunView): Promise<AdvanceResult> {
  const outcome = `model line "${run.model}" is no longer in the configuration`;
  return finish(app, run, { state: 'failed', outcome }, 'CONFIG');
}

export async function settleFailure(app: AppContext, run: RunView, thrown: unknown): Promise<AdvanceResult> {
  // A full disk met anywhere else (the store, a report, a work folder) is said as plainly.
  const err = explainAnyDiskFull(thrown, app.config);
  const code = codeOf(err);
  const now = await getRun(app.store, run.id);
  if (code === 'CANCELLED' || now?.state === 'cancelled') {
    await releaseLease(app.store, run.id);
    return {
      runId: run.id,
      model: run.model,
      state: 'cancelled',
      outcome: now?.outcome ?? 'cancelled',
      code: 'CANCELLED',
    };
  }
  if (err instanceof AwaitingApprovalError) {
    const title = `${run.model}: run ${run.id} awaits approval`;
    await notifyRun(app, {
      runId: run.id,
      model: run.model,
      kind: 'awaiting_approval',
      title,
      text: err.message,
      data: {},
    });
    return finish(app, run, { state: 'awaiting_approval', outcome: err.message }, code);
  }
  if (err instanceof WaitError)
    return finish(app, run, { state: 'waiting', outcome: err.message, nextCheckMs: err.nextCheckMs }, code);
  const message = redact((err as Error).message ?? String(err), app.config.secretValues);
  if (isRetryable(err)) {
    const retry = await retryLater(app, run, message);
    if (retry) return finish(app, run, retry, code);
  }
  await tellFailure(app, run, code, message);
  return finish(app, run, { state: 'failed', outcome: message }, code);
}

/** A retryable failure within the attempts: wait `backoff × 2^(attempt−1)`, then run the step again. */
async function retryLater(app: AppContext, run: RunView, message: string) {
  const failed = await lastFailedStep(app.store, run.id);
  const { attempts, backoff } = app.config.retry;
  if (!failed || failed.attempts >= attempts) return null;
  const wait = backoff * 2 ** (failed.attempts - 1);
  const seconds = Math.round(wait / 1000);
  const outcome = `step ${failed.step} failed (attempt ${failed.attempts} of ${attempts}): ${message}; retrying in ${seconds} s`;
  return { state: 'waiting' as const, outcome, nextCheckMs: app.clock.now() + wait };
}

async function tellFailure(app: AppContext, run: RunView, code: ErrorCode, message: string): Promise<void> {
  const model = run.model;
  if (code === 'ROLLED_BACK') {
    const text = `Run ${run.id}: the deployment was verified and failed.`;
    await notifyRun(app, { runId: run.id, model, kind: 'rolled_back', title: message, text, data: {} });
    return;
  }
  const rejected = code === 'CANDIDATE_REJECTED';
  const kind = rejected ? 'rejected' : 'run_failed';
  const title = `${model}: ${rejected ? `candidate of ${run.id} rejected` : `run ${run.id} failed`}`;
  await notifyRun(app, { runId: run.id, model, kind, title, text: message, data: { run: run.id } });
}

async function finish(app: AppContext, run: RunView, end: RunEnd, code: ErrorCode | null): Promise<AdvanceResult> {
  await settleRun(app.store, run.id, end, app.clock.now());
  const log = app.logger.child({ model: run.model, run: run.id });
  (end.state === 'failed' ? log.warn : log.info)(`run ${end.state}: ${end.outcome}`);
  return { runId: run.id, model: run.model, state: end.state, outcome: end.outcome, code };
}
