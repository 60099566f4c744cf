/** Migration 2: dataset versions, and which evidence rows a dataset consumed. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('datasets')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('tag', 'text', (c) => c.notNull())
    .addColumn('build_key', 'text')
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addColumn('num_samples', 'integer', (c) => c.notNull())
    .addColumn('splits', 'text', (c) => c.notNull())
    .addColumn('content_sha256', 'text', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('datasets_pk', ['model', 'tag'])
    .execute();
  await db.schema
    .createIndex('datasets_build_key')
    .on('datasets')
    .column('build_key')
    .unique()
    .where(sql.ref('build_key'), 'is not', null)
    .execute();
  await db.schema.createIndex('datasets_model_created').on('datasets').columns(['model', 'created_ms']).execute();
  await db.schema.alterTable('feedback').addColumn('dataset_tag', 'text').execute();
  await db.schema.alterTable('examples').addColumn('dataset_tag', 'text').execute();
  // Covering for sampling: candidates are read from the index alone.
  await db.schema
    .createIndex('feedback_model_outcome')
    .on('feedback')
    .columns(['model', 'outcome', 'prediction_id', 'label', 'reviewer_confidence'])
    .where(sql.ref('dataset_tag'), 'is', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('datasets').ifExists().execute();
}
