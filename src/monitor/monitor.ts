/**
 * Production monitoring of each model line: online accuracy of the champion and of the version
 * it replaced, from reviewed predictions over the line's window, tested for degradation. A
 * degraded champion is rolled back (or only alerted on, `monitor.action: alert`) exactly once:
 * the alert is recorded in the outbox under an id derived from the version before anything
 * moves, and the rollback only applies while that version is still the champion.
 */
import type { AppContext } from '../app-context.js';
import type { ModelLineConfig } from '../config/config.js';
import { deliverDue, notify } from '../notify/outbox.js';
import type { NotifyEvent } from '../notify/event.js';
import { rollback } from '../registry/registry.js';
import { championOf, replacedBy } from '../stores/aliases.js';
import { recordMonitorDecision } from '../stores/decisions.js';
import { versionAccuracy } from '../stores/monitoring.js';
import { recordMonitorVerdict, type MonitorVerdict } from '../stores/monitor-verdicts.js';
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
    await recordMonitorVerdict(app.store, verdictRecord(r, app.clock.now()));
    if (r.champion !== null && r.action !== 'rolled_back') r.drift = await checkProductionDrift(app, line, r.champion);
    out.push(r);
  }
  return out;
}

/** What is kept of a pass: the versions, the numbers behind the verdict, the action and why. */
function verdictRecord(r: MonitorResult, atMs: number): MonitorVerdict {
  const v = r.verdict;
  const numbers = v && {
    championAccuracy: v.champion.accuracy,
    previousAccuracy: v.previous.accuracy,
    championN: v.champion.n,
    previousN: v.previous.n,
    drop: v.drop,
    z: v.z === null || Number.isFinite(v.z) ? v.z : null,
    pValue: v.pValue,
  };
  return {
    model: r.model,
    atMs,
    champion: r.champion,
    previous: r.previous,
    action: r.action,
    reason: r.reason,
    numbers,
  };
}

export async function onlineAccuracy(app: AppContext, line: ModelLineConfig, version: number): Promise<Accuracy> {
  return versionAccuracy(app.store, line.name, version, line.monitor.window, app.clock.now());
}

export async function monitorLine(app: AppContext, line: ModelLineConfig): Promise<MonitorResult> {
  const model = line.name;
  const champion = await championOf(app.store, model);
  const none = { verdict: null, action: 'none' as const };
  if (champion === null) return { model, champion, previous: null, ...none, reason: `${model} has no champion yet` };
  // The version it replaced: the last promotion that made it champion.
  const previous = await replacedBy(app.store, model, champion);
  if (previous === null) {
    return {
      model,
      champion,
      previous,
      ...none,
      reason: `v${champion} replaced no earlier champion: nothing to compare with`,
    };
  }
  const ours = await onlineAccuracy(app, line, champion);
  const theirs = await onlineAccuracy(app, line, previous);
  const verdict = testDegradation(ours, theirs, line.monitor);
  if (!verdict.degraded) return { model, champion, previous, verdict, action: 'none', reason: verdict.reason };
  return actOnDegradation(app, line, champion, previous, verdict);
}

async function actOnDegradation(
  app: AppContext,
  line: ModelLineConfig,
  champion: number,
  previous: number,
  verdict: DegradationVerdict,
): Promise<MonitorResult> {
  const model = line.name;
  const event = degradationEvent(app, line, champion, previous, verdict);
  const fresh = (await notify(app, event)) > 0;
  let action: MonitorResult['action'] = 'alerted';
  if (line.monitor.action === 'rollback') {
    const change = await rollback(app, model, 'monitor', verdict.reason, { expectChampion: champion }).catch(
      (err: Error) => ({ changed: false, reason: err.message }),
    );
    if (!change.changed) {
      // Another instance moved the champion first: this pass did nothing, and says so.
      const reason = `${verdict.reason}; not rolled back here: ${change.reason}`;
      return { model, champion, previous, verdict, action: 'none', reason };
    }
    action = 'rolled_back';
    await recordMonitorDecision(app.store, {
      id: `dec_monitor_${model}_v${champion}`,
      model,
      action: 'rollback',
      reason: verdict.reason,
      details: event.data,
      atMs: app.clock.now(),
    });
  } else if (!fresh) {
    // Already alerted on this version: say so once, not on every tick.
    return { model, champion, previous, verdict, action: 'none', reason: `${verdict.reason} (already alerted)` };
  }
  await deliverDue(app, { eventIds: [event.id] });
  return { model, champion, previous, verdict, action, reason: verdict.reason };
}

function degradationEvent(
  app: AppContext,
  line: ModelLineConfig,
  champion: number,
  previous: number,
  verdict: DegradationVerdict,
): NotifyEvent {
  const rollingBack = line.monitor.action === 'rollback';
  const accuracies = `accuracy ${verdict.champion.accuracy!.toFixed(3)} vs v${previous} ${verdict.previous.accuracy!.toFixed(3)}`;
  const title = `${line.name} v${champion} degraded in production: ${accuracies}${rollingBack ? ` — rolled back to v${previous}` : ''}`;
  return {
    id: `monitor:${line.name}:v${champion}:degraded`,
    kind: rollingBack ? 'rolled_back' : 'alert',
    model: line.name,
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
}
