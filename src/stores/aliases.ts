/**
 * Aliases (champion, challenger, previous, ...) and their history. A set of alias moves is applied
 * in one transaction that first locks the model line's row, so concurrent promotions from several
 * processes serialise into one gap-free history (`seq`) of who moved what, when and why.
 */
import { CHAMPION } from '../core/aliases.js';
import { newId } from './ids.js';
import { inTransaction, type Store } from './store.js';

export interface AliasMove {
  alias: string;
  from: number | null;
  to: number | null;
}

export interface AliasHistoryEntry {
  seq: number;
  alias: string;
  from: number | null;
  to: number | null;
  atMs: number;
  actor: string;
  action: string;
  reason: string;
}

/** Takes the model line's row lock (SQLite: the write lock) for the rest of the transaction. */
export async function lockLine(tx: Store, model: string): Promise<void> {
  await tx.db
    .updateTable('model_lines')
    .set((eb) => ({ lock_version: eb('lock_version', '+', 1) }))
    .where('name', '=', model)
    .execute();
}

export async function aliasesOf(store: Store, model: string): Promise<Map<string, number>> {
  const rows = await store.db.selectFrom('aliases').select(['alias', 'version']).where('model', '=', model).execute();
  return new Map(rows.map((r) => [r.alias, r.version]));
}

export async function allAliases(store: Store): Promise<{ model: string; alias: string; version: number }[]> {
  return store.db.selectFrom('aliases').select(['model', 'alias', 'version']).execute();
}

/** The champion's version number, or null. */
export async function championOf(store: Store, model: string): Promise<number | null> {
  const row = await store.db
    .selectFrom('aliases')
    .select('version')
    .where('model', '=', model)
    .where('alias', '=', CHAMPION)
    .executeTakeFirst();
  return row?.version ?? null;
}

/**
 * Plans and applies alias moves atomically: `plan` reads the current aliases (under the lock) and
 * returns the moves, or a sentence saying why nothing moves. Returns the moves applied, or that sentence.
 */
export async function moveAliases(
  store: Store,
  m: { model: string; action: string; actor: string; reason: string; atMs: number },
  plan: (current: Map<string, number>) => AliasMove[] | string,
): Promise<AliasMove[] | string> {
  return inTransaction(store, async (tx) => {
    await lockLine(tx, m.model);
    const moves = plan(await aliasesOf(tx, m.model));
    if (typeof moves === 'string') return moves;
    const last = await tx.db
      .selectFrom('alias_history')
      .select((eb) => eb.fn.max<number>('seq').as('s'))
      .where('model', '=', m.model)
      .executeTakeFirst();
    let seq = Number(last?.s ?? 0);
    for (const move of moves) {
      await writeMove(tx, m.model, move, m.atMs);
      await tx.db
        .insertInto('alias_history')
        .values({
          id: newId('alias', m.atMs),
          model: m.model,
          alias: move.alias,
          from_version: move.from,
          to_version: move.to,
          at_ms: m.atMs,
          seq: ++seq,
          actor: m.actor,
          action: m.action,
          reason: m.reason,
        })
        .execute();
    }
    return moves;
  });
}

async function writeMove(tx: Store, model: string, move: AliasMove, atMs: number): Promise<void> {
  if (move.to === null) {
    await tx.db.deleteFrom('aliases').where('model', '=', model).where('alias', '=', move.alias).execute();
    return;
  }
  await tx.db
    .insertInto('aliases')
    .values({ model, alias: move.alias, version: move.to, updated_ms: atMs })
    .onConflict((oc) => oc.columns(['model', 'alias']).doUpdateSet({ version: move.to!, updated_ms: atMs }))
    .execute();
}

export async function aliasHistory(store: Store, model: string): Promise<AliasHistoryEntry[]> {
  const rows = await store.db
    .selectFrom('alias_history')
    .selectAll()
    .where('model', '=', model)
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({
    seq: r.seq,
    alias: r.alias,
    from: r.from_version,
    to: r.to_version,
    atMs: Number(r.at_ms),
    actor: r.actor,
    action: r.action,
    reason: r.reason,
  }));
}

/** The champion a version replaced when it was last promoted (null if it replaced none). */
export async function replacedBy(store: Store, model: string, champion: number): Promise<number | null> {
  const row = await store.db
    .selectFrom('alias_history')
    .select('from_version')
    .where('model', '=', model)
    .where('alias', '=', CHAMPION)
    .where('to_version', '=', champion)
    .where('action', '=', 'promote')
    .orderBy('seq', 'desc')
    .executeTakeFirst();
  return row?.from_version ?? null;
}
