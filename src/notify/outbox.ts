/**
 * The notification outbox. `notify` records an event once per matching channel (the row id is
 * `<event id>@<channel>`, so a resumed run or a second instance cannot enqueue it twice);
 * `deliverDue` claims due rows, delivers them, and records the outcome: delivered, retried later
 * with exponential backoff (honouring Retry-After), or failed after `MAX_ATTEMPTS` or a permanent
 * error. Nothing here throws into the caller: a failing notifier never fails a run.
 */
import type { AppContext } from '../app-context.js';
import type { NotifyChannel } from '../config/config.js';
import { redact } from '../config/secrets.js';
import {
  claimDelivery,
  dueDeliveries,
  enqueue,
  markDelivered,
  markUndelivered,
  type Delivery,
} from '../stores/notifications.js';
import { deliver, DeliveryError } from './channels.js';
import type { NotifyEvent } from './event.js';

export const MAX_ATTEMPTS = 8;
const FIRST_BACKOFF_MS = 30_000;
const MAX_BACKOFF_MS = 3_600_000;
const CLAIM_MS = 60_000;

function wants(channel: NotifyChannel, event: NotifyEvent): boolean {
  const kindOk = !channel.events || channel.events.includes(event.kind);
  const modelOk = !channel.models || event.model === null || channel.models.includes(event.model);
  return kindOk && modelOk;
}

/** Records the event for every channel that wants it; returns how many deliveries are new. */
export async function notify(app: AppContext, event: NotifyEvent): Promise<number> {
  const channels = app.config.notify.filter((c) => wants(c, event)).map((c) => c.id);
  if (channels.length === 0) return 0;
  const payload = redact(JSON.stringify(event), app.config.secretValues);
  const e = { eventId: event.id, model: event.model, kind: event.kind, payload, channels, nowMs: app.clock.now() };
  return enqueue(app.store, e);
}

export interface DeliveryOutcome {
  id: string;
  channel: string;
  state: 'delivered' | 'pending' | 'failed';
  error: string | null;
}

/** Delivers every due notification (or only those of `eventIds`). */
export async function deliverDue(
  app: AppContext,
  options: { eventIds?: string[]; timeoutMs?: number } = {},
): Promise<DeliveryOutcome[]> {
  const now = app.clock.now();
  const out: DeliveryOutcome[] = [];
  for (const row of await dueDeliveries(app.store, now, options.eventIds)) {
    // Claim it: another instance delivering the same row sees zero rows updated and skips it.
    if (!(await claimDelivery(app.store, row, now + CLAIM_MS))) continue;
    out.push(await deliverOne(app, row, now, options.timeoutMs ?? 15_000));
  }
  return out;
}

async function deliverOne(app: AppContext, row: Delivery, now: number, timeoutMs: number): Promise<DeliveryOutcome> {
  const attempt = row.attempts + 1;
  const log = app.logger.child({ notification: row.id });
  const channel = app.config.notify.find((c) => c.id === row.channel);
  if (!channel) {
    const error = `channel ${row.channel} is no longer configured`;
    await markUndelivered(app.store, row.id, error, null);
    return { id: row.id, channel: row.channel, state: 'failed', error };
  }
  try {
    const event = JSON.parse(row.payload) as NotifyEvent;
    const ctx = { githubApiUrl: app.config.githubApiUrl, timeoutMs, nowMs: now, retry: attempt > 1 };
    const ref = await deliver(channel, event, ctx);
    await markDelivered(app.store, row.id, ref, app.clock.now());
    log.info(`notification delivered to ${row.channel}`);
    return { id: row.id, channel: row.channel, state: 'delivered', error: null };
  } catch (err) {
    const e = err instanceof DeliveryError ? err : new DeliveryError((err as Error).message, true);
    const message = redact(e.message, app.config.secretValues);
    const final = !e.retryable || attempt >= MAX_ATTEMPTS;
    const backoff = Math.max(e.retryAfterMs ?? 0, Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1)));
    await markUndelivered(app.store, row.id, message, final ? null : app.clock.now() + backoff);
    const retrying = `failed (attempt ${attempt}, retrying in ${Math.round(backoff / 1000)} s)`;
    log.warn(`notification to ${row.channel} ${final ? 'failed' : retrying}: ${message}`);
    return { id: row.id, channel: row.channel, state: final ? 'failed' : 'pending', error: message };
  }
}
