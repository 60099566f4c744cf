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
import { deliver, DeliveryError } from './channels.js';
import type { NotifyEvent } from './event.js';

export const MAX_ATTEMPTS = 8;
const FIRST_BACKOFF_MS = 30_000;
const MAX_BACKOFF_MS = 3_600_000;
const CLAIM_MS = 60_000;

function wants(channel: NotifyChannel, event: NotifyEvent): boolean {
  return (
    (!channel.events || channel.events.includes(event.kind)) &&
    (!channel.models || event.model === null || channel.models.includes(event.model))
  );
}

/** Records the event for every channel that wants it; returns how many deliveries are new. */
export async function notify(app: AppContext, event: NotifyEvent): Promise<number> {
  const channels = app.config.notify.filter((c) => wants(c, event));
  if (channels.length === 0) return 0;
  const payload = redact(JSON.stringify(event), app.config.secretValues);
  const now = app.clock.now();
  const r = await app.store.db
    .insertInto('notifications')
    .values(
      channels.map((c) => ({
        id: `${event.id}@${c.id}`,
        event_id: event.id,
        channel: c.id,
        model: event.model,
        kind: event.kind,
        payload,
        state: 'pending',
        attempts: 0,
        next_attempt_ms: now,
        claimed_until_ms: null,
        last_error: null,
        external_ref: null,
        created_ms: now,
        delivered_ms: null,
      })),
    )
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0);
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
  const { db } = app.store;
  const now = app.clock.now();
  let q = db
    .selectFrom('notifications')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb.and([eb('state', '=', 'pending'), eb('next_attempt_ms', '<=', now)]),
        eb.and([eb('state', '=', 'sending'), eb('claimed_until_ms', '<', now)]),
      ]),
    );
  if (options.eventIds) {
    if (options.eventIds.length === 0) return [];
    q = q.where('event_id', 'in', options.eventIds);
  }
  const due = await q.orderBy('created_ms').limit(200).execute();
  const out: DeliveryOutcome[] = [];
  for (const row of due) {
    const channel = app.config.notify.find((c) => c.id === row.channel);
    // Claim it: another instance delivering the same row sees zero rows updated and skips it.
    const claimed = await db
      .updateTable('notifications')
      .set({ state: 'sending', claimed_until_ms: now + CLAIM_MS, attempts: row.attempts + 1 })
      .where('id', '=', row.id)
      .where('attempts', '=', row.attempts)
      .where('state', 'in', ['pending', 'sending'])
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) continue;
    const attempt = row.attempts + 1;
    const log = app.logger.child({ notification: row.id });
    if (!channel) {
      await settle(app, row.id, 'failed', `channel ${row.channel} is no longer configured`, null);
      out.push({
        id: row.id,
        channel: row.channel,
        state: 'failed',
        error: `channel ${row.channel} is no longer configured`,
      });
      continue;
    }
    try {
      const ref = await deliver(channel, JSON.parse(row.payload) as NotifyEvent, {
        githubApiUrl: app.config.githubApiUrl,
        timeoutMs: options.timeoutMs ?? 15_000,
        nowMs: now,
        retry: attempt > 1,
      });
      await db
        .updateTable('notifications')
        .set({
          state: 'delivered',
          delivered_ms: app.clock.now(),
          external_ref: ref,
          last_error: null,
          claimed_until_ms: null,
        })
        .where('id', '=', row.id)
        .execute();
      log.info(`notification delivered to ${row.channel}`);
      out.push({ id: row.id, channel: row.channel, state: 'delivered', error: null });
    } catch (err) {
      const e = err instanceof DeliveryError ? err : new DeliveryError((err as Error).message, true);
      const message = redact(e.message, app.config.secretValues);
      const final = !e.retryable || attempt >= MAX_ATTEMPTS;
      const backoff = Math.max(e.retryAfterMs ?? 0, Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1)));
      await settle(app, row.id, final ? 'failed' : 'pending', message, final ? null : app.clock.now() + backoff);
      log.warn(
        `notification to ${row.channel} ${final ? 'failed' : `failed (attempt ${attempt}, retrying in ${Math.round(backoff / 1000)} s)`}: ${message}`,
      );
      out.push({ id: row.id, channel: row.channel, state: final ? 'failed' : 'pending', error: message });
    }
  }
  return out;
}

async function settle(
  app: AppContext,
  id: string,
  state: 'pending' | 'failed',
  error: string,
  nextMs: number | null,
): Promise<void> {
  await app.store.db
    .updateTable('notifications')
    .set({ state, last_error: error, claimed_until_ms: null, ...(nextMs !== null ? { next_attempt_ms: nextMs } : {}) })
    .where('id', '=', id)
    .execute();
}
