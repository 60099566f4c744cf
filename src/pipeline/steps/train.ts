/**
 * train — a training job on the run's dataset version, idempotent by the run's training key:
 * in this process (the built-in worker thread, a command's process group; both stop when the run
 * is cancelled), or on remote compute (a job API, a GitHub workflow, a Hugging Face Space — which
 * gets the version tag), where the run parks between polls and never holds a worker.
 */
import { z } from 'zod';
import { NotFoundError, WaitError } from '../../core/errors.js';
import { isRemote } from '../../executors/remote-executor-for.js';
import { findDataset } from '../../stores/datasets.js';
import type { TrainingJob } from '../../stores/jobs.js';
import { runLocalTraining } from '../../training/local-training.js';
import { advanceRemoteTraining } from '../../training/remote-training.js';
import type { PipelineStep, StepContext } from '../step.js';
import { STEP } from '../step-ids.js';
import { datasetOf } from './fetch-dataset.js';

const Result = z.object({
  id: z.string(),
  outputDir: z.string(),
  executor: z.string(),
  codeVersion: z.string().nullable(),
  reported: z.record(z.string(), z.unknown()).nullable(),
  params: z.record(z.string(), z.unknown()),
});

export const train: PipelineStep<z.infer<typeof Result>> = {
  id: STEP.train,
  summary: 'trains a candidate on the version (in process, a command, or remote compute)',
  needs: [STEP.prepare, STEP.fetchDataset],
  result: Result,
  async run(ctx) {
    const job = isRemote(ctx.line) ? await trainRemotely(ctx) : await trainHere(ctx);
    return {
      id: job.id,
      outputDir: job.outputDir,
      executor: job.executor,
      codeVersion: job.codeVersion,
      reported: job.reportedMetrics,
      params: job.params,
    };
  },
};

async function versionRecord(ctx: StepContext) {
  const { tag, location } = datasetOf(ctx);
  const d = await findDataset(ctx.app.store, ctx.line.name, { tag });
  if (!d) throw new NotFoundError(`${ctx.line.name} has no dataset version ${tag}`);
  return { ...d, location };
}

async function trainHere(ctx: StepContext): Promise<TrainingJob> {
  const dataset = await versionRecord(ctx);
  return runLocalTraining(ctx.app, ctx.line, { dataset, key: ctx.keys.training, signal: ctx.signal });
}

/** One submit or poll; the run parks until the next check. */
async function trainRemotely(ctx: StepContext): Promise<TrainingJob> {
  const dataset = await versionRecord(ctx);
  const step = await advanceRemoteTraining(ctx.app, ctx.line, { dataset, key: ctx.keys.training });
  if (!('job' in step)) throw new WaitError(step.nextCheckMs, step.status);
  return step.job;
}
