/**
 * Telling people about a run: the event is recorded in the outbox (idempotent by the run's
 * notification key) and delivered now if it can be; what does not go out now is retried by later
 * ticks, and what was not delivered is said, with the channel's error. Never throws: notifying is
 * not the run.
 */
import type { AppContext } from '../app-context.js';
import type { NotifyEvent } from '../notify/event.js';
import { deliverDue, notify } from '../notify/outbox.js';
import { listDeliveries, type Delivery } from '../stores/notifications.js';
import { runKeys } from './run-keys.js';

export interface RunNotice {
  runId: string;
  model: string;
  kind: NotifyEvent['kind'];
  title: string;
  text: string;
  data: Record<string, unknown>;
}

export interface NoticeOutcome {
  /** Deliveries recorded now (0 when an earlier attempt had, or no channel wants it). */
  queued: number;
  delivered: number;
  /** Deliveries that did not go out on this attempt, with why (they are retried). */
  pending: { channel: string; error: string | null }[];
}

const iso = (ms: number) => new Date(ms).toISOString();

function whyNotNow(d: Delivery): string {
  if (d.state === 'sending')
    return (
      `an earlier attempt claimed it until ${iso(d.claimedUntilMs ?? 0)} and did not finish (its process may have ` +
      'died): the next refit run or refit serve tick after that delivers it'
    );
  if (d.state === 'failed') return `gave up after ${d.attempts} attempt(s): ${d.lastError ?? 'unknown error'}`;
  return `next attempt at ${iso(d.nextAttemptMs)}${d.lastError ? ` (last error: ${d.lastError})` : ''}`;
}

export async function notifyRun(app: AppContext, n: RunNotice): Promise<NoticeOutcome> {
  const id = runKeys(n.runId).notification(n.kind);
  const problem = n.kind === 'promoted' ? 'deployments' : n.kind;
  const event: NotifyEvent = {
    id,
    kind: n.kind,
    model: n.model,
    problem,
    title: n.title,
    text: n.text,
    data: { run: n.runId, ...n.data },
    atMs: app.clock.now(),
  };
  try {
    const queued = await notify(app, event);
    const results = await deliverDue(app, { eventIds: [id] });
    const delivered = results.filter((r) => r.state === 'delivered').length;
    const pending = results.filter((r) => r.state !== 'delivered').map((r) => ({ channel: r.channel, error: r.error }));
    // Deliveries this attempt could not take (an earlier, dead attempt holds one): said, not hidden.
    const tried = new Set(results.map((r) => r.id));
    for (const d of await listDeliveries(app.store, { eventId: id }))
      if (d.state !== 'delivered' && !tried.has(d.id)) pending.push({ channel: d.channel, error: whyNotNow(d) });
    return { queued, delivered, pending };
  } catch (err) {
    app.logger.warn(`could not record the notification of ${n.runId}: ${(err as Error).message}`);
    return { queued: 0, delivered: 0, pending: [{ channel: '(outbox)', error: (err as Error).message }] };
  }
}
