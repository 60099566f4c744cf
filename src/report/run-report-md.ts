/**
 * A run's report as GitHub-flavoured Markdown — the job summary and the pull-request comment:
 * tables for the numbers, <details> for the long parts, and the line's online accuracy as a
 * Mermaid `xychart-beta` block (GitHub renders Mermaid; it strips inline SVG) with the marks listed
 * under it.
 */
import {
  afterGate,
  confusionRows,
  day,
  decisionRows,
  gateRows,
  iso,
  metricRows,
  num,
  stepRows,
  thinned,
  titleOf,
} from './run-report-parts.js';
import { mdCell as cell, mdDetails as details, mdTable as table } from './markdown.js';
import type { RunStory } from './run-story.js';

/** Points on the Markdown chart: Mermaid draws one category per point. */
const CHART_POINTS = 40;
/** Marks listed under the chart (the newest). */
const MARKS_LISTED = 12;

export function runMarkdown(s: RunStory): string {
  const out = [`## ${titleOf(s)}`, ''];
  if (s.run.outcome) out.push(`> ${cell(s.run.outcome)}`, '');
  out.push(...decisionSection(s), ...datasetSection(s), ...trainingSection(s), ...evaluationSection(s));
  out.push(...gateSection(s));
  const after = afterGate(s);
  if (after.length) out.push('### Registry and deployment', '', ...after.map((a) => `- ${a}`), '');
  out.push(...details('Steps', table(['step', 'state', 'took', 'attempts', 'error'], stepRows(s))));
  out.push(...chartSection(s));
  return out.join('\n') + '\n';
}

function decisionSection(s: RunStory): string[] {
  const { signals, checks, budget } = decisionRows(s);
  const by = s.run.forced ? `manual trigger by ${s.run.actor}` : `decided by ${s.run.actor}`;
  const out = ['### Decision', '', `**retrain** — ${cell(s.run.reason)} (${by}, ${iso(s.run.createdMs)})`, ''];
  out.push(...table(['', 'check', 'detail'], checks));
  if (budget) out.push(budget, '');
  out.push(...details('Signals', table(['signal', 'value'], signals)));
  return out;
}

function datasetSection(s: RunStory): string[] {
  const d = s.dataset;
  if (!d) return [];
  const sizes = `${d.numSamples} rows (train ${d.splits.train} / eval ${d.splits.eval} / test ${d.splits.test})`;
  const out = ['### Dataset', '', `\`${d.tag}\`: ${sizes}, content sha256 \`${d.contentSha256.slice(0, 12)}…\``, ''];
  const v = d.validation;
  if (v) {
    const failed = v.checks.filter((c) => c.status === 'fail').length;
    const drift = v.driftShare === null ? '' : `; drift share against the champion's data ${num(v.driftShare)}`;
    out.push(`Validation ${v.passed ? 'passed' : 'failed'}: ${v.checks.length} checks, ${failed} failed${drift}.`, '');
    for (const f of v.failures) out.push(`- ❌ ${cell(f)}`);
    if (v.failures.length) out.push('');
    const rows = v.checks.map((c) => [c.name, c.status, c.message]);
    out.push(...details('Validation checks', table(['check', 'status', 'detail'], rows)));
  }
  return out;
}

function trainingSection(s: RunStory): string[] {
  const t = s.training;
  if (!t) return [];
  const took = t.durationMs === null ? 'still running' : `${num(t.durationMs / 1000, 1)} s`;
  const code = t.codeVersion ? `, code \`${t.codeVersion.slice(0, 12)}\`` : '';
  const out = ['### Training', '', `Job \`${t.id}\` on the **${t.executor}** executor, ${took}${code}.`, ''];
  out.push(`Params: \`${JSON.stringify(t.params)}\``, '');
  if (t.reported)
    out.push(`The trainer reported \`${JSON.stringify(t.reported)}\` (kept, never used for the gate).`, '');
  if (t.error) out.push(`Error: ${cell(t.error)}`, '');
  const log = t.logTail.length ? ['```text', ...t.logTail.map((l) => l.replace(/```/g, "'''")), '```', ''] : [];
  out.push(...details(`Log (last ${t.logTail.length} lines)`, log));
  return out;
}

function evaluationSection(s: RunStory): string[] {
  const e = s.evaluation;
  if (!e) return [];
  const cand = s.version === null ? 'candidate' : `candidate v${s.version}`;
  const champ = e.championVersion === null ? 'champion (none)' : `champion v${e.championVersion}`;
  const out = ['### Candidate vs champion', '', `On the same holdout (${e.rows} test rows).`, ''];
  out.push(...table(['metric', cand, champ, 'Δ'], metricRows(s)));
  const cm = confusionRows(e.candidate);
  if (cm) out.push(...details('Confusion matrix (candidate)', table(cm[0]!, cm.slice(1))));
  return out;
}

function gateSection(s: RunStory): string[] {
  if (!s.gate) return [];
  const verdict = s.gate.blessed ? 'blessed' : 'rejected';
  const out = [`### Gate: ${verdict}`, '', cell(s.gate.summary), ''];
  out.push(...table(['check', 'result', 'candidate', 'champion', 'reason'], gateRows(s)));
  return out;
}

/** The line's daily online accuracy as a Mermaid xychart, and the marks beneath it. */
export function chartSection(s: RunStory): string[] {
  const points = thinned(s.timeline.points, CHART_POINTS);
  if (points.length < 2) return ['### Online accuracy', '', 'Not enough reviewed predictions yet to draw a chart.', ''];
  const labels = points.map((p) => `"${day(p.atMs).slice(5)}"`).join(', ');
  const values = points.map((p) => num(p.accuracy, 3)).join(', ');
  const lo = Math.max(0, Math.floor(Math.min(...points.map((p) => p.accuracy)) * 10) / 10);
  const first = day(points[0]!.atMs);
  const last = day(points[points.length - 1]!.atMs);
  const out = [
    '### Online accuracy',
    '',
    '```mermaid',
    'xychart-beta',
    `  title "${s.run.model}: online accuracy, ${first} to ${last}"`,
    `  x-axis [${labels}]`,
    `  y-axis "accuracy" ${lo} --> 1`,
    `  line [${values}]`,
    '```',
    '',
  ];
  const marks = s.timeline.marks.slice(-MARKS_LISTED);
  for (const m of marks) {
    const here = m.runId === s.run.id ? ' (this run)' : '';
    out.push(`- ${day(m.atMs)} **${m.kind}**${here}: ${cell(m.label)}`);
  }
  if (marks.length) out.push('');
  return out;
}
