/// <reference lib="dom" />
/**
 * A line's online accuracy over time as a uPlot chart, with its retrain, promotion, rejection and
 * rollback marks as point series, so what refit did is drawn where it happened.
 */
import { html } from 'htm/preact';
import type uPlot from 'uplot';
import { useUplot } from './use-uplot.js';
import type { RunStory } from '../../report/run-story.js';

type Timeline = RunStory['timeline'];

const MARKS = [
  { kind: 'promote', label: 'promoted', color: '#1a7f37' },
  { kind: 'reject', label: 'rejected', color: '#bc4c00' },
  { kind: 'rollback', label: 'rolled back', color: '#cf222e' },
] as const;

/** Days of reviewed predictions behind each point: one day's handful of reviews is noise. */
const WINDOW_DAYS = 28;
const DAY_MS = 86_400_000;

/** Accuracy over the reviewed predictions of the trailing window, weighted by each day's count. */
function rolling(t: Timeline): number[] {
  // One pass with a sliding window over the days (they come in time order).
  const out: number[] = [];
  let from = 0;
  let total = 0;
  let correct = 0;
  for (const p of t.points) {
    total += p.total;
    correct += p.accuracy * p.total;
    while (t.points[from]!.atMs <= p.atMs - WINDOW_DAYS * DAY_MS) {
      total -= t.points[from]!.total;
      correct -= t.points[from]!.accuracy * t.points[from]!.total;
      from++;
    }
    out.push(total > 0 ? correct / total : p.accuracy);
  }
  return out;
}

function seriesOf(t: Timeline): uPlot.AlignedData {
  const xs = t.points.map((p) => p.atMs / 1000);
  const accuracy = rolling(t);
  const day = 86_400;
  const marks = MARKS.map((m) =>
    xs.map((x, i) =>
      t.marks.some((k) => k.kind === m.kind && Math.abs(k.atMs / 1000 - x) < day) ? accuracy[i]! : null,
    ),
  );
  return [xs, accuracy, ...marks];
}

export function AccuracyChart({ timeline, title }: { timeline: Timeline; title: string }) {
  const box = useUplot(() => {
    if (timeline.points.length < 2) return null;
    const opts: Omit<uPlot.Options, 'width'> = {
      title,
      height: 220,
      scales: { y: { range: [0, 1] } },
      axes: [{}, { values: (_u, ticks) => ticks.map((v) => `${Math.round(v * 100)}%`) }],
      series: [
        {},
        {
          label: 'online accuracy',
          stroke: '#0969da',
          width: 2,
          value: (_u, v) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`),
        },
        ...MARKS.map((m) => ({
          label: m.label,
          stroke: m.color,
          width: 0,
          points: { show: true, size: 9, fill: m.color },
        })),
      ],
    };
    return { opts, data: seriesOf(timeline) };
  }, [timeline, title]);
  if (timeline.points.length < 2)
    return html`<p class="muted">Not enough reviewed predictions yet to draw ${title}.</p>`;
  return html`<div class="chart" ref=${box} role="img" aria-label=${`${title}: ${timeline.points.length} days`}></div>`;
}
