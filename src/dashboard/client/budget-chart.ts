/// <reference lib="dom" />
/**
 * A line's retrain budget over time as a uPlot step chart: tokens left after each decision, with
 * the bucket's capacity as the ceiling, so a team sees when retraining was throttled and why.
 */
import { html } from 'htm/preact';
import uPlot from 'uplot';
import { useUplot } from './use-uplot.js';
import type { BudgetPoint } from '../../report/budget-history.js';

export function BudgetChart({ points, title }: { points: BudgetPoint[]; title: string }) {
  const key = points.length ? `${points.length}:${points.at(-1)!.atMs}` : '0';
  const box = useUplot(() => {
    if (points.length < 2) return null;
    const data: uPlot.AlignedData = [
      points.map((p) => p.atMs / 1000),
      points.map((p) => p.tokens),
      points.map((p) => p.capacity),
    ];
    const opts: Omit<uPlot.Options, 'width'> = {
      title,
      height: 180,
      scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      series: [
        {},
        { label: 'tokens', stroke: '#8250df', width: 2, paths: uPlot.paths.stepped!({ align: 1 }) },
        { label: 'capacity', stroke: '#57606a', dash: [4, 4], width: 1 },
      ],
    };
    return { opts, data };
  }, [key, title]);
  if (points.length < 2) return html`<p class="muted">Fewer than two decisions so far: no budget history to draw.</p>`;
  const last = points.at(-1)!;
  const label = `${title}: ${points.length} decisions, now ${last.tokens.toFixed(2)} of ${last.capacity} tokens`;
  return html`<div class="chart" ref=${box} role="img" aria-label=${label}></div>`;
}
