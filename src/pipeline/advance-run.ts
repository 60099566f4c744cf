/**
 * One pass over a run: claim it (a lease), walk the step table (steps/index.ts) — each step
 * memoised by its id, so a resumed run replays what finished and repeats no side effect — and
 * settle it (settle.ts): succeeded, waiting until its next check, retried later, or failed with
 * a typed reason (rejected, rolled back, cancelled, ...).
 */
import type { AppContext } from '../app-context.js';
import { CancelledError, InterruptedError } from '../core/errors.js';
import { runStep } from '../engine/step.js';
import { claimRun, getRun, markRunning, renewLease, requeueRun, runState } from '../stores/runs.js';
import type { RunView } from '../stores/runs.js';
import { runKeys } from './run-keys.js';
import { settleFailure, settleMissingLine, settleSuccess, type AdvanceResult } from './settle.js';
import type { AnyStep, StepContext } from './step.js';
import { PIPELINE } from './steps/index.js';
import { runHeadline } from './steps/deploy.js';
import { notify, undeliveredNote } from './steps/notify.js';

export type { AdvanceResult };

/** How often a running step checks whether its run was cancelled (ms). */
const CANCEL_POLL_MS = 1000;

export async function advanceRun(app: AppContext, runId: string, owner: string): Promise<AdvanceResult> {
  const run = await getRun(app.store, runId);
  if (!run) return { runId, model: '', state: 'skipped', outcome: `no run ${runId}`, code: null };
  const claimed = await claimRun(app.store, runId, owner, app.clock.now(), app.config.lease);
  if (!claimed)
    return { runId, model: run.model, state: 'skipped', outcome: 'another worker holds this run', code: null };
  await markRunning(app.store, runId, app.clock.now());
  const line = app.config.models[run.model];
  if (!line) return settleMissingLine(app, run);
  const results = new Map<string, unknown>();
  const base = {
    app,
    run,
    line,
    log: app.logger.child({ model: run.model, run: runId }),
    keys: runKeys(runId),
    now: () => app.clock.now(),
    result: <R>(step: { id: string }) => {
      if (!results.has(step.id)) throw new Error(`step ${step.id} has no result in run ${runId} (a missing need)`);
      return results.get(step.id) as R;
    },
    ran: (step: { id: string }) => results.has(step.id),
  };
  let ctx: StepContext = { ...base, signal: new AbortController().signal };
  let current = '';
  try {
    for (const step of PIPELINE) {
      if (step.when && !step.when(ctx)) continue;
      current = step.id;
      const result = await executeStep(app, run, owner, step, base);
      results.set(step.id, result);
      ctx = { ...base, signal: ctx.signal };
      const stop = step.stop?.(result, ctx);
      if (stop) throw stop;
    }
    const told = ctx.ran(notify) ? undeliveredNote(ctx.result(notify)) : '';
    return settleSuccess(app, run, runHeadline(ctx) + told);
  } catch (err) {
    if (app.interrupt?.aborted) throw await releaseInterrupted(app, run, current);
    return settleFailure(app, run, err);
  }
}

/** Ctrl-C or SIGTERM stopped a step: the run goes back to the queue and resumes from that step. */
async function releaseInterrupted(app: AppContext, run: RunView, step: string): Promise<InterruptedError> {
  const next = `the next \`refit run\` resumes it from that step`;
  const outcome = `interrupted at step ${step}; ${next}`;
  await requeueRun(app.store, run.id, outcome, app.clock.now());
  return new InterruptedError(
    `interrupted: run ${run.id} of ${run.model} stopped at step ${step} and was released; ${next}`,
  );
}

/** Runs one step under the lease, watching for cancellation while it works. */
async function executeStep(
  app: AppContext,
  run: RunView,
  owner: string,
  step: AnyStep,
  base: Omit<StepContext, 'signal'>,
): Promise<unknown> {
  if ((await runState(app.store, run.id)) === 'cancelled') throw new CancelledError(`run ${run.id} was cancelled`);
  if (app.interrupt?.aborted) throw new InterruptedError('interrupted between steps');
  await renewLease(app.store, run.id, owner, app.clock.now(), app.config.lease);
  const cancel = new AbortController();
  const watch = setInterval(() => {
    runState(app.store, run.id)
      .then((s) => s === 'cancelled' && cancel.abort())
      .catch(() => {});
  }, CANCEL_POLL_MS);
  const log = base.log.child({ step: step.id });
  const signal = app.interrupt ? AbortSignal.any([cancel.signal, app.interrupt]) : cancel.signal;
  const ctx: StepContext = { ...base, log, signal };
  try {
    const identity = { runId: run.id, stepId: step.id, position: PIPELINE.indexOf(step) };
    const record = await runStep(app.store, identity, step.result, base.now, async () => {
      log.info(`step ${step.id}`);
      return step.run(ctx);
    });
    return record.result;
  } finally {
    clearInterval(watch);
  }
}
