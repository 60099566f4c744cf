/**
 * Drift and validation as self-contained HTML pages, in the spirit of Evidently's reports: the
 * dataset verdict first (drifted columns, share, threshold), a summary table, then per column the
 * test, statistic, threshold and verdict in words, and an inline SVG of reference vs current over
 * the same bins. `refit drift --html`, `refit validate --html` and every run's validate step write
 * them; the dashboard links a run's.
 */
import { trainInputs, type ValidationReport } from '../datasets/validate.js';
import type { ColumnDrift, DriftReport } from '../ml/drift/report.js';
import { barChart } from './bar-chart.js';
import { columnVerdict } from './column-verdict.js';
import { distribution } from './distribution.js';
import { escapeHtml as e } from './html-escape.js';
import { htmlPage, htmlTable } from './html-page.js';

type Row = Record<string, unknown>;

const METHOD_NAMES: Record<string, string> = {
  ks: 'Kolmogorov–Smirnov (p-value)',
  chisquare: 'chi-square (p-value)',
  z: 'two-proportion z-test (p-value)',
  wasserstein: 'Wasserstein distance (normed)',
  jensenshannon: 'Jensen–Shannon distance',
  psi: 'PSI',
  text: 'Jensen–Shannon distance of words',
};

function datasetVerdict(r: DriftReport): string {
  const share = `${r.driftedColumns} of ${r.testedColumns} columns drifted (share ${r.driftShare.toFixed(2)})`;
  const css = r.datasetDrift ? 'drift' : 'ok';
  const word = r.datasetDrift ? 'Dataset drift detected' : 'No dataset drift';
  const cmp = `${r.datasetDrift ? '≥' : '<'} ${r.shareThreshold}`;
  return `<p><span class="${css}">${word}</span>: ${e(share)} ${e(cmp)}.</p>`;
}

function columnSection(c: ColumnDrift, reference: Row[], current: Row[]): string {
  const css = c.skipped ? 'warn' : c.drift ? 'drift' : 'ok';
  const rows = `reference ${c.referenceRows} rows, current ${c.currentRows} rows`;
  const head = `<h3 id="col-${e(c.column)}">${e(c.column)} <small>(${e(c.kind)})</small></h3>`;
  const verdict = `<span class="${css}">${e(columnVerdict(c))}</span>`;
  const test = `<p>${e(METHOD_NAMES[c.method] ?? c.method)} — ${verdict} · ${rows}</p>`;
  const t = c.text;
  const oov = t ? `out-of-vocabulary rate ${t.oovRate.toFixed(3)}` : '';
  const text = t ? `<p>${oov}, embedding cosine ${t.embeddingCosine.toFixed(3)}</p>` : '';
  const d = c.skipped
    ? null
    : distribution(
        c.kind,
        reference.map((r) => r[c.column]),
        current.map((r) => r[c.column]),
      );
  const chart = d ? barChart(d, `${c.column}: reference vs current`) : '';
  return `<section>${head}\n${test}${text}\n${chart}</section>`;
}

/** The drift page body: verdict, summary table, one section per column. */
export function driftBody(r: DriftReport, reference: Row[], current: Row[]): string {
  const rows = r.columns.map((c) => [c.column, c.kind, METHOD_NAMES[c.method] ?? c.method, columnVerdict(c)]);
  const summary = htmlTable(['column', 'type', 'test', 'result'], rows);
  const sections = r.columns.map((c) => columnSection(c, reference, current));
  return [datasetVerdict(r), summary, '<h2>Columns</h2>', ...sections].join('\n');
}

export function driftHtml(r: DriftReport, reference: Row[], current: Row[], title = 'Data drift'): string {
  return htmlPage(title, driftBody(r, reference, current));
}

/** The validation page: every check with its status, then the drift against the reference (if any). */
export function validationHtml(r: ValidationReport, driftRows: { reference: Row[]; current: Row[] } | null): string {
  const css = r.passed ? 'ok' : 'drift';
  const counts = `train ${r.counts.train} · eval ${r.counts.eval} · test ${r.counts.test}`;
  const verdict = `<p><span class="${css}">${r.passed ? 'Passed' : 'Failed'}</span> · ${e(counts)}</p>`;
  const checks = htmlTable(
    ['check', 'status', 'details'],
    r.checks.map((c) => [c.name, c.status, c.message]),
  );
  const labels = htmlTable(['label', 'rows'], Object.entries(r.labels));
  const heading = "<h2>Drift of the train split against the previous version's</h2>";
  const drift =
    r.drift && driftRows
      ? `${heading}\n${driftBody(r.drift, driftRows.reference, driftRows.current)}`
      : '<p>No reference version: drift not checked.</p>';
  const title = `Dataset validation ${r.tag ?? r.dir}`;
  return htmlPage(title, [verdict, checks, '<h2>Labels</h2>', labels, drift].join('\n'));
}

/** The validation page of a version directory, with the histograms of its drift against `referenceDir`. */
export function validationPageFor(report: ValidationReport, referenceDir: string | null, dir: string): string {
  const reference = trainInputs(referenceDir);
  const current = trainInputs(dir);
  return validationHtml(report, reference && current ? { reference, current } : null);
}
