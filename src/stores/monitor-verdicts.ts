/**
 * Monitor verdicts: what the last monitoring pass of a model line concluded (versions compared,
 * online accuracies, n, z, p, the action taken or why none), and the last verdict that acted.
 * `refit status`, `GET /v1/models/:model` and the dashboard read them; the monitor writes them.
 */
import type { Store } from './store.js';

export interface VerdictNumbers {
  championAccuracy: number | null;
  previousAccuracy: number | null;
  championN: number;
  previousN: number;
  drop: number | null;
  z: number | null;
  pValue: number | null;
}

export interface MonitorVerdict {
  model: string;
  atMs: number;
  champion: number | null;
  previous: number | null;
  /** none | rolled_back | alerted */
  action: string;
  reason: string;
  numbers: VerdictNumbers | null;
}

type Slot = 'last' | 'acted';

async function put(store: Store, slot: Slot, v: MonitorVerdict): Promise<void> {
  const row = {
    at_ms: v.atMs,
    champion: v.champion,
    previous: v.previous,
    action: v.action,
    reason: v.reason,
    numbers: JSON.stringify(v.numbers),
  };
  await store.db
    .insertInto('monitor_verdicts')
    .values({ model: v.model, slot, ...row })
    .onConflict((oc) => oc.columns(['model', 'slot']).doUpdateSet(row))
    .execute();
}

/** Stores a pass's verdict as the line's last; one that acted also as its last action. */
export async function recordMonitorVerdict(store: Store, v: MonitorVerdict): Promise<void> {
  await put(store, 'last', v);
  if (v.action !== 'none') await put(store, 'acted', v);
}

export async function monitorVerdicts(
  store: Store,
  model: string,
): Promise<{ last: MonitorVerdict | null; lastAction: MonitorVerdict | null }> {
  const rows = await store.db.selectFrom('monitor_verdicts').selectAll().where('model', '=', model).execute();
  const of = (slot: Slot): MonitorVerdict | null => {
    const r = rows.find((x) => x.slot === slot);
    if (!r) return null;
    return {
      model: r.model,
      atMs: Number(r.at_ms),
      champion: r.champion === null ? null : Number(r.champion),
      previous: r.previous === null ? null : Number(r.previous),
      action: r.action,
      reason: r.reason,
      numbers: JSON.parse(r.numbers) as VerdictNumbers | null,
    };
  };
  return { last: of('last'), lastAction: of('acted') };
}
