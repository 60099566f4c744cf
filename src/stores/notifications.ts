/**
 * The notification outbox in the store: one row per event and channel (`<event id>@<channel>`,
 * so an event is recorded once however often it is sent), claimed by a conditional UPDATE on its
 * attempt count, then settled as delivered, pending with a next attempt, or failed.
 */
import type { Selectable } from 'kysely';
import type { NotificationsTable } from './schema.js';
import type { Store } from './store.js';

export interface Delivery {
  id: string;
  eventId: string;
  channel: string;
  model: string | null;
  kind: string;
  payload: string;
  state: 'pending' | 'sending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptMs: number;
  /** While a sender holds it (state sending): until when. */
  claimedUntilMs: number | null;
  lastError: string | null;
  externalRef: string | null;
  createdMs: number;
  deliveredMs: number | null;
}

function toDelivery(r: Selectable<NotificationsTable>): Delivery {
  return {
    id: r.id,
    eventId: r.event_id,
    channel: r.channel,
    model: r.model,
    kind: r.kind,
    payload: r.payload,
    state: r.state as Delivery['state'],
    attempts: r.attempts,
    nextAttemptMs: Number(r.next_attempt_ms),
    claimedUntilMs: r.claimed_until_ms === null ? null : Number(r.claimed_until_ms),
    lastError: r.last_error,
    externalRef: r.external_ref,
    createdMs: Number(r.created_ms),
    deliveredMs: r.delivered_ms === null ? null : Number(r.delivered_ms),
  };
}

/** Records an event for channels; returns how many deliveries are new. */
export async function enqueue(
  store: Store,
  e: { eventId: string; model: string | null; kind: string; payload: string; channels: string[]; nowMs: number },
): Promise<number> {
  if (e.channels.length === 0) return 0;
  const rows = e.channels.map((channel) => ({
    id: `${e.eventId}@${channel}`,
    event_id: e.eventId,
    channel,
    model: e.model,
    kind: e.kind,
    payload: e.payload,
    state: 'pending',
    attempts: 0,
    next_attempt_ms: e.nowMs,
    claimed_until_ms: null,
    last_error: null,
    external_ref: null,
    created_ms: e.nowMs,
    delivered_ms: null,
  }));
  const r = await store.db
    .insertInto('notifications')
    .values(rows)
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0);
}

/** Deliveries due now: pending and due, or claimed by a sender whose claim expired. */
export async function dueDeliveries(
  store: Store,
  nowMs: number,
  eventIds?: string[],
  limit = 200,
): Promise<Delivery[]> {
  if (eventIds && eventIds.length === 0) return [];
  let q = store.db
    .selectFrom('notifications')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb.and([eb('state', '=', 'pending'), eb('next_attempt_ms', '<=', nowMs)]),
        eb.and([eb('state', '=', 'sending'), eb('claimed_until_ms', '<', nowMs)]),
      ]),
    );
  if (eventIds) q = q.where('event_id', 'in', eventIds);
  return (await q.orderBy('created_ms').limit(limit).execute()).map(toDelivery);
}

/** Claims a delivery for one attempt; false when another sender took it first. */
export async function claimDelivery(store: Store, d: Delivery, claimUntilMs: number): Promise<boolean> {
  const r = await store.db
    .updateTable('notifications')
    .set({ state: 'sending', claimed_until_ms: claimUntilMs, attempts: d.attempts + 1 })
    .where('id', '=', d.id)
    .where('attempts', '=', d.attempts)
    .where('state', 'in', ['pending', 'sending'])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function markDelivered(store: Store, id: string, externalRef: string | null, nowMs: number) {
  await store.db
    .updateTable('notifications')
    .set({
      state: 'delivered',
      delivered_ms: nowMs,
      external_ref: externalRef,
      last_error: null,
      claimed_until_ms: null,
    })
    .where('id', '=', id)
    .execute();
}

/** An attempt failed: pending again at `nextMs`, or failed for good (`nextMs` null). */
export async function markUndelivered(store: Store, id: string, error: string, nextMs: number | null) {
  await store.db
    .updateTable('notifications')
    .set({
      state: nextMs === null ? 'failed' : 'pending',
      last_error: error,
      claimed_until_ms: null,
      ...(nextMs !== null ? { next_attempt_ms: nextMs } : {}),
    })
    .where('id', '=', id)
    .execute();
}

export async function listDeliveries(store: Store, filter: { eventId?: string; model?: string } = {}) {
  let q = store.db.selectFrom('notifications').selectAll();
  if (filter.eventId) q = q.where('event_id', '=', filter.eventId);
  if (filter.model) q = q.where('model', '=', filter.model);
  return (await q.orderBy('created_ms').execute()).map(toDelivery);
}

/** Deliveries per channel and state (for /metrics). */
export async function countDeliveries(store: Store): Promise<{ channel: string; state: string; n: number }[]> {
  const rows = await store.db
    .selectFrom('notifications')
    .select(['channel', 'state', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['channel', 'state'])
    .execute();
  return rows.map((r) => ({ channel: r.channel, state: r.state, n: Number(r.n) }));
}
