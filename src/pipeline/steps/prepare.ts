/**
 * prepare — the run's dataset version: built from the line's evidence (idempotent by the run's
 * build key), or prepared outside (a Space restarted, a workflow dispatched, a webhook called, a
 * command run) and polled until a new version with at least the decision's dataset_len samples
 * is published; the run parks as `waiting` between checks. An external version is recorded with
 * its metadata; its files are fetched by the next step.
 */
import { z } from 'zod';
import { UpstreamRejectedError, WaitError } from '../../core/errors.js';
import { buildDataset } from '../../datasets/build.js';
import { metadataUrl } from '../../datasets/external/metadata-source.js';
import { advancePreparation } from '../../datasets/external/prepare.js';
import { recordExternalDataset } from '../../stores/datasets.js';
import { queuedWith } from '../../stores/decisions.js';
import type { PipelineStep, StepContext } from '../step.js';
import { STEP } from '../step-ids.js';

const Result = z.object({
  tag: z.string(),
  /** The version's directory; null until an external version's files are fetched. */
  location: z.string().nullable(),
  external: z.boolean().default(false),
});

export const prepare: PipelineStep<z.infer<typeof Result>> = {
  id: STEP.prepare,
  summary: 'builds the dataset version from the evidence, or has an external preparer publish one',
  needs: [],
  result: Result,
  async run(ctx) {
    const { app, line, keys } = ctx;
    if (line.prepare.kind === 'builtin') {
      const d = (await buildDataset(app, line.name, { buildKey: keys.datasetBuild })).dataset;
      return { tag: d.tag, location: d.location, external: false };
    }
    const required = await requiredSamples(ctx);
    const p = await advancePreparation(app, line.name, keys.preparation, required);
    if (p.state === 'failed') throw new UpstreamRejectedError(`external preparation failed: ${p.status}`);
    if (p.state !== 'succeeded' || !p.metadata) {
      throw new WaitError(p.nextCheckMs, p.status ?? 'waiting for the external preparer');
    }
    const location = metadataUrl(line.prepare, app.config);
    const d = await recordExternalDataset(app.store, {
      model: line.name,
      buildKey: keys.preparation,
      createdMs: ctx.now(),
      metadata: p.metadata,
      location,
    });
    return { tag: d.tag, location: null, external: true };
  },
};

/** What the new version must hold: the dataset_len the retrain decision read (at least 1). */
async function requiredSamples(ctx: StepContext): Promise<number> {
  const signals = await queuedWith(ctx.app.store, ctx.run.id);
  const len = Number(signals?.dataset_len ?? 1);
  return Math.max(1, Number.isFinite(len) ? len : 1);
}
