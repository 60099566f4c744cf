/**
 * Drift of production inputs against the champion's training data: the latest served or
 * ingested inputs of the champion version vs the train split of the dataset it was trained on,
 * through the drift module (Evidently's per-column defaults and the dataset share rule). At most
 * once per `CHECK_EVERY_MS` per line; the share is stored and read back as the `drift_score`
 * signal of the next retrain decision; a dataset-level drift alerts once per champion version.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { AppContext } from '../app-context.js';
import type { ModelLineConfig } from '../config/config.js';
import { driftReport } from '../ml/drift/report.js';
import { deliverDue, notify } from '../notify/outbox.js';
import { getVersion } from '../registry/registry.js';
import { findDataset } from '../stores/datasets.js';
import type { Database } from '../stores/schema.js';

export const CHECK_EVERY_MS = 3_600_000;
const REFERENCE_ROWS = 5000;
const CURRENT_ROWS = 1000;

export interface ProductionDrift {
  version: number;
  driftShare: number;
  datasetDrift: boolean;
  reason: string;
}

export async function readDriftScore(db: Kysely<Database>, model: string): Promise<number | null> {
  const row = await db.selectFrom('monitor_state').select('drift_share').where('model', '=', model).executeTakeFirst();
  return row ? Number(row.drift_share) : null;
}

export async function checkProductionDrift(
  app: AppContext,
  line: ModelLineConfig,
  champion: number,
): Promise<ProductionDrift | null> {
  const { db } = app.store;
  const now = app.clock.now();
  const last = await db
    .selectFrom('monitor_state')
    .select(['checked_ms', 'version'])
    .where('model', '=', line.name)
    .executeTakeFirst();
  if (last && last.version === champion && now - Number(last.checked_ms) < CHECK_EVERY_MS) return null;
  const v = await getVersion(app, line.name, champion);
  const ds = v.datasetTag ? await findDataset(db, line.name, { tag: v.datasetTag }) : null;
  const train = ds ? join(ds.location, 'train.jsonl') : null;
  if (!train || !existsSync(train)) return null;
  const reference = readFileSync(train, 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, REFERENCE_ROWS)
    .map((l) => JSON.parse(l).input as Record<string, unknown>);
  const recent = await db
    .selectFrom('predictions')
    .select('input')
    .where('model', '=', line.name)
    .where('version', '=', String(champion))
    .orderBy('ts_ms', 'desc')
    .limit(CURRENT_ROWS)
    .execute();
  if (recent.length < line.monitor.minSamples) return null;
  const report = driftReport(
    reference,
    recent.map((r) => JSON.parse(r.input) as Record<string, unknown>),
  );
  const drifted = report.columns
    .filter((c) => c.drift)
    .map((c) => `${c.column} (${c.method} ${c.statistic.toFixed(3)} vs ${c.threshold})`);
  const reason = `production inputs of v${champion} (${recent.length} latest) vs its training data ${v.datasetTag}: ${report.driftedColumns} of ${report.testedColumns} column(s) drifted (share ${report.driftShare.toFixed(2)}, dataset drift at ${report.shareThreshold})${drifted.length ? `: ${drifted.join(', ')}` : ''}`;
  await db
    .insertInto('monitor_state')
    .values({
      model: line.name,
      version: champion,
      drift_share: report.driftShare,
      checked_ms: now,
      details: JSON.stringify(report),
    })
    .onConflict((oc) =>
      oc
        .column('model')
        .doUpdateSet({
          version: champion,
          drift_share: report.driftShare,
          checked_ms: now,
          details: JSON.stringify(report),
        }),
    )
    .execute();
  if (report.datasetDrift) {
    const id = `drift:${line.name}:v${champion}`;
    await notify(app, {
      id,
      kind: 'alert',
      model: line.name,
      problem: 'drift',
      title: `${line.name} v${champion}: production inputs drifted from the training data (${report.driftedColumns} of ${report.testedColumns} columns)`,
      text: reason,
      data: {
        version: champion,
        drift_share: report.driftShare,
        columns: report.columns.map((c) => ({
          column: c.column,
          method: c.method,
          statistic: c.statistic,
          threshold: c.threshold,
          drift: c.drift,
        })),
      },
      atMs: now,
    });
    await deliverDue(app, { eventIds: [id] });
  }
  return { version: champion, driftShare: report.driftShare, datasetDrift: report.datasetDrift, reason };
}
