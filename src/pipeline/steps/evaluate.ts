/**
 * evaluate — refit scores the candidate itself on the version's test split, and the champion (its
 * sha256-verified artifact) on the same rows, so the gate compares like with like; business rules
 * and per-slice metrics on the candidate's rows; a few holdout answers kept for verification.
 */
import { z } from 'zod';
import type { GateCheck } from '../../core/gate.js';
import type { Metrics } from '../../ml/metrics/evaluate-rows.js';
import { championVersion, openArtifact } from '../../registry/registry.js';
import { ruleChecks, sliceMetrics } from '../../training/holdout-checks.js';
import { readTestRows, scoreOn, taskKind } from '../../training/evaluate-on-test.js';
import type { PipelineStep } from '../step.js';
import { STEP } from '../step-ids.js';
import { datasetOf } from './fetch-dataset.js';
import { train } from './train.js';

/** Metrics as refit computes them: checked for their task and row count, typed as Metrics. */
const metrics = z.custom<Metrics>(
  (v) => typeof v === 'object' && v !== null && ['classification', 'regression'].includes((v as Metrics).task),
  { message: 'expected metrics with a task' },
);
const gateCheck = z.custom<GateCheck>((v) => typeof v === 'object' && v !== null && 'passed' in v, {
  message: 'expected a gate check',
});

const Result = z.object({
  /** What the candidate answered for a few holdout rows: the deployment must answer the same. */
  sanity: z.array(z.object({ input: z.record(z.string(), z.unknown()), expected: z.string() })),
  candidate: metrics,
  champion: metrics.nullable(),
  championVersion: z.number().nullable(),
  rows: z.number(),
  rules: z.array(z.unknown()),
  ruleChecks: z.array(gateCheck),
  slices: z.array(z.unknown()),
});

export const evaluate: PipelineStep<z.infer<typeof Result>> = {
  id: STEP.evaluate,
  summary: 'scores candidate and champion on the same test rows; business rules, slices',
  needs: [STEP.prepare, STEP.fetchDataset, STEP.train],
  result: Result,
  async run(ctx) {
    const { app, line } = ctx;
    const dataset = datasetOf(ctx);
    const test = readTestRows(dataset.location);
    const source = `test split of ${dataset.tag}`;
    const candidate = await scoreOn(app, line, ctx.result(train).outputDir, test, source);
    const champion = await championVersion(app, line.name);
    const championScore = champion ? await scoreOn(app, line, await openArtifact(app, champion), test, source) : null;
    const rules = ruleChecks(line.businessRules, candidate.rows);
    const sanity = candidate.rows.slice(0, line.deploy.verify.sanityRequests).map((r) => ({
      input: r.input,
      expected: String(r.prediction),
    }));
    return {
      sanity,
      candidate: candidate.metrics,
      champion: championScore?.metrics ?? null,
      championVersion: champion?.version ?? null,
      rows: test.length,
      rules: rules.results,
      ruleChecks: rules.checks,
      slices: sliceMetrics(line.slices, candidate.rows, taskKind(line)),
    };
  },
};
