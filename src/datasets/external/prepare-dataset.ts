/**
 * `refit datasets build MODEL` for a line with an external preparer: continue the open
 * preparation (or start one with required = the line's dataset_len), one step per call; on success
 * record the external version and restart the evidence counters. `wait` keeps stepping until the
 * preparation ends, sleeping until each next check.
 */
import type { AppContext } from '../../app-context.js';
import { recordExternalDataset } from '../../stores/datasets.js';
import { readSignals } from '../../signals/read-signals.js';
import { readDecisionFacts } from '../../stores/decision-facts.js';
import { openManualPreparation } from '../../stores/preparations.js';
import { advancePreparation, type Preparation } from './prepare.js';
import { metadataUrl } from './metadata-source.js';

export interface ExternalBuildOptions {
  /** Idempotency key; default: the open manual preparation of the line, else a new one. */
  key?: string;
  /** Keep polling until the preparation succeeds or fails. */
  wait?: boolean;
}

export async function prepareExternally(
  app: AppContext,
  model: string,
  options: ExternalBuildOptions = {},
): Promise<Preparation> {
  const line = app.config.models[model]!;
  const key = options.key ?? (await openManualPreparation(app.store, model)) ?? `manual:${model}:${app.clock.now()}`;
  const now = app.clock.now();
  const facts = await readDecisionFacts(app.store, model, now);
  const signals = await readSignals(app.store, line, {
    nowMs: now,
    lastRetrainMs: facts.lastRetrainMs,
    secrets: app.config.secretValues,
  });
  const required = Math.max(1, signals.dataset_len);
  let prep = await advancePreparation(app, model, key, required);
  while (options.wait && (prep.state === 'pending' || prep.state === 'waiting')) {
    await app.clock.sleep(prep.nextCheckMs - app.clock.now());
    prep = await advancePreparation(app, model, key, required);
  }
  if (prep.state === 'succeeded' && prep.metadata) {
    const location = metadataUrl(line.prepare, app.config);
    await recordExternalDataset(app.store, {
      model,
      buildKey: key,
      createdMs: app.clock.now(),
      metadata: prep.metadata,
      location,
    });
  }
  return prep;
}
