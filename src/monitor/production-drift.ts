/**
 * Drift of production inputs against the champion's training data: the latest served or
 * ingested inputs of the champion version vs the train split of the dataset it was trained on,
 * through the drift module (Evidently's per-column defaults and the dataset share rule). At most
 * once per `monitor.drift_every` per line; the share is stored and read back as the `drift_score`
 * signal of the next retrain decision; a dataset-level drift alerts once per champion version.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppContext } from '../app-context.js';
import type { ModelLineConfig } from '../config/config.js';
import { driftReport, type DriftReport } from '../ml/drift/report.js';
import { deliverDue, notify } from '../notify/outbox.js';
import { getVersion } from '../registry/registry.js';
import { findDataset } from '../stores/datasets.js';
import { driftState, recentInputs, saveDriftState } from '../stores/monitoring.js';

const REFERENCE_ROWS = 5000;
const CURRENT_ROWS = 1000;

export interface ProductionDrift {
  version: number;
  driftShare: number;
  datasetDrift: boolean;
  reason: string;
}

export async function checkProductionDrift(
  app: AppContext,
  line: ModelLineConfig,
  champion: number,
): Promise<ProductionDrift | null> {
  const now = app.clock.now();
  const last = await driftState(app.store, line.name);
  if (last && last.version === champion && now - last.checkedMs < line.monitor.driftEvery) return null;
  const v = await getVersion(app, line.name, champion);
  const ds = v.datasetTag ? await findDataset(app.store, line.name, { tag: v.datasetTag }) : null;
  const train = ds ? join(ds.location, 'train.jsonl') : null;
  if (!train || !existsSync(train)) return null;
  const reference = referenceRows(train);
  const recent = await recentInputs(app.store, line.name, champion, CURRENT_ROWS);
  if (recent.length < line.monitor.minSamples) return null;
  const report = driftReport(reference, recent);
  const reason = describeDrift(report, champion, recent.length, v.datasetTag);
  await saveDriftState(app.store, line.name, {
    version: champion,
    driftShare: report.driftShare,
    checkedMs: now,
    details: report,
  });
  if (report.datasetDrift) await alertDrift(app, line, champion, report, reason);
  return { version: champion, driftShare: report.driftShare, datasetDrift: report.datasetDrift, reason };
}

/** A champion's training inputs, read once per process (the monitor checks them again and again). */
const references = new Map<string, Record<string, unknown>[]>();

function referenceRows(trainFile: string): Record<string, unknown>[] {
  let rows = references.get(trainFile);
  if (!rows) {
    rows = readFileSync(trainFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .slice(0, REFERENCE_ROWS)
      .map((l) => JSON.parse(l).input as Record<string, unknown>);
    // A few lines' champions at most: older entries are dropped.
    if (references.size >= 8) references.delete(references.keys().next().value!);
    references.set(trainFile, rows);
  }
  return rows;
}

function describeDrift(report: DriftReport, champion: number, n: number, tag: string | null): string {
  const drifted = report.columns
    .filter((c) => c.drift)
    .map((c) => `${c.column} (${c.method} ${c.statistic.toFixed(3)} vs ${c.threshold})`);
  const counts = `${report.driftedColumns} of ${report.testedColumns} column(s) drifted`;
  const share = `share ${report.driftShare.toFixed(2)}, dataset drift at ${report.shareThreshold}`;
  const list = drifted.length ? `: ${drifted.join(', ')}` : '';
  return `production inputs of v${champion} (${n} latest) vs its training data ${tag}: ${counts} (${share})${list}`;
}

async function alertDrift(
  app: AppContext,
  line: ModelLineConfig,
  champion: number,
  report: DriftReport,
  reason: string,
) {
  const id = `drift:${line.name}:v${champion}`;
  const columns = report.columns.map((c) => ({
    column: c.column,
    method: c.method,
    statistic: c.statistic,
    threshold: c.threshold,
    drift: c.drift,
  }));
  await notify(app, {
    id,
    kind: 'alert',
    model: line.name,
    problem: 'drift',
    title:
      `${line.name} v${champion}: production inputs drifted from the training data ` +
      `(${report.driftedColumns} of ${report.testedColumns} columns)`,
    text: reason,
    data: { version: champion, drift_share: report.driftShare, columns },
    atMs: app.clock.now(),
  });
  await deliverDue(app, { eventIds: [id] });
}
