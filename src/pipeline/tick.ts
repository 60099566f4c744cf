/**
 * Advancing runs: every due run (queued, waiting and due, or running with an expired lease) is
 * claimed and advanced one pass. `waitForRuns` repeats passes until the given runs end or the
 * deadline passes, sleeping until the earliest next check — resumable, since all state is stored.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../app-context.js';
import { dueRuns } from '../engine/lease.js';
import { advanceRun, type AdvanceResult } from './advance-run.js';
import { monitorAll, type MonitorResult } from '../monitor/monitor.js';
import { deliverDue, type DeliveryOutcome } from '../notify/outbox.js';

export function workerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export async function advanceDueRuns(app: AppContext, owner: string, models?: string[]): Promise<AdvanceResult[]> {
  const out: AdvanceResult[] = [];
  for (const r of await dueRuns(app.store.db, app.clock.now(), models)) {
    const res = await advanceRun(app, r.id, owner);
    if (res.state !== 'skipped') out.push(res);
  }
  return out;
}

export async function waitForRuns(
  app: AppContext,
  owner: string,
  runIds: string[],
  deadlineMs: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<AdvanceResult[]> {
  const last = new Map<string, AdvanceResult>();
  for (;;) {
    const rows = runIds.length
      ? await app.store.db
          .selectFrom('runs')
          .select(['id', 'model', 'state', 'outcome', 'next_check_ms'])
          .where('id', 'in', runIds)
          .execute()
      : [];
    const open = rows.filter((r) => r.state === 'queued' || r.state === 'running' || r.state === 'waiting');
    for (const r of rows)
      if (!open.includes(r))
        last.set(r.id, {
          runId: r.id,
          model: r.model,
          state: r.state as AdvanceResult['state'],
          outcome: r.outcome ?? '',
        });
    if (open.length === 0 || app.clock.now() >= deadlineMs) {
      for (const r of open)
        last.set(r.id, {
          runId: r.id,
          model: r.model,
          state: r.state as AdvanceResult['state'],
          outcome: r.outcome ?? 'still in flight when --wait ended',
        });
      return runIds.map((id) => last.get(id)!).filter(Boolean);
    }
    for (const r of await advanceDueRuns(app, owner, [...new Set(open.map((o) => o.model))])) last.set(r.runId, r);
    const next = await app.store.db
      .selectFrom('runs')
      .select('next_check_ms')
      .where('id', 'in', runIds)
      .where('state', '=', 'waiting')
      .orderBy('next_check_ms')
      .executeTakeFirst();
    if (next?.next_check_ms)
      await sleep(Math.max(0, Math.min(Number(next.next_check_ms), deadlineMs) - app.clock.now()));
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
