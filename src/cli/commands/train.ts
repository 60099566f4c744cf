/** `refit train MODEL [--dataset TAG] [--param k=v] [--register]`: an ad hoc training job, evaluated by refit. */
import type { Command } from 'commander';
import { currentActor } from '../../app.js';
import { UsageError } from '../../core/errors.js';
import { trainAdHoc } from '../../training/train-ad-hoc.js';
import type { CliContext } from '../context.js';

const collect = (v: string, acc: string[]) => [...acc, v];

function parseParams(pairs: string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i < 1) throw new UsageError(`--param expects KEY=VALUE, got "${p}"`);
    const v = p.slice(i + 1);
    params[p.slice(0, i)] = v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return params;
}

export function registerTrain(program: Command, ctx: CliContext): void {
  program
    .command('train')
    .description("train MODEL on a dataset version (default: the latest), evaluate it on the version's test split")
    .argument('<model>')
    .option('--dataset <tag>', 'dataset version (also one an external preparer published)')
    .option('--param <key=value>', 'trainer parameter (repeatable), e.g. C=5', collect, [])
    .option('--register', 'register the trained model as a new version (with lineage and refit-computed metrics)')
    .action(async (model: string, opts: { dataset?: string; param: string[]; register?: boolean }) => {
      if (ctx.dryRun()) throw new UsageError('train has no dry run');
      const params = parseParams(opts.param);
      const actor = currentActor(ctx.io.env);
      const out = await ctx.withApp((app) =>
        trainAdHoc(app, model, { datasetTag: opts.dataset, params, register: opts.register, actor }),
      );
      ctx.reporter().report({ kind: 'training', ...out });
    });
}
