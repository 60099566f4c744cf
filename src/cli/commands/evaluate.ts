/**
 * `refit evaluate --predictions FILE`: metrics from rows {label, prediction, proba?}; with
 * `--model M` the line's gate is applied (against `--champion FILE` when given): exit 1 when the
 * candidate is rejected.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { RefitError, UsageError } from '../../core/errors.js';
import { evaluateGate, gateMarkdown, withChecks } from '../../core/gate.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { ruleChecks } from '../../training/holdout-checks.js';
import { loadConfig } from '../../config/load.js';
import { readTable } from '../../data/read-table.js';
import { metricLookup, metricsFromRows } from '../../ml/metrics/evaluate-rows.js';
import type { CliContext } from '../context.js';

export function registerEvaluate(program: Command, ctx: CliContext): void {
  program
    .command('evaluate')
    .description('metrics (scikit-learn definitions) from prediction rows; with --model, the gate')
    .requiredOption('--predictions <file>', 'CSV or NDJSON rows {label, prediction, proba?}')
    .option('--task <task>', 'classification or regression (default: from --model, else classification)')
    .option('--model <model>', "apply this model line's gate")
    .option('--champion <file>', "the champion's predictions on the same rows, for change thresholds")
    .option('--out <dir>', 'also write metrics.json, and gate.json and gate.md when a gate applies')
    .action(async (opts: { predictions: string; task?: string; model?: string; champion?: string; out?: string }) => {
      let task = opts.task;
      let gate = null;
      let businessRules: import('../../core/business-rules.js').BusinessRule[] = [];
      if (opts.model) {
        const g = ctx.globals();
        if (!(g.config || ctx.io.env.REFIT_CONFIG || existsSync(join(ctx.io.cwd, 'refit.yaml'))))
          throw new UsageError('--model needs a refit.yaml (or --config)');
        const line = loadConfig({ path: g.config, env: ctx.io.env, cwd: ctx.io.cwd }).models[opts.model];
        if (!line) throw new UsageError(`unknown model line "${opts.model}"`);
        task ??= line.task === 'tabular-regression' ? 'regression' : 'classification';
        gate = line.gate;
        businessRules = line.businessRules;
      }
      task ??= 'classification';
      if (task !== 'classification' && task !== 'regression')
        throw new UsageError(`--task must be classification or regression, got "${task}"`);
      if (opts.champion && !opts.model)
        throw new UsageError("--champion compares against a model line's gate: pass --model too");
      const rows = await readTable(resolve(ctx.io.cwd, opts.predictions));
      const metrics = metricsFromRows(rows, task, opts.predictions);
      const champion = opts.champion
        ? metricsFromRows(await readTable(resolve(ctx.io.cwd, opts.champion)), task, opts.champion)
        : null;
      const rules = ruleChecks(
        businessRules,
        rows.map((r) => ({
          input: Object.fromEntries(
            Object.entries(r)
              .filter(([k]) => k.startsWith('input.'))
              .map(([k, v]) => [k.slice(6), v]),
          ),
          label: String(r.label),
          prediction: r.prediction as string,
        })),
      );
      const report =
        (gate && gate.length) || rules.checks.length
          ? withChecks(
              evaluateGate(gate ?? [], metricLookup(metrics), champion ? metricLookup(champion) : null),
              rules.checks,
            )
          : null;
      if (opts.out) {
        const out = resolve(ctx.io.cwd, opts.out);
        mkdirSync(out, { recursive: true });
        writeFileSync(join(out, 'metrics.json'), JSON.stringify({ candidate: metrics, champion }, null, 2) + '\n');
        if (report) {
          writeFileSync(join(out, 'gate.json'), JSON.stringify(report, null, 2) + '\n');
          writeFileSync(join(out, 'gate.md'), gateMarkdown(report, `Gate of ${opts.model}`));
        }
      }
      ctx.reporter().report({ kind: 'evaluation', metrics, champion, gate: report });
      if (report && !report.blessed) throw new RefitError('CONFLICT', `candidate ${report.summary}`);
    });
}
