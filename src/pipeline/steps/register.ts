/**
 * register — the blessed candidate becomes a model version (idempotent by the run's registration
 * key) with its artifact's sha256, refit's metrics, params, lineage (run, dataset, job, executor,
 * code version, the champion it was compared with) and gate report; pushed to the line's Hugging
 * Face model repo when it has one.
 */
import { z } from 'zod';
import { reveal } from '../../config/secret.js';
import { pushDirectory } from '../../integrations/hf-hub.js';
import { openArtifact, registerVersion } from '../../registry/registry.js';
import { setVersionTags } from '../../stores/versions.js';
import type { PipelineStep } from '../step.js';
import { STEP } from '../step-ids.js';
import { evaluate } from './evaluate.js';
import { datasetOf } from './fetch-dataset.js';
import { gate } from './gate.js';
import { train } from './train.js';

const Result = z.object({ version: z.number() });

export const register: PipelineStep<z.infer<typeof Result>> = {
  id: STEP.register,
  summary: 'registers the candidate as a new version with lineage (and pushes it to the Hub)',
  needs: [STEP.prepare, STEP.train, STEP.evaluate, STEP.gate],
  result: Result,
  async run(ctx) {
    const { app, line, run } = ctx;
    const job = ctx.result(train);
    const e = ctx.result(evaluate);
    const dataset = datasetOf(ctx);
    const v = await registerVersion(app, {
      model: line.name,
      artifactPath: job.outputDir,
      registrationKey: ctx.keys.registration,
      runId: run.id,
      datasetTag: dataset.tag,
      metrics: { ...e.candidate, slices: e.slices, business_rules: e.rules },
      params: job.params,
      lineage: {
        run: run.id,
        dataset: dataset.tag,
        training_job: job.id,
        executor: job.executor,
        code_version: job.codeVersion,
        reported_metrics: job.reported,
        champion_before: e.championVersion,
      },
      gate: ctx.result(gate),
      tags: { executor: job.executor },
      actor: `run:${run.id}`,
    });
    if (line.hub.modelRepo) {
      const push = await pushDirectory({
        hubUrl: app.config.hubUrl,
        token: reveal(line.hub.token),
        type: 'model',
        repo: line.hub.modelRepo,
        dir: await openArtifact(app, v),
        pathInRepo: `v${v.version}`,
        title: `refit: ${line.name} v${v.version}`,
      });
      const tags = { ...v.tags, hub_repo: push.repo, hub_commit: push.commitOid ?? '' };
      await setVersionTags(app.store, line.name, v.version, tags);
    }
    return { version: v.version };
  },
};
