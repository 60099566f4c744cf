/**
 * One tick — what `refit run`, `refit serve` and `refit demo` all do: decide for each model line
 * (record decisions, spend budget, queue runs), advance every due run one pass, optionally keep
 * advancing the runs in flight until they end or a deadline passes (sleeping until the earliest
 * next check: resumable, since all state is stored), then housekeeping — the monitor's verdicts
 * (which may roll a degraded champion back) and the delivery of due notifications.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AppContext } from '../app-context.js';
import { InterruptedError } from '../core/errors.js';
import { decideAll, type DecideOptions, type DecideResult } from '../decide/decide-all.js';
import { monitorAll, type MonitorResult } from '../monitor/monitor.js';
import { deliverDue, type DeliveryOutcome } from '../notify/outbox.js';
import { dueRuns, earliestCheck, getRun, runsInFlight } from '../stores/runs.js';
import { advanceRun, type AdvanceResult } from './advance-run.js';

export function workerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export interface TickOptions extends DecideOptions {
  /** Lease owner of this process. */
  owner: string;
  /** null: decide only; 0: one pass over due runs; > 0: until the runs end or this many ms passed. */
  advanceMs: number | null;
}

export interface TickResult {
  decisions: DecideResult;
  runs: AdvanceResult[];
  monitored: MonitorResult[];
  delivered: DeliveryOutcome[];
}

export async function runTick(app: AppContext, options: TickOptions): Promise<TickResult> {
  const decisions = await decideAll(app, options);
  if (options.dryRun || options.advanceMs === null) return { decisions, runs: [], monitored: [], delivered: [] };
  const models = options.models?.length ? options.models : undefined;
  let runs = await advanceDueRuns(app, options.owner, models);
  if (options.advanceMs > 0) {
    // The runs this tick started or advanced, and any still in flight for these lines: a second
    // `refit run --wait` resumes waiting for what an earlier one left parked.
    const queued = decisions.outcomes.map((o) => o.runId).filter((x): x is string => !!x);
    const ids = [...new Set([...runs.map((r) => r.runId), ...queued, ...(await runsInFlight(app.store, models))])];
    runs = await waitForRuns(app, options.owner, ids, app.clock.now() + options.advanceMs);
  }
  const { monitored, delivered } = await housekeeping(app);
  return { decisions, runs, monitored, delivered };
}

export async function advanceDueRuns(app: AppContext, owner: string, models?: string[]): Promise<AdvanceResult[]> {
  const out: AdvanceResult[] = [];
  for (const r of await dueRuns(app.store, app.clock.now(), models)) {
    if (app.interrupt?.aborted)
      throw new InterruptedError('interrupted: the runs not yet advanced stay queued for the next `refit run`');
    const res = await advanceRun(app, r.id, owner);
    if (res.state !== 'skipped') out.push(res);
  }
  return out;
}

/** States a run goes on from without a person (awaiting approval waits for one: `--wait` returns). */
const OPEN = new Set(['queued', 'running', 'waiting']);

/** Sleeps, or stops at once with InterruptedError when the process is asked to stop. */
function sleepUnlessInterrupted(app: AppContext, ms: number): Promise<void> {
  const signal = app.interrupt;
  if (!signal) return app.clock.sleep(ms);
  const stopped = () =>
    new InterruptedError(
      'interrupted while waiting: the runs in flight stay parked; the next `refit run` picks them up',
    );
  if (signal.aborted) return Promise.reject(stopped());
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(stopped());
    signal.addEventListener('abort', onAbort, { once: true });
    void app.clock.sleep(ms).then(() => (signal.removeEventListener('abort', onAbort), resolve()));
  });
}

export async function waitForRuns(
  app: AppContext,
  owner: string,
  runIds: string[],
  deadlineMs: number,
): Promise<AdvanceResult[]> {
  const sleep = (ms: number) => sleepUnlessInterrupted(app, ms);
  const last = new Map<string, AdvanceResult>();
  for (;;) {
    const views = (await Promise.all(runIds.map((id) => getRun(app.store, id)))).filter((v) => v !== null);
    const open = views.filter((r) => OPEN.has(r.state));
    for (const r of views) {
      if (!OPEN.has(r.state))
        last.set(r.id, {
          runId: r.id,
          model: r.model,
          state: r.state as AdvanceResult['state'],
          outcome: r.outcome ?? '',
          code: last.get(r.id)?.code ?? null,
        });
    }
    if (open.length === 0 || app.clock.now() >= deadlineMs) {
      for (const r of open) {
        const outcome = r.outcome ?? 'still in flight when --wait ended';
        last.set(r.id, { runId: r.id, model: r.model, state: r.state as AdvanceResult['state'], outcome, code: null });
      }
      return runIds.map((id) => last.get(id)).filter((r): r is AdvanceResult => r !== undefined);
    }
    const models = [...new Set(open.map((o) => o.model))];
    const advanced = await advanceDueRuns(app, owner, models);
    for (const r of advanced) last.set(r.runId, r);
    const next = await earliestCheck(app.store, runIds);
    if (next !== null) await sleep(Math.max(0, Math.min(next, deadlineMs) - app.clock.now()));
    // Runs another worker holds: look again in a second rather than at once.
    else if (advanced.length === 0) await sleep(Math.min(1000, Math.max(0, deadlineMs - app.clock.now())));
  }
}

/**
 * What every tick does after advancing runs: the monitoring verdicts (which may roll a degraded
 * champion back) and the delivery of due notifications (retries included).
 */
export async function housekeeping(
  app: AppContext,
): Promise<{ monitored: MonitorResult[]; delivered: DeliveryOutcome[] }> {
  const monitored = await monitorAll(app);
  const delivered = await deliverDue(app);
  return { monitored, delivered };
}
