/** `refit train MODEL [--dataset TAG] [--param k=v] [--register]`: an ad hoc training job, evaluated by refit. */
import type { Command } from 'commander';
import { currentActor } from '../../app.js';
import { UsageError } from '../../core/errors.js';
import { registerVersion } from '../../registry/registry.js';
import { evaluateOnTest } from '../../training/evaluate-job.js';
import { runTraining } from '../../training/run-training.js';
import type { CliContext } from '../context.js';

const collect = (v: string, acc: string[]) => [...acc, v];

export function registerTrain(program: Command, ctx: CliContext): void {
  program
    .command('train')
    .description("train MODEL on a dataset version (default: the latest), evaluate it on the version's test split")
    .argument('<model>')
    .option('--dataset <tag>', 'dataset version')
    .option('--param <key=value>', 'trainer parameter (repeatable), e.g. C=5', collect, [])
    .option('--register', 'register the trained model as a new version (with lineage and refit-computed metrics)')
    .action(async (model: string, opts: { dataset?: string; param: string[]; register?: boolean }) => {
      if (ctx.dryRun()) throw new UsageError('train has no dry run');
      const params: Record<string, unknown> = {};
      for (const p of opts.param) {
        const i = p.indexOf('=');
        if (i < 1) throw new UsageError(`--param expects KEY=VALUE, got "${p}"`);
        const v = p.slice(i + 1);
        params[p.slice(0, i)] = v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
      }
      const out = await ctx.withApp(async (app) => {
        const job = await runTraining(app, model, { datasetTag: opts.dataset, params });
        const metrics = await evaluateOnTest(app, model, job.outputDir, job.datasetDir);
        const version = opts.register
          ? await registerVersion(app, {
              model,
              artifactPath: job.outputDir,
              registrationKey: job.id,
              runId: undefined,
              datasetTag: job.datasetTag,
              metrics: metrics as unknown as Record<string, unknown>,
              params: job.params,
              lineage: {
                dataset: job.datasetTag,
                training_job: job.id,
                executor: job.executor,
                code_version: job.codeVersion,
                reported_metrics: job.reportedMetrics,
              },
              tags: { executor: job.executor },
              actor: currentActor(ctx.io.env),
            })
          : null;
        return { job, metrics, version };
      });
      ctx.reporter().report({ kind: 'training', ...out });
    });
}
