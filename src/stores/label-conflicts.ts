/**
 * Label conflicts: a feedback or example event whose id is already stored with another label. The
 * stored label is kept (ids make ingestion idempotent); the conflict is reported so the sender
 * learns that its correction was not taken. Read only for batches that had duplicates.
 */
import type { ExampleEvent, FeedbackEvent } from '../core/glossary.js';
import type { Store } from './store.js';

export interface LabelConflict {
  type: 'feedback' | 'example';
  model: string;
  id: string;
  stored: string;
  given: string;
}

const PART = 400;

async function storedLabels(
  store: Store,
  table: 'feedback' | 'examples',
  keys: { model: string; id: string }[],
): Promise<Map<string, string>> {
  const idColumn = table === 'feedback' ? 'prediction_id' : 'id';
  const out = new Map<string, string>();
  for (let i = 0; i < keys.length; i += PART) {
    const part = keys.slice(i, i + PART);
    const rows = await store.db
      .selectFrom(table)
      .select(['model', `${idColumn} as id`, 'label'])
      .where((eb) =>
        eb(
          eb.refTuple('model', idColumn),
          'in',
          part.map((k) => eb.tuple(k.model, k.id)),
        ),
      )
      .execute();
    for (const r of rows) out.set(`${r.model}\u0000${r.id}`, r.label);
  }
  return out;
}

/** The events of a batch whose stored label differs from theirs (at most `limit`, and how many). */
export async function labelConflicts(
  store: Store,
  fbs: FeedbackEvent[],
  exs: ExampleEvent[],
): Promise<LabelConflict[]> {
  const out: LabelConflict[] = [];
  const groups = [
    {
      type: 'feedback' as const,
      table: 'feedback' as const,
      keys: fbs.map((f) => ({ model: f.model, id: f.predictionId, label: f.label })),
    },
    {
      type: 'example' as const,
      table: 'examples' as const,
      keys: exs.map((x) => ({ model: x.model, id: x.id, label: x.label })),
    },
  ];
  for (const g of groups) {
    if (g.keys.length === 0) continue;
    const stored = await storedLabels(store, g.table, g.keys);
    for (const k of g.keys) {
      const s = stored.get(`${k.model}\u0000${k.id}`);
      if (s !== undefined && s !== k.label)
        out.push({ type: g.type, model: k.model, id: k.id, stored: s, given: k.label });
    }
  }
  return out;
}
