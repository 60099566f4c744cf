/**
 * A run's report as one self-contained HTML page (no script, no external asset): the same
 * sections as the Markdown report, and the line's online accuracy as an inline SVG chart with
 * retrain, promotion, rejection and rollback marks (each with its reason as a tooltip).
 */
import {
  afterGate,
  confusionRows,
  decisionRows,
  gateRows,
  iso,
  metricRows,
  num,
  stepRows,
  thinned,
  titleOf,
} from './run-report-parts.js';
import { escapeHtml as e } from './html-escape.js';
import { htmlPage, htmlTable } from './html-page.js';
import type { RunStory } from './run-story.js';
import { lineChart, type ChartMark } from './svg-chart.js';

const CHART_POINTS = 400;

const table = htmlTable;

export function runHtml(s: RunStory): string {
  const sections = [
    decisionHtml(s),
    datasetHtml(s),
    trainingHtml(s),
    evaluationHtml(s),
    gateHtml(s),
    afterGateHtml(s),
    `<h2>Steps</h2>\n${table(['step', 'state', 'took', 'attempts', 'error'], stepRows(s))}`,
    chartHtml(s),
  ];
  const outcome = s.run.outcome ? `<blockquote>${e(s.run.outcome)}</blockquote>` : '';
  return htmlPage(titleOf(s), `${outcome}\n${sections.filter(Boolean).join('\n')}`);
}

function decisionHtml(s: RunStory): string {
  const { signals, checks, budget } = decisionRows(s);
  const by = s.run.forced ? `manual trigger by ${s.run.actor}` : `decided by ${s.run.actor}`;
  return [
    '<h2>Decision</h2>',
    `<p><strong>retrain</strong> — ${e(s.run.reason)} (${e(by)}, ${iso(s.run.createdMs)})</p>`,
    table(['', 'check', 'detail'], checks),
    budget ? `<p>${e(budget)}</p>` : '',
    table(['signal', 'value'], signals, 'Signals'),
  ].join('\n');
}

function datasetHtml(s: RunStory): string {
  const d = s.dataset;
  if (!d) return '';
  const sizes = `${d.numSamples} rows (train ${d.splits.train} / eval ${d.splits.eval} / test ${d.splits.test})`;
  const out = [
    '<h2>Dataset</h2>',
    `<p><code>${e(d.tag)}</code>: ${sizes}, sha256 <code>${d.contentSha256.slice(0, 12)}…</code></p>`,
  ];
  const v = d.validation;
  if (v) {
    const drift = v.driftShare === null ? '' : `; drift share against the champion's data ${num(v.driftShare)}`;
    out.push(`<p>Validation ${v.passed ? 'passed' : 'failed'}: ${v.checks.length} checks${e(drift)}.</p>`);
    out.push(
      table(
        ['check', 'status', 'detail'],
        v.checks.map((c) => [c.name, c.status, c.message]),
      ),
    );
  }
  return out.join('\n');
}

function trainingHtml(s: RunStory): string {
  const t = s.training;
  if (!t) return '';
  const took = t.durationMs === null ? 'still running' : `${num(t.durationMs / 1000, 1)} s`;
  return [
    '<h2>Training</h2>',
    `<p>Job <code>${e(t.id)}</code> on the <strong>${e(t.executor)}</strong> executor, ${took}.</p>`,
    `<p>Params: <code>${e(JSON.stringify(t.params))}</code></p>`,
    t.reported
      ? `<p>The trainer reported <code>${e(JSON.stringify(t.reported))}</code> (never used for the gate).</p>`
      : '',
    t.error ? `<p>Error: ${e(t.error)}</p>` : '',
    t.logTail.length ? `<pre aria-label="training log">${e(t.logTail.join('\n'))}</pre>` : '',
  ].join('\n');
}

function evaluationHtml(s: RunStory): string {
  const ev = s.evaluation;
  if (!ev) return '';
  const cand = s.version === null ? 'candidate' : `candidate v${s.version}`;
  const champ = ev.championVersion === null ? 'champion (none)' : `champion v${ev.championVersion}`;
  const cm = confusionRows(ev.candidate);
  return [
    '<h2>Candidate vs champion</h2>',
    `<p>On the same holdout (${ev.rows} test rows).</p>`,
    table(['metric', cand, champ, 'Δ'], metricRows(s)),
    cm ? table(cm[0]!, cm.slice(1), 'Confusion matrix (candidate)') : '',
  ].join('\n');
}

function gateHtml(s: RunStory): string {
  if (!s.gate) return '';
  return [
    `<h2>Gate: ${s.gate.blessed ? 'blessed' : 'rejected'}</h2>`,
    `<p>${e(s.gate.summary)}</p>`,
    table(['check', 'result', 'candidate', 'champion', 'reason'], gateRows(s)),
  ].join('\n');
}

function afterGateHtml(s: RunStory): string {
  const items = afterGate(s);
  return items.length
    ? `<h2>Registry and deployment</h2>\n<ul>${items.map((i) => `<li>${e(i)}</li>`).join('')}</ul>`
    : '';
}

function chartHtml(s: RunStory): string {
  const points = thinned(s.timeline.points, CHART_POINTS);
  if (points.length < 2) return '<h2>Online accuracy</h2>\n<p>Not enough reviewed predictions yet to draw a chart.</p>';
  const name = `${s.run.model} online accuracy`;
  const series = [{ name, color: '#0969da', points: points.map((p) => ({ x: p.atMs, y: p.accuracy })) }];
  const marks: ChartMark[] = s.timeline.marks.map((m) => ({ x: m.atMs, kind: m.kind, series: name, label: m.label }));
  return `<h2>Online accuracy</h2>\n${lineChart(series, marks, { title: `${name} (daily)`, yLabel: 'accuracy' })}`;
}
