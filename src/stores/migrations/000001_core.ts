/** Migration 1: the core tables (events, counters, budget, triggers, runs, steps, decisions, locks). */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('model_lines')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addColumn('lock_version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('predictions')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('version', 'text')
    .addColumn('input', 'text', (c) => c.notNull())
    .addColumn('prediction', 'text', (c) => c.notNull())
    .addColumn('confidence', 'double precision')
    .addColumn('ts_ms', 'bigint', (c) => c.notNull())
    .addColumn('ingested_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('predictions_pk', ['model', 'id'])
    .execute();

  await db.schema
    .createTable('feedback')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('prediction_id', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('reviewer_confidence', 'double precision')
    .addColumn('ts_ms', 'bigint', (c) => c.notNull())
    .addColumn('ingested_ms', 'bigint', (c) => c.notNull())
    .addColumn('outcome', 'integer')
    .addColumn('version', 'text')
    .addColumn('matched_ms', 'bigint')
    .addPrimaryKeyConstraint('feedback_pk', ['model', 'prediction_id'])
    .execute();
  await db.schema.createIndex('feedback_model_ts').on('feedback').columns(['model', 'ts_ms']).execute();
  await db.schema
    .createIndex('feedback_unmatched')
    .on('feedback')
    .columns(['model', 'prediction_id'])
    .where(sql.ref('outcome'), 'is', null)
    .execute();

  await db.schema
    .createTable('examples')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('input', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('ts_ms', 'bigint', (c) => c.notNull())
    .addColumn('ingested_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('examples_pk', ['model', 'id'])
    .execute();

  await db.schema
    .createTable('evidence_counters')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('bucket', 'integer', (c) => c.notNull())
    .addColumn('misclassified', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('correct', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('examples', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('mark_misclassified', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('mark_correct', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('mark_examples', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('evidence_counters_pk', ['model', 'bucket'])
    .execute();

  await db.schema
    .createTable('accuracy_hourly')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('hour_ms', 'bigint', (c) => c.notNull())
    .addColumn('correct', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('total', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('accuracy_hourly_pk', ['model', 'version', 'hour_ms'])
    .execute();

  await db.schema
    .createTable('budget_state')
    .addColumn('model', 'text', (c) => c.primaryKey())
    .addColumn('tokens', 'double precision', (c) => c.notNull())
    .addColumn('last_ms', 'bigint')
    .addColumn('rejections', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_ms', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('trigger_state')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('streak', 'integer', (c) => c.notNull())
    .addColumn('updated_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('trigger_state_pk', ['model', 'rule_id'])
    .execute();

  await db.schema
    .createTable('runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('decision_id', 'text')
    .addColumn('forced', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_ms', 'bigint', (c) => c.notNull())
    .addColumn('started_ms', 'bigint')
    .addColumn('finished_ms', 'bigint')
    .addColumn('error', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until_ms', 'bigint')
    .execute();
  await db.schema.createIndex('runs_model_created').on('runs').columns(['model', 'created_ms']).execute();
  await db.schema.createIndex('runs_state').on('runs').columns(['state']).execute();
  // At most one queued run per model line, whatever the number of instances.
  await db.schema
    .createIndex('runs_one_queued')
    .on('runs')
    .column('model')
    .unique()
    .where(sql.ref('state'), '=', 'queued')
    .execute();

  await db.schema
    .createTable('steps')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('started_ms', 'bigint')
    .addColumn('finished_ms', 'bigint')
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('steps_pk', ['run_id', 'step_id'])
    .execute();

  await db.schema
    .createTable('decisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .execute();
  await db.schema.createIndex('decisions_model_at').on('decisions').columns(['model', 'at_ms']).execute();

  await db.schema
    .createTable('locks')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.insertInto('locks').values({ name: 'decide', version: 0 }).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'locks',
    'decisions',
    'steps',
    'runs',
    'trigger_state',
    'budget_state',
    'accuracy_hourly',
    'evidence_counters',
    'examples',
    'feedback',
    'predictions',
    'model_lines',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
