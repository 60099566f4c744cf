/**
 * validate — the run's dataset version checked like every version: schema, labels, class counts,
 * duplicates and leakage, null rates, and drift of its train split against the champion's. The
 * report is written beside the run's other reports; a failing dataset stops the run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DatasetInvalidError } from '../../core/errors.js';
import { validateDataset, validationMarkdown } from '../../datasets/validate.js';
import { championVersion } from '../../registry/registry.js';
import { validationPageFor } from '../../report/drift-html.js';
import { findDataset } from '../../stores/datasets.js';
import type { PipelineStep, StepContext } from '../step.js';
import { STEP } from '../step-ids.js';
import { datasetOf } from './fetch-dataset.js';

const Result = z.object({
  passed: z.literal(true),
  checks: z.number(),
  driftShare: z.number().nullable().optional(),
  report: z.string().optional(),
});

export const validate: PipelineStep<z.infer<typeof Result>> = {
  id: STEP.validate,
  summary: "validates the version; drift of its train split against the champion's",
  needs: [STEP.prepare, STEP.fetchDataset],
  result: Result,
  async run(ctx) {
    const { line } = ctx;
    const dataset = datasetOf(ctx);
    const reference = await championDatasetDir(ctx);
    const report = validateDataset(dataset.location, {
      task: line.task,
      labels: line.labels ?? null,
      minSamplesPerClass: line.dataset.minSamplesPerClass,
      maxNullRate: line.dataset.maxNullRate,
      referenceDir: reference,
    });
    const dir = reportsDir(ctx);
    writeFileSync(join(dir, 'validation.json'), JSON.stringify(report, null, 2) + '\n');
    writeFileSync(join(dir, 'validation.md'), validationMarkdown(report));
    writeFileSync(join(dir, 'validation.html'), validationPageFor(report, reference, dataset.location));
    if (!report.passed) {
      throw new DatasetInvalidError(`dataset ${dataset.tag} failed validation: ${report.failures.join('; ')}`);
    }
    return {
      passed: true as const,
      checks: report.checks.length,
      driftShare: report.driftShare,
      report: join(dir, 'validation.md'),
    };
  },
};

/** Where a run's reports go: artifacts/reports/<model>/<run>/. */
export function reportsDir(ctx: StepContext): string {
  const dir = join(ctx.app.config.artifactsDir, 'reports', ctx.line.name, ctx.run.id);
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function championDatasetDir(ctx: StepContext): Promise<string | null> {
  const champion = await championVersion(ctx.app, ctx.line.name);
  if (!champion?.datasetTag) return null;
  const d = await findDataset(ctx.app.store, ctx.line.name, { tag: champion.datasetTag });
  return d?.location ?? null;
}
