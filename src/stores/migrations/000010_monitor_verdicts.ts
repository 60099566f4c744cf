/**
 * Migration 10: monitor verdicts — each model line's last monitoring verdict and the last one that
 * acted (a rollback or an alert): the versions compared, accuracies, n, z, p, the action and why.
 * Two rows per line at most (`slot`: last | acted), replaced on every pass.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('monitor_verdicts')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('slot', 'text', (c) => c.notNull())
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .addColumn('champion', 'integer')
    .addColumn('previous', 'integer')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('numbers', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('monitor_verdicts_pk', ['model', 'slot'])
    .execute();
}
