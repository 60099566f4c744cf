/**
 * Run leases: a worker claims a run with a conditional UPDATE (free, expired, or already its
 * own), so exactly one of several instances works on a run at a time; it renews the lease between
 * steps (heartbeat). A worker that dies stops renewing, its lease expires, and another worker
 * resumes the run from its memoised steps.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../stores/schema.js';

export const DEFAULT_LEASE_MS = 5 * 60_000;

export async function claimRun(
  db: Kysely<Database>,
  runId: string,
  owner: string,
  nowMs: number,
  leaseMs = DEFAULT_LEASE_MS,
): Promise<boolean> {
  const r = await db
    .updateTable('runs')
    .set({
      lease_owner: owner,
      lease_until_ms: nowMs + leaseMs,
      updated_ms: nowMs,
      started_ms: sql`COALESCE(started_ms, ${nowMs})` as never,
    })
    .where('id', '=', runId)
    .where('state', 'in', ['queued', 'running', 'waiting'])
    .where((eb) =>
      eb.or([eb('lease_owner', 'is', null), eb('lease_until_ms', '<', nowMs), eb('lease_owner', '=', owner)]),
    )
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function renewLease(
  db: Kysely<Database>,
  runId: string,
  owner: string,
  nowMs: number,
  leaseMs = DEFAULT_LEASE_MS,
): Promise<boolean> {
  const r = await db
    .updateTable('runs')
    .set({ lease_until_ms: nowMs + leaseMs })
    .where('id', '=', runId)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Runs a tick should advance: queued ones, waiting ones whose check is due, running ones whose lease expired. */
export async function dueRuns(
  db: Kysely<Database>,
  nowMs: number,
  models?: string[],
): Promise<{ id: string; model: string }[]> {
  let q = db
    .selectFrom('runs')
    .select(['id', 'model'])
    .where((eb) =>
      eb.or([
        eb('state', '=', 'queued'),
        eb.and([
          eb('state', '=', 'waiting'),
          eb.or([eb('next_check_ms', 'is', null), eb('next_check_ms', '<=', nowMs)]),
        ]),
        eb.and([
          eb('state', '=', 'running'),
          eb.or([eb('lease_until_ms', 'is', null), eb('lease_until_ms', '<', nowMs)]),
        ]),
      ]),
    );
  if (models?.length) q = q.where('model', 'in', models);
  return q.orderBy('created_ms').execute();
}
