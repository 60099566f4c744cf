/** `refit drift --reference FILE --current FILE [--html OUT]`: Evidently-style per-column drift report. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { RefitError, UsageError } from '../../core/errors.js';
import { readTable } from '../../data/read-table.js';
import { driftReport, type ColumnOverride } from '../../ml/drift/report.js';
import type { DriftMethod } from '../../ml/drift/tests.js';
import type { CliContext } from '../context.js';
import { driftHtml } from '../../report/drift-html.js';
import { writeReportFile } from './write-report-file.js';

const METHODS: DriftMethod[] = ['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon', 'psi'];
const collect = (v: string, acc: string[]) => [...acc, v];

export function registerDrift(program: Command, ctx: CliContext): void {
  program
    .command('drift')
    .description('per-column drift between two CSV/NDJSON files (Evidently defaults) and the dataset verdict')
    .requiredOption('--reference <file>', 'reference data (e.g. the training set)')
    .requiredOption('--current <file>', 'current data (e.g. production inputs)')
    .option('--columns <names>', 'comma-separated columns to compare (default: all)')
    .option('--method <column=method>', `override a column's test (${METHODS.join(', ')})`, collect, [])
    .option('--threshold <column=value>', "override a column's threshold", collect, [])
    .option('--text <column>', 'treat a column as free text (repeatable)', collect, [])
    .option('--share <value>', 'dataset drift when this share of columns drifted', '0.5')
    .option('--fail-on-drift', 'exit 1 when the dataset drifted')
    .option('--html <file>', 'also write a self-contained HTML report (per-column histograms) here')
    .action(
      async (opts: {
        reference: string;
        current: string;
        columns?: string;
        method: string[];
        threshold: string[];
        text: string[];
        share: string;
        failOnDrift?: boolean;
        html?: string;
      }) => {
        const overrides: Record<string, ColumnOverride> = {};
        const at = (c: string) => (overrides[c] ??= {});
        for (const m of opts.method) {
          const [c, v] = m.split('=');
          if (!c || !METHODS.includes(v as DriftMethod))
            throw new UsageError(`--method expects COLUMN=METHOD with METHOD one of ${METHODS.join(', ')}, got "${m}"`);
          at(c).method = v as DriftMethod;
        }
        for (const t of opts.threshold) {
          const [c, v] = t.split('=');
          if (!c || !Number.isFinite(Number(v))) throw new UsageError(`--threshold expects COLUMN=NUMBER, got "${t}"`);
          at(c).threshold = Number(v);
        }
        for (const c of opts.text) at(c).kind = 'text';
        const share = Number(opts.share);
        if (!(share > 0 && share <= 1)) throw new UsageError(`--share expects a number in (0, 1], got "${opts.share}"`);
        const [reference, current] = await Promise.all([
          readTable(resolve(ctx.io.cwd, opts.reference)),
          readTable(resolve(ctx.io.cwd, opts.current)),
        ]);
        if (reference.length === 0 || current.length === 0)
          throw new UsageError(`${reference.length === 0 ? opts.reference : opts.current} has no rows`);
        const report = driftReport(reference, current, {
          columns: opts.columns?.split(',').map((s) => s.trim()),
          overrides,
          shareThreshold: share,
        });
        if (opts.html) writeReportFile(resolve(ctx.io.cwd, opts.html), driftHtml(report, reference, current));
        ctx.reporter().report({ kind: 'drift', report });
        if (opts.failOnDrift && report.datasetDrift)
          throw new RefitError(
            'INPUT',
            `dataset drift: ${report.driftedColumns} of ${report.testedColumns} columns drifted`,
          );
      },
    );
}
