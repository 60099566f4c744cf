/**
 * Production monitoring of each model line: online accuracy of the champion and of the version
 * it replaced, from reviewed predictions over the line's window, tested for degradation. A
 * degraded champion is rolled back (or only alerted on, `monitor.action: alert`) exactly once:
 * the alert is recorded in the outbox under an id derived from the version before anything
 * moves, and the rollback only applies while that version is still the champion.
 */
import { sql } from 'kysely';
import type { AppContext } from '../app-context.js';
import { CHAMPION } from '../core/aliases.js';
import type { ModelLineConfig } from '../config/config.js';
import { deliverDue, notify } from '../notify/outbox.js';
import { rollback } from '../registry/registry.js';
import { testDegradation, type Accuracy, type DegradationVerdict } from './degradation.js';
import { checkProductionDrift, type ProductionDrift } from './production-drift.js';

export interface MonitorResult {
  model: string;
  champion: number | null;
  previous: number | null;
  verdict: DegradationVerdict | null;
  action: 'none' | 'rolled_back' | 'alerted';
  reason: string;
  /** Production input drift, when it was checked on this pass. */
  drift?: ProductionDrift | null;
}

export async function monitorAll(app: AppContext): Promise<MonitorResult[]> {
  const out: MonitorResult[] = [];
  for (const line of Object.values(app.config.models)) {
    const r = await monitorLine(app, line);
    if (r.champion !== null && r.action !== 'rolled_back') r.drift = await checkProductionDrift(app, line, r.champion);
    out.push(r);
  }
  return out;
}

export async function onlineAccuracy(app: AppContext, line: ModelLineConfig, version: number): Promise<Accuracy> {
  const w = line.monitor.window;
  let q = app.store.db
    .selectFrom('feedback')
    .select('outcome')
    .where('model', '=', line.name)
    .where('version', '=', String(version))
    .where('outcome', 'is not', null);
  if (w.kind === 'time') q = q.where('ts_ms', '>=', app.clock.now() - w.ms);
  const windowed = q.orderBy('ts_ms', 'desc').limit(w.kind === 'count' ? w.count : 10_000_000);
  const row = await app.store.db
    .selectFrom(windowed.as('w'))
    .select([(eb) => eb.fn.countAll<number>().as('n'), sql<number>`COALESCE(SUM(w.outcome), 0)`.as('correct')])
    .executeTakeFirstOrThrow();
  return { version, n: Number(row.n), correct: Number(row.correct) };
}

export async function monitorLine(app: AppContext, line: ModelLineConfig): Promise<MonitorResult> {
  const { db } = app.store;
  const model = line.name;
  const alias = await db
    .selectFrom('aliases')
    .select('version')
    .where('model', '=', model)
    .where('alias', '=', CHAMPION)
    .executeTakeFirst();
  if (!alias)
    return {
      model,
      champion: null,
      previous: null,
      verdict: null,
      action: 'none',
      reason: `${model} has no champion yet`,
    };
  const champion = alias.version;
  // The version it replaced: the last promotion that made it champion.
  const promoted = await db
    .selectFrom('alias_history')
    .select('from_version')
    .where('model', '=', model)
    .where('alias', '=', CHAMPION)
    .where('to_version', '=', champion)
    .where('action', '=', 'promote')
    .orderBy('seq', 'desc')
    .executeTakeFirst();
  const previous = promoted?.from_version ?? null;
  if (previous === null)
    return {
      model,
      champion,
      previous,
      verdict: null,
      action: 'none',
      reason: `v${champion} replaced no earlier champion: nothing to compare with`,
    };

  const verdict = testDegradation(
    await onlineAccuracy(app, line, champion),
    await onlineAccuracy(app, line, previous),
    line.monitor,
  );
  if (!verdict.degraded) return { model, champion, previous, verdict, action: 'none', reason: verdict.reason };

  const rollingBack = line.monitor.action === 'rollback';
  const title = `${model} v${champion} degraded in production: accuracy ${verdict.champion.accuracy!.toFixed(3)} vs v${previous} ${verdict.previous.accuracy!.toFixed(3)}${rollingBack ? ` — rolled back to v${previous}` : ''}`;
  const event = {
    id: `monitor:${model}:v${champion}:degraded`,
    kind: rollingBack ? ('rolled_back' as const) : ('alert' as const),
    model,
    problem: 'degradation',
    title,
    text: verdict.reason,
    data: {
      champion,
      previous,
      champion_accuracy: verdict.champion.accuracy,
      previous_accuracy: verdict.previous.accuracy,
      champion_n: verdict.champion.n,
      previous_n: verdict.previous.n,
      drop: verdict.drop,
      z: verdict.z,
      p_value: verdict.pValue,
      margin: line.monitor.margin,
      alpha: line.monitor.alpha,
    },
    atMs: app.clock.now(),
  };
  const fresh = (await notify(app, event)) > 0;
  let action: MonitorResult['action'] = 'alerted';
  if (rollingBack) {
    const change = await rollback(app, model, 'monitor', verdict.reason, { expectChampion: champion }).catch(
      (err: Error) => ({ changed: false, reason: err.message }),
    );
    if (change.changed) {
      action = 'rolled_back';
      await db
        .insertInto('decisions')
        .values({
          id: `dec_monitor_${model}_v${champion}`,
          model,
          at_ms: app.clock.now(),
          action: 'rollback',
          actor: 'monitor',
          reason: verdict.reason,
          details: JSON.stringify(event.data),
          run_id: null,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    }
  } else if (!fresh) {
    // Already alerted on this version: say so once, not on every tick.
    return { model, champion, previous, verdict, action: 'none', reason: `${verdict.reason} (already alerted)` };
  }
  await deliverDue(app, { eventIds: [event.id] });
  return { model, champion, previous, verdict, action, reason: verdict.reason };
}
