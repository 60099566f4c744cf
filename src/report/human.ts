/** Human output: tables and short paragraphs, for terminals and plain logs. */
import Table from 'cli-table3';
import { formatDuration } from '../core/duration.js';
import { formatNumber } from '../core/triggers.js';
import type { DecideResult, ModelOutcome } from '../decide/decide-all.js';
import type { MonitorResult } from '../monitor/monitor.js';
import type { MonitorVerdict } from '../stores/monitor-verdicts.js';
import type { IngestSummary } from '../ingest/ingest.js';
import type { StatusReport } from '../status/status.js';
import type { DriftReport } from '../ml/drift/report.js';
import type { DatasetRecord } from '../stores/datasets.js';
import type { ValidationReport } from '../datasets/validate.js';
import type { Metrics } from '../ml/metrics/evaluate-rows.js';
import type { GateReport } from '../core/gate.js';
import type { Reporter, View } from './views.js';
import { MaskedOut } from './text-out.js';
import {
  iso,
  renderAliasChange,
  renderAliasHistory,
  renderPreparation,
  renderRuns,
  renderTraining,
  renderVersion,
  renderVersions,
} from './human-records.js';

const fmt = (v: number | null, digits = 3) => (v === null ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(digits));

export class HumanReporter implements Reporter {
  protected readonly out: MaskedOut;
  constructor(stream: NodeJS.WritableStream = process.stdout) {
    this.out = new MaskedOut(stream);
  }
  addSecrets(values: readonly string[]): void {
    this.out.add(values);
  }
  report(view: View): void {
    this.out.write(renderView(view) + '\n');
  }
}

export function renderView(view: View): string {
  switch (view.kind) {
    case 'decide':
      return (
        renderDecide(view.command, view.result) +
        renderAdvanced(view.runs ?? []) +
        renderMonitored(view.monitored ?? [])
      );
    case 'ingest':
      return renderIngest(view.summary);
    case 'status':
      return renderStatus(view.status);
    case 'drift':
      return renderDrift(view.report);
    case 'datasets':
      return renderDatasets(view.datasets);
    case 'dataset':
      return renderDataset(view.dataset, view.created);
    case 'validation':
      return validationText(view.report);
    case 'versions':
      return renderVersions(view.versions);
    case 'version':
      return renderVersion(view.version);
    case 'alias-change':
      return renderAliasChange(view.change);
    case 'alias-history':
      return renderAliasHistory(view.model, view.history);
    case 'evaluation':
      return renderEvaluation(view.metrics, view.champion, view.gate);
    case 'runs':
      return renderRuns(view.runs, view.detail === true);
    case 'training':
      return renderTraining(
        view.job,
        renderEvaluation(view.metrics, view.champion?.metrics ?? null, view.gate),
        view.version,
      );
    case 'preparation':
      return renderPreparation(view.preparation);
    case 'run-report':
      return view.text.trimEnd();
    case 'message':
      return view.text;
  }
}

/** The monitor's verdicts that did something (a rollback, an alert): said on stdout, not only in the log. */
function renderMonitored(results: MonitorResult[]): string {
  const acted = results.filter((m) => m.action !== 'none');
  if (acted.length === 0) return '';
  const line = (m: MonitorResult) =>
    m.action === 'rolled_back'
      ? `  ${m.model}: v${m.champion} rolled back to v${m.previous} — ${m.reason}`
      : `  ${m.model}: v${m.champion} degraded (alert sent, not rolled back) — ${m.reason}`;
  return ['', '', 'monitor:', ...acted.map(line)].join('\n');
}

function renderAdvanced(runs: { runId: string; model: string; state: string; outcome: string }[]): string {
  if (runs.length === 0) return '';
  return ['', '', 'runs advanced:', ...runs.map((r) => `  ${r.runId} ${r.model} ${r.state}: ${r.outcome}`)].join('\n');
}

export function renderEvaluation(m: Metrics, champion: Metrics | null, gate: GateReport | null): string {
  const keys =
    m.task === 'classification'
      ? [
          'accuracy',
          'balanced_accuracy',
          'f1_macro',
          'precision_macro',
          'recall_macro',
          'f1_micro',
          'f1_weighted',
          'roc_auc',
          'log_loss',
          'brier',
        ]
      : ['mae', 'rmse', 'r2', 'mape'];
  const get = (x: Metrics, k: string) => (x as unknown as Record<string, number | null>)[k] ?? null;
  const table = new Table({
    head: ['metric', 'candidate', ...(champion ? ['champion'] : [])],
    style: { head: [], border: [] },
  });
  for (const k of keys) table.push([k, fmt(get(m, k), 4), ...(champion ? [fmt(get(champion, k), 4)] : [])]);
  const lines = [`${m.n} rows, ${m.task}`, table.toString()];
  if (m.task === 'classification') {
    const pc = new Table({ head: ['class', 'precision', 'recall', 'f1', 'support'], style: { head: [], border: [] } });
    for (const [l, v] of Object.entries(m.per_class))
      pc.push([l, fmt(v.precision, 4), fmt(v.recall, 4), fmt(v.f1, 4), v.support]);
    lines.push(
      pc.toString(),
      `confusion matrix (rows: true ${m.labels.join(', ')}; columns: predicted): ${JSON.stringify(m.confusion_matrix)}`,
    );
  }
  if (gate)
    lines.push(
      '',
      `gate: ${gate.summary}`,
      ...gate.checks.map((c) => `  ${c.skipped ? '-' : c.passed ? '✓' : '✗'} ${c.reason}`),
    );
  return lines.join('\n');
}

export function renderDatasets(list: DatasetRecord[]): string {
  if (list.length === 0) return 'no dataset versions yet: `refit datasets build MODEL` builds one';
  const table = new Table({
    head: ['model', 'version', 'created', 'rows', 'train/eval/test', 'sha256'],
    style: { head: [], border: [] },
  });
  for (const d of list)
    table.push([
      d.model,
      d.tag,
      iso(d.createdMs),
      d.numSamples,
      `${d.splits.train}/${d.splits.eval}/${d.splits.test}`,
      d.contentSha256.slice(0, 12),
    ]);
  return table.toString();
}

export function renderDataset(d: DatasetRecord, created: boolean): string {
  const src = d.metadata.refit?.sources;
  return [
    `${created ? 'built' : 'dataset'} ${d.model} ${d.tag}: ${d.numSamples} rows (train ${d.splits.train}, eval ${d.splits.eval}, test ${d.splits.test})`,
    src
      ? `  from ${src.misclassified} misclassified, ${src.correct} sampled correct, ${src.example} examples, ${src.previous} carried over from ${d.metadata.refit?.previous_version ?? '—'}; ${d.metadata.refit?.duplicates_dropped ?? 0} duplicates dropped`
      : '',
    d.metadata.refit
      ? `  labels ${Object.entries(d.metadata.refit.labels)
          .map(([l, n]) => `${l} ${n}`)
          .join(', ')}`
      : '',
    `  sha256 ${d.contentSha256}`,
    `  at ${d.location}`,
  ]
    .filter(Boolean)
    .join('\n');
}

export function validationText(r: ValidationReport): string {
  const mark = { pass: '✓', fail: '✗', warn: '!' };
  return [
    `validation of ${r.tag ?? r.dir}: ${r.passed ? 'passed' : `FAILED (${r.failures.length} check${r.failures.length > 1 ? 's' : ''})`}`,
    ...r.checks.map((c) => `  ${mark[c.status]} ${c.name}: ${c.message}`),
  ].join('\n');
}

export function renderDrift(r: DriftReport): string {
  const table = new Table({
    head: ['column', 'type', 'method', 'statistic', 'p-value', 'threshold', 'drift', 'rows (ref/cur)'],
    style: { head: [], border: [] },
  });
  for (const c of r.columns) {
    const stat = c.skipped
      ? c.skipped
      : fmt(c.statistic, 6) + (c.text ? ` (oov ${fmt(c.text.oovRate)}, cosine ${fmt(c.text.embeddingCosine)})` : '');
    table.push([
      c.column,
      c.kind,
      c.method,
      stat,
      c.pvalue === null ? '—' : c.pvalue < 1e-4 ? c.pvalue.toExponential(2) : c.pvalue.toFixed(4),
      c.skipped ? '—' : String(c.threshold),
      c.skipped ? '—' : c.drift ? 'DRIFT' : 'no',
      `${c.referenceRows}/${c.currentRows}`,
    ]);
  }
  const verdict = r.datasetDrift
    ? `dataset drift: ${r.driftedColumns} of ${r.testedColumns} columns drifted (share ${fmt(r.driftShare)} >= ${r.shareThreshold})`
    : `no dataset drift: ${r.driftedColumns} of ${r.testedColumns} columns drifted (share ${fmt(r.driftShare)} < ${r.shareThreshold})`;
  return `${table.toString()}\n${verdict}`;
}

export function renderDecide(command: 'plan' | 'run', r: DecideResult): string {
  const lines: string[] = [];
  const head =
    command === 'plan' || r.dryRun
      ? `refit ${command} at ${iso(r.atMs)} — dry run: nothing was recorded, spent or queued`
      : `refit run at ${iso(r.atMs)}`;
  lines.push(head, '');
  const table = new Table({
    head: ['model', 'decision', 'run', 'reason'],
    colWidths: [14, 10, 24, 80],
    wordWrap: true,
    style: { head: [], border: [] },
  });
  for (const o of r.outcomes)
    table.push([o.model, o.error ? 'error' : o.decision!.action, o.runId ?? '', o.error ?? o.decision!.reason]);
  lines.push(table.toString(), '');
  for (const o of r.outcomes) lines.push(...renderOutcome(o), '');
  return lines.join('\n').trimEnd();
}

function renderOutcome(o: ModelOutcome): string[] {
  if (!o.decision) return [`${o.model}: could not decide — ${o.error}`];
  const d = o.decision;
  const s = d.signals;
  const out = [`${o.model}: ${d.action.toUpperCase()}${d.forced ? ' (forced)' : ''}`, `  ${d.reason}`];
  const counts = [
    `misclassified ${s.misclassified}`,
    `correct ${s.correct}`,
    `sampled_correct ${s.sampled_correct}`,
    `dataset_len ${s.dataset_len}`,
    `new_examples ${s.new_examples}`,
  ];
  const measures = [
    `online_accuracy ${fmt(s.online_accuracy)} (window ${s.window_size})`,
    `accuracy_drop ${fmt(s.accuracy_drop)}`,
    `drift_score ${fmt(s.drift_score)}`,
    `external_count ${fmt(s.external_count)}`,
    `hours_since_retrain ${fmt(s.hours_since_retrain, 1)}`,
  ];
  out.push(`  signals   ${counts.join(' · ')}`, `            ${measures.join(' · ')}`);
  if (d.rules.length === 0)
    out.push('  triggers  none configured (manual retrains only: refit run --force ' + o.model + ')');
  d.rules.forEach((r, i) =>
    out.push(`  ${i === 0 ? 'triggers ' : '         '} ${r.met ? '✓' : '✗'} ${r.id}: ${r.detail}`),
  );
  const b = d.budget;
  const next =
    o.nextTokenInMs === null
      ? b.tokens >= b.capacity
        ? 'bucket full'
        : 'no refill'
      : `next token in ${formatDuration(o.nextTokenInMs)}`;
  const rejected = b.rejections ? ` (${b.rejections} rejected since last promotion)` : '';
  const need = b.need > 0 ? ` (need ${formatNumber(b.need)})` : '';
  // After a real retrain the bucket has been spent: say what is left, as `refit status` will.
  const left = b.next.tokens < b.tokens - 1e-9 ? `, ${formatNumber(b.next.tokens)} left after this retrain` : '';
  const tokens = `${formatNumber(b.tokens)} of ${formatNumber(b.capacity)} tokens${left}`;
  const refill = `refill ${formatNumber(b.effectiveRatePerSecond * 3600)}/h${need}`;
  out.push(`  budget    ${tokens} · retrain costs ${formatNumber(b.cost)}${rejected} · ${refill} · ${next}`);
  d.guards.forEach((g, i) => out.push(`  ${i === 0 ? 'guards   ' : '         '} ${g.ok ? '✓' : '✗'} ${g.detail}`));
  o.actions.forEach((a, i) => out.push(`  ${i === 0 ? 'actions  ' : '         '} ${i + 1}. ${a}`));
  return out;
}

export function renderIngest(s: IngestSummary): string {
  const lines = [
    `${s.dryRun ? 'checked (dry run, nothing stored)' : 'ingested'} ${s.files.join(', ')}: ${s.accepted} ${s.dryRun ? 'valid' : 'accepted'} (${s.byType.prediction} predictions, ${s.byType.feedback} feedback, ${s.byType.example} examples), ${s.duplicates} duplicate, ${s.rejected} rejected; ${s.matched} predictions matched with feedback`,
  ];
  if (s.rejected > 0) {
    lines.push('', 'rejected rows:');
    for (const e of s.errors) lines.push(`  ${e.file}:${e.line}: ${e.field ? `${e.field}: ` : ''}${e.reason}`);
    if (s.rejected > s.errors.length) lines.push(`  ... and ${s.rejected - s.errors.length} more`);
    lines.push(
      '',
      'The accepted rows were stored; fix the rejected rows and ingest the file again (ids make it idempotent).',
    );
  }
  if (s.conflicts > 0) {
    lines.push('', `${s.conflicts} duplicate(s) conflict with the stored label (the stored one is kept):`);
    for (const c of s.conflictRows)
      lines.push(`  ${c.type} ${c.model}/${c.id}: label "${c.given}", stored "${c.stored}"`);
    if (s.conflicts > s.conflictRows.length) lines.push(`  ... and ${s.conflicts - s.conflictRows.length} more`);
    lines.push('  To change a label, send it under a new id (or correct the source of the first one).');
  }
  if (s.stoppedEarly) lines.push(`stopped early after ${s.rejected} rejected rows (--max-errors)`);
  return lines.join('\n');
}

/** One monitor verdict on one line: what it did (or that it did nothing) and the numbers behind it. */
export function monitorSays(v: MonitorVerdict): string {
  const did =
    v.action === 'rolled_back'
      ? `rolled back v${v.champion} to v${v.previous}`
      : v.action === 'alerted'
        ? `alerted on v${v.champion} (not rolled back)`
        : 'no action';
  const n = v.numbers;
  const z = n?.z === null || n?.z === undefined ? '' : `, z ${n.z.toFixed(2)}`;
  const p = n?.pValue === null || n?.pValue === undefined ? '' : `, p ${n.pValue.toPrecision(3)}`;
  const stats = n ? ` [n ${n.championN} vs ${n.previousN}${z}${p}]` : '';
  return `${did} — ${v.reason}${stats}`;
}

export function renderStatus(st: StatusReport): string {
  const lines = [`store ${st.store} (${st.dialect}) · config ${st.config} · ${iso(st.atMs)}`, ''];
  const table = new Table({
    head: [
      'model',
      'predictions',
      'reviewed',
      'examples',
      'since dataset (mis/ok/ex)',
      'online acc',
      'budget',
      'in flight',
    ],
    style: { head: [], border: [] },
  });
  for (const m of st.models) {
    table.push([
      m.model,
      m.predictions,
      m.reviewed,
      m.examples,
      `${m.sinceLastDataset.misclassified}/${m.sinceLastDataset.correct}/${m.sinceLastDataset.examples}`,
      m.onlineAccuracy === null ? '—' : `${fmt(m.onlineAccuracy)} (n=${m.windowSize})`,
      `${formatNumber(m.budget.tokens)}/${formatNumber(m.budget.capacity)} (cost ${formatNumber(m.budget.cost)})`,
      m.runsInFlight.map((r) => `${r.id} ${r.state}`).join(', ') || '—',
    ]);
  }
  lines.push(table.toString());
  for (const m of st.models) {
    const { last, lastAction } = m.monitor;
    if (last) lines.push('', `${m.model}: monitor ${iso(last.atMs)} ${monitorSays(last)}`);
    if (lastAction && lastAction !== last && lastAction.atMs !== last?.atMs)
      lines.push(`  last action ${iso(lastAction.atMs)}: ${monitorSays(lastAction)}`);
    if (m.lastDecisions.length === 0) continue;
    lines.push('', `${m.model}: last decisions`);
    for (const d of m.lastDecisions) lines.push(`  ${iso(d.atMs)} ${d.action.padEnd(7)} by ${d.actor}: ${d.reason}`);
  }
  return lines.join('\n');
}
