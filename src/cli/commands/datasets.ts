/** `refit datasets [MODEL]`, `refit datasets build MODEL`, `refit datasets show TAG`, `refit validate DIR`. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { DatasetInvalidError, NotFoundError, UpstreamRejectedError, UsageError } from '../../core/errors.js';
import { readMetadata } from '../../datasets/build.js';
import { buildNow } from '../../datasets/build-now.js';
import { validateDataset, validationMarkdown, type ValidationRules } from '../../datasets/validate.js';
import { validationPageFor } from '../../report/drift-html.js';
import { writeReportFile } from './write-report-file.js';
import { findDataset, listDatasets } from '../../stores/datasets.js';
import { loadConfig } from '../../config/load.js';
import type { CliContext } from '../context.js';

export function registerDatasets(program: Command, ctx: CliContext): void {
  const datasets = program
    .command('datasets')
    .description('list dataset versions; `datasets build MODEL` builds one now; `datasets show TAG`')
    .argument('[model]', 'only this model line')
    .action(async (model?: string) => {
      const list = await ctx.withApp((app) => listDatasets(app.store, model));
      ctx.reporter().report({ kind: 'datasets', datasets: list });
    });

  datasets
    .command('build')
    .description('build a dataset version for MODEL from its unused evidence')
    .argument('<model>', 'model line')
    .option('--wait', 'external preparers: keep polling until the new version is there (or the timeout)')
    .action(async (model: string, opts: { wait?: boolean }) => {
      if (ctx.dryRun())
        throw new UsageError('datasets build has no dry run; `refit plan` shows dataset_len and the evidence counts');
      const tty = (ctx.io.stderr as NodeJS.WriteStream).isTTY === true;
      const r = await ctx.withApp((app) =>
        buildNow(app, model, {
          wait: opts.wait,
          onProgress: (msg) =>
            tty ? ctx.io.stderr.write(`\r\x1b[K${model}: ${msg}…`) : app.logger.info(msg, { model }),
        }),
      );
      if (tty) ctx.io.stderr.write('\r\x1b[K');
      if (r.kind === 'built') return ctx.reporter().report({ kind: 'dataset', dataset: r.dataset, created: r.created });
      ctx.reporter().report({ kind: 'preparation', preparation: r.preparation });
      if (r.preparation.state === 'failed') {
        throw new UpstreamRejectedError(`external preparation failed: ${r.preparation.status}`);
      }
    });
  registerShowAndValidate(datasets, program, ctx);
}

function registerShowAndValidate(datasets: Command, program: Command, ctx: CliContext): void {
  registerShow(datasets, ctx);
  registerValidate(program, ctx);
}

function registerShow(datasets: Command, ctx: CliContext): void {
  datasets
    .command('show')
    .description('one dataset version with its metadata')
    .argument('<tag>', 'version tag, e.g. v20261122_031200')
    .option('--model <model>', 'model line (when two lines share a tag)')
    .action(async (tag: string, opts: { model?: string }) => {
      const d = await ctx.withApp((app) => findDataset(app.store, opts.model ?? null, { tag }));
      if (!d)
        throw new NotFoundError(
          `no dataset version "${tag}"${opts.model ? ` for ${opts.model}` : ''}: see \`refit datasets\``,
        );
      ctx.reporter().report({ kind: 'dataset', dataset: d, created: false });
    });
}

function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description(
      'validate a dataset version directory (schema, labels, class counts, duplicates, leakage, nulls, drift)',
    )
    .argument('<dir>', 'directory with train/eval/test.jsonl and dataset_metadata.json')
    .option('--model <model>', 'model line whose rules apply (default: from the metadata, else generic rules)')
    .option('--reference <dir>', 'previous version to check drift against')
    .option('--out <dir>', 'also write validation.json, validation.md and validation.html here')
    .option('--html <file>', 'also write the self-contained HTML report here')
    .action(async (dirArg: string, opts: { model?: string; reference?: string; out?: string; html?: string }) => {
      const dir = resolve(ctx.io.cwd, dirArg);
      if (!existsSync(dir)) throw new UsageError(`${dirArg} does not exist`);
      const rules = rulesFor(ctx, dir, opts);
      const report = validateDataset(dir, rules);
      if (opts.out) {
        const out = resolve(ctx.io.cwd, opts.out);
        mkdirSync(out, { recursive: true });
        writeFileSync(join(out, 'validation.json'), JSON.stringify(report, null, 2) + '\n');
        writeFileSync(join(out, 'validation.md'), validationMarkdown(report));
        writeFileSync(join(out, 'validation.html'), validationPageFor(report, rules.referenceDir ?? null, dir));
      }
      if (opts.html)
        writeReportFile(resolve(ctx.io.cwd, opts.html), validationPageFor(report, rules.referenceDir ?? null, dir));
      ctx.reporter().report({ kind: 'validation', report });
      if (!report.passed)
        throw new DatasetInvalidError(`dataset validation failed: ${report.failures.length} check(s)`);
    });
}

/** The validation rules for DIR: the model line's (from --model or the metadata) when a config defines it. */
function rulesFor(ctx: CliContext, dir: string, opts: { model?: string; reference?: string }): ValidationRules {
  let model = opts.model;
  if (!model && existsSync(join(dir, 'dataset_metadata.json'))) {
    try {
      model = readMetadata(dir).refit?.model;
    } catch {
      /* reported by the metadata check */
    }
  }
  const rules: ValidationRules = {
    task: 'text-classification',
    labels: null,
    minSamplesPerClass: 1,
    maxNullRate: 0.2,
    referenceDir: opts.reference ? resolve(ctx.io.cwd, opts.reference) : null,
  };
  const g = ctx.globals();
  const hasConfig = g.config || ctx.io.env.REFIT_CONFIG || existsSync(join(ctx.io.cwd, 'refit.yaml'));
  if (model && hasConfig) {
    const line = loadConfig({ path: g.config, env: ctx.io.env, cwd: ctx.io.cwd }).models[model];
    if (!line) throw new UsageError(`unknown model line "${model}"`);
    return {
      ...rules,
      task: line.task,
      labels: line.labels ?? null,
      minSamplesPerClass: line.dataset.minSamplesPerClass,
      maxNullRate: line.dataset.maxNullRate,
    };
  }
  if (opts.model) throw new UsageError('--model needs a refit.yaml (or --config) that defines it');
  return rules;
}
