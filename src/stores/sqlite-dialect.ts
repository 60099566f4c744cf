/**
 * Kysely's SQLite dialect with migrations in a transaction. Kysely's SqliteAdapter reports no
 * transactional DDL, so its migrator applies a migration statement by statement: a crash or a full
 * disk halfway leaves some tables made and the migration unrecorded, and every later open fails
 * with "table … already exists". SQLite does roll DDL back, so the migrator is told so: a pending
 * set of migrations is applied whole, with its records, or not at all.
 */
import { SqliteAdapter, SqliteDialect, type DialectAdapter } from 'kysely';

class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

export class TransactionalSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter();
  }
}
