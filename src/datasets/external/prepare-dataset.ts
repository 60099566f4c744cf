/**
 * `refit datasets build MODEL` for a line with an external preparer: continue the open
 * preparation (or start one with required = the line's dataset_len), one step per call; on success
 * record the external version and restart the evidence counters. `wait` keeps stepping until the
 * preparation ends, sleeping until each next check.
 */
import type { AppContext } from '../../app-context.js';
import { markDatasetBuilt } from '../../stores/evidence.js';
import { findDataset } from '../../stores/datasets.js';
import { readSignals } from '../../signals/read-signals.js';
import { readDecisionFacts } from '../../stores/decision-facts.js';
import { advancePreparation, metadataUrl, type Preparation } from './prepare.js';

export interface ExternalBuildOptions {
  /** Idempotency key; default: the open manual preparation of the line, else a new one. */
  key?: string;
  /** Keep polling until the preparation succeeds or fails. */
  wait?: boolean;
  /** Sleep used between checks when waiting (injectable for tests). */
  sleep?: (ms: number) => Promise<void>;
}

export async function prepareExternally(
  app: AppContext,
  model: string,
  options: ExternalBuildOptions = {},
): Promise<Preparation> {
  const line = app.config.models[model]!;
  const { db } = app.store;
  let key = options.key;
  if (!key) {
    const open = await db
      .selectFrom('preparations')
      .select('key')
      .where('model', '=', model)
      .where('key', 'like', `manual:${model}:%`)
      .where('state', 'in', ['pending', 'waiting'])
      .orderBy('started_ms', 'desc')
      .executeTakeFirst();
    key = open?.key ?? `manual:${model}:${app.clock.now()}`;
  }
  const facts = await readDecisionFacts(db, model, app.clock.now());
  const signals = await readSignals(db, line, {
    nowMs: app.clock.now(),
    lastRetrainMs: facts.lastRetrainMs,
    secrets: app.config.secretValues,
  });
  const required = Math.max(1, signals.dataset_len);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let prep = await advancePreparation(app, model, key, required);
  while (options.wait && (prep.state === 'pending' || prep.state === 'waiting')) {
    await sleep(Math.max(0, prep.nextCheckMs - app.clock.now()));
    prep = await advancePreparation(app, model, key, required);
  }
  if (prep.state === 'succeeded' && prep.metadata && !(await findDataset(db, model, { buildKey: key }))) {
    const m = prep.metadata;
    await db.transaction().execute(async (tx) => {
      const r = await tx
        .insertInto('datasets')
        .values({
          model,
          tag: m.version_tag,
          build_key: key!,
          created_ms: app.clock.now(),
          num_samples: m.num_samples,
          splits: JSON.stringify(m.splits ?? {}),
          content_sha256: m.content_sha256 ?? '',
          location: metadataUrl(line.prepare, app.config),
          metadata: JSON.stringify(m),
        })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0) === 1) await markDatasetBuilt(tx, model);
    });
  }
  return prep;
}
