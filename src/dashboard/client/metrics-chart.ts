/// <reference lib="dom" />
/**
 * A line's test metrics across its versions as a uPlot chart: one series per numeric metric in
 * [0, 1] (accuracy, F1, ROC AUC, …), the version number on the x axis, so a regression between
 * versions is seen at a glance.
 */
import { html } from 'htm/preact';
import type uPlot from 'uplot';
import { useUplot } from './use-uplot.js';
import type { ModelVersion } from '../../stores/versions.js';

const COLORS = ['#0969da', '#1a7f37', '#8250df', '#bc4c00', '#cf222e', '#57606a'];
const MAX_SERIES = 6;

/** Metric names with a number in at least one version, in the order they first appear. */
export function numericMetrics(versions: ModelVersion[]): string[] {
  const names: string[] = [];
  for (const v of versions)
    for (const [k, x] of Object.entries(v.metrics))
      if (typeof x === 'number' && Number.isFinite(x) && !names.includes(k)) names.push(k);
  return names;
}

export function MetricsChart({ versions, title }: { versions: ModelVersion[]; title: string }) {
  const ordered = [...versions].sort((a, b) => a.version - b.version);
  const inUnit = (m: string) => ordered.every((v) => typeof v.metrics[m] !== 'number' || Math.abs(v.metrics[m]) <= 1);
  const names = numericMetrics(ordered).filter(inUnit).slice(0, MAX_SERIES);
  const key = JSON.stringify(ordered.map((v) => [v.version, names.map((m) => v.metrics[m])]));
  const box = useUplot(() => {
    if (ordered.length < 1 || names.length === 0) return null;
    const xs = ordered.map((v) => v.version);
    const data: uPlot.AlignedData = [
      xs,
      ...names.map((m) => ordered.map((v) => (typeof v.metrics[m] === 'number' ? (v.metrics[m] as number) : null))),
    ];
    const opts: Omit<uPlot.Options, 'width'> = {
      title,
      height: 220,
      scales: { x: { time: false }, y: { range: [0, 1] } },
      axes: [{ values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? `v${t}` : '')) }, {}],
      series: [
        { label: 'version', value: (_u, v) => (v == null ? '—' : `v${v}`) },
        ...names.map((m, i) => ({ label: m, stroke: COLORS[i % COLORS.length], width: 2, points: { show: true } })),
      ],
    };
    return { opts, data };
  }, [key, title]);
  if (names.length === 0) return html`<p class="muted">No version has test metrics yet.</p>`;
  const label = `${title}: ${names.join(', ')} for ${ordered.length} version(s)`;
  return html`<div class="chart" ref=${box} role="img" aria-label=${label}></div>`;
}
