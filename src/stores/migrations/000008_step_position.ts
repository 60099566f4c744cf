/**
 * Migration 8: a step's position in the pipeline table (`steps.position`), so a run's timeline is
 * listed in step order even when steps start within the same millisecond.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('steps')
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
