/**
 * publish-dataset — a version refit built is pushed to the line's Hugging Face dataset repo
 * (files under `<tag>/`, dataset_metadata.json at the root). Its own step, so a failed push is
 * retried without building again. Only with `hub.dataset_repo`, and not for external versions.
 */
import { z } from 'zod';
import { pushDatasetVersion } from '../../datasets/build.js';
import type { PipelineStep } from '../step.js';
import { STEP } from '../step-ids.js';
import { prepare } from './prepare.js';

const Result = z.object({ repo: z.string(), commits: z.array(z.string().nullable()) }).nullable();

export const publishDataset: PipelineStep<z.infer<typeof Result>> = {
  id: STEP.publishDataset,
  summary: "pushes the version to the line's Hugging Face dataset repo",
  needs: [STEP.prepare],
  result: Result,
  when: (ctx) => !ctx.result(prepare).external && Boolean(ctx.line.hub.datasetRepo),
  async run(ctx) {
    const p = ctx.result(prepare);
    return pushDatasetVersion(ctx.app, ctx.line.name, p.tag, p.location!);
  },
};
