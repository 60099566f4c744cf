/**
 * Migration 7: the notification outbox (one row per event and channel: retried, de-duplicated by
 * id, recorded), the shadow predictions a challenger makes on a copy of production traffic, and
 * per-line monitoring state (the latest production drift, which feeds the drift_score signal).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('model', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_ms', 'bigint', (c) => c.notNull())
    .addColumn('claimed_until_ms', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('external_ref', 'text')
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addColumn('delivered_ms', 'bigint')
    .execute();
  await db.schema.createIndex('notifications_due').on('notifications').columns(['state', 'next_attempt_ms']).execute();

  await db.schema
    .createTable('shadow_predictions')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('prediction', 'text', (c) => c.notNull())
    .addColumn('confidence', 'double precision')
    .addColumn('ts_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('shadow_predictions_pk', ['model', 'id', 'version'])
    .execute();

  // host:pgid of a running command's process group, for cleanup after its worker died.
  await db.schema.alterTable('training_jobs').addColumn('worker', 'text').execute();
  // A remote job's handle (JSON: id, status_url, cancel_url) and when to poll it next.
  await db.schema.alterTable('training_jobs').addColumn('remote', 'text').execute();

  await db.schema
    .createTable('monitor_state')
    .addColumn('model', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('drift_share', 'double precision', (c) => c.notNull())
    .addColumn('checked_ms', 'bigint', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {}
