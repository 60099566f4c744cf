/**
 * The demo's HTML report: self-contained (inline SVG and CSS, no script), with online accuracy
 * per simulated week for each line, the retrain / promotion / rejection / rollback marks on it,
 * a summary table and the story as it happened.
 */
import { lineChart, type ChartMark, type MarkKind } from '../report/svg-chart.js';
import type { ReplayResult } from './replay.js';
import { escapeHtml as esc } from '../report/html-escape.js';

const COLORS = ['#0969da', '#bf8700', '#1a7f37', '#8250df'];

const ROLLING_WEEKS = 8;

/** Accuracy over the trailing `weeks` weeks at each week (weighted by what was served). */
export function rolling(points: { atMs: number; served: number; accuracy: number }[], weeks = ROLLING_WEEKS) {
  return points.map((p, i) => {
    const span = points.slice(Math.max(0, i - weeks + 1), i + 1);
    const served = span.reduce((s, x) => s + x.served, 0);
    const correct = span.reduce((s, x) => s + x.accuracy * x.served, 0);
    return { x: p.atMs, y: served ? correct / served : 0 };
  });
}

/** The accuracy chart of a replay (also written as an SVG file for the README). */
export function replayChart(r: ReplayResult): string {
  const lines = Object.values(r.lines);
  const series = lines.map((l, i) => ({
    name: `${l.model} (rolling ${ROLLING_WEEKS} weeks)`,
    color: COLORS[i % COLORS.length]!,
    points: rolling(l.accuracy),
  }));
  const low = Math.min(...series.flatMap((s) => s.points.map((p) => p.y)));
  const marks: ChartMark[] = lines.flatMap((l) =>
    l.marks
      .filter((m) => m.kind !== 'retrain' || !l.marks.some((o) => o !== m && o.atMs === m.atMs && o.kind !== 'retrain'))
      .map((m) => ({
        x: m.atMs,
        kind: m.kind as MarkKind,
        series: series[lines.indexOf(l)]!.name,
        label: m.detail.slice(0, 160),
      })),
  );
  return lineChart(series, marks, {
    title: 'Accuracy of what was served (every request, against its true label)',
    yLabel: 'accuracy',
    yMin: Math.max(0, Math.floor((low - 0.05) * 10) / 10),
    yMax: 1,
    width: 960,
    height: 360,
  });
}

export function replayHtml(r: ReplayResult, notes: { atMs: number; text: string }[]): string {
  const rows = Object.values(r.lines)
    .map(
      (l) =>
        `<tr><th scope="row">${l.model}</th><td>${l.served}</td><td>${(l.meanAccuracy * 100).toFixed(1)}%</td>` +
        `<td>${l.retrains}</td><td>${l.promotions}</td><td>${l.rejections}</td><td>${l.rollbacks}</td></tr>`,
    )
    .join('\n');
  const story = notes
    .map((n) => `<li><time>${new Date(n.atMs).toISOString().slice(0, 10)}</time> ${esc(n.text)}</li>`)
    .join('\n');
  const span = `${new Date(r.startMs).toISOString().slice(0, 10)} – ${new Date(r.endMs).toISOString().slice(0, 10)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>refit demo: production replayed (${span})</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; color: #1f2328; max-width: 1000px; margin: 2rem auto; padding: 0 1rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #d0d7de; padding: 4px 10px; text-align: right; }
th[scope=row], thead th { text-align: left; background: #f6f8fa; }
svg { max-width: 100%; height: auto; border: 1px solid #d0d7de; }
ol { padding-left: 1.2rem; } time { color: #57606a; font-variant-numeric: tabular-nums; margin-right: .5rem; }
</style>
</head>
<body>
<h1>refit demo: production replayed</h1>
<p>Two model lines on real data (SpamAssassin, seattle-weather), ${span}, policy <code>${r.policy}</code>.
Every request went through the prediction endpoint; reviewer feedback arrived late; refit decided, retrained,
gated, promoted, monitored and rolled back on its own.</p>
<table><thead><tr><th>line</th><th>served</th><th>accuracy</th><th>retrains</th>
<th>promotions</th><th>rejections</th><th>rollbacks</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${replayChart(r)}
<h2>What happened</h2>
<ol>
${story}
</ol>
</body>
</html>
`;
}
