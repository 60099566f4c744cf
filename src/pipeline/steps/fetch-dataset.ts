/**
 * fetch-dataset — an externally prepared version's split files, fetched from where the preparer
 * published them and verified (sha256 and row counts against its metadata), so refit validates
 * it like its own builds, can train on it locally, and always evaluates candidates on its test
 * split itself. Only for external versions.
 */
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.js';
import { localVersion } from '../../datasets/external/fetch-version.js';
import { findDataset } from '../../stores/datasets.js';
import type { PipelineStep, StepContext } from '../step.js';
import { STEP } from '../step-ids.js';
import { prepare } from './prepare.js';

const Result = z.object({ tag: z.string(), location: z.string() });

export const fetchDataset: PipelineStep<z.infer<typeof Result>> = {
  id: STEP.fetchDataset,
  summary: "fetches and verifies an external version's split files",
  needs: [STEP.prepare],
  result: Result,
  when: (ctx) => ctx.result(prepare).external,
  async run(ctx) {
    const { tag } = ctx.result(prepare);
    const record = await findDataset(ctx.app.store, ctx.line.name, { tag });
    if (!record) throw new NotFoundError(`${ctx.line.name} has no dataset version ${tag}`);
    const local = await localVersion(ctx.app, ctx.line, record);
    return { tag, location: local.location };
  },
};

/** The run's dataset version with its local directory, built or fetched. */
export function datasetOf(ctx: StepContext): { tag: string; location: string } {
  const p = ctx.result(prepare);
  if (!p.external) return { tag: p.tag, location: p.location! };
  return ctx.result(fetchDataset);
}
