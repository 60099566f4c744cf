/**
 * A time-series chart as inline SVG, for self-contained reports (HTML, and Markdown that embeds
 * it): lines over time on a shared y axis, date ticks, a legend, and event marks (retrain,
 * promotion, rejection, rollback) drawn on the line they belong to, each with a <title> tooltip.
 * No script and no external asset: the file renders anywhere.
 */

import { escapeHtml as esc } from './html-escape.js';

export interface SeriesPoint {
  x: number;
  y: number;
}

export interface Series {
  name: string;
  color: string;
  points: SeriesPoint[];
}

export type MarkKind = 'retrain' | 'promote' | 'reject' | 'rollback' | 'injected';

export interface ChartMark {
  x: number;
  kind: MarkKind;
  /** The series it sits on (its name). */
  series: string;
  label: string;
}

export interface ChartOptions {
  title: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Default: the data's range, padded. */
  yMin?: number;
  yMax?: number;
}

const MARK_STYLE: Record<MarkKind, { shape: string; color: string; name: string }> = {
  retrain: { shape: 'circle', color: '#555555', name: 'retrain' },
  promote: { shape: 'up', color: '#1a7f37', name: 'promoted' },
  reject: { shape: 'cross', color: '#b35900', name: 'rejected' },
  rollback: { shape: 'down', color: '#cf222e', name: 'rolled back' },
  injected: { shape: 'diamond', color: '#8250df', name: 'injected fault' },
};

const r1 = (v: number) => Math.round(v * 10) / 10;

export function lineChart(series: Series[], marks: ChartMark[], o: ChartOptions): string {
  const width = o.width ?? 900;
  const height = o.height ?? 320;
  const pad = { left: 52, right: 16, top: 34, bottom: 52 };
  const xs = series.flatMap((s) => s.points.map((p) => p.x)).concat(marks.map((m) => m.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs, x0 + 1);
  const yMin = o.yMin ?? Math.max(0, Math.min(...ys) - 0.05);
  const yMax = o.yMax ?? Math.min(1, Math.max(...ys) + 0.02);
  const sx = (x: number) => pad.left + ((x - x0) / (x1 - x0)) * (width - pad.left - pad.right);
  const sy = (y: number) => pad.top + (1 - (y - yMin) / (yMax - yMin || 1)) * (height - pad.top - pad.bottom);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(o.title)}" font-family="system-ui, sans-serif" font-size="11">`,
    `<title>${esc(o.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${pad.left}" y="18" font-size="13" font-weight="600">${esc(o.title)}</text>`,
    ...yAxis(yMin, yMax, sy, pad.left, width - pad.right, o.yLabel),
    ...xAxis(x0, x1, sx, height - pad.bottom),
  ];
  for (const s of series) {
    const d = s.points.map((p, i) => `${i ? 'L' : 'M'}${r1(sx(p.x))},${r1(sy(p.y))}`).join('');
    parts.push(
      `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.6"><title>${esc(s.name)}</title></path>`,
    );
  }
  for (const m of marks) {
    const s = series.find((x) => x.name === m.series);
    const y = s ? yAt(s.points, m.x) : yMax;
    parts.push(markShape(m, r1(sx(m.x)), r1(sy(y ?? yMax))));
  }
  parts.push(...legend(series, marks, pad.left, height - 14));
  parts.push('</svg>');
  return parts.join('\n');
}

function yAxis(yMin: number, yMax: number, sy: (y: number) => number, left: number, right: number, label: string) {
  const out: string[] = [];
  const step = niceStep((yMax - yMin) / 5);
  for (let v = Math.ceil(yMin / step) * step; v <= yMax + 1e-9; v += step) {
    const y = r1(sy(v));
    out.push(`<line x1="${left}" x2="${right}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(
      `<text x="${left - 6}" y="${y + 4}" text-anchor="end" fill="#444">${v.toFixed(step < 0.1 ? 2 : 1)}</text>`,
    );
  }
  out.push(
    `<text x="12" y="${r1(sy((yMin + yMax) / 2))}" transform="rotate(-90 12 ${r1(sy((yMin + yMax) / 2))})" text-anchor="middle" fill="#444">${esc(label)}</text>`,
  );
  return out;
}

function xAxis(x0: number, x1: number, sx: (x: number) => number, y: number) {
  const out = [`<line x1="${sx(x0)}" x2="${sx(x1)}" y1="${y}" y2="${y}" stroke="#888"/>`];
  const months = (x1 - x0) / (30 * 86_400_000);
  const every = months > 24 ? 6 : months > 8 ? 3 : 1;
  const d = new Date(x0);
  d.setUTCDate(1);
  d.setUTCHours(0, 0, 0, 0);
  for (; d.getTime() <= x1; d.setUTCMonth(d.getUTCMonth() + every)) {
    if (d.getTime() < x0) continue;
    const x = r1(sx(d.getTime()));
    const label = d.toISOString().slice(0, 7);
    out.push(`<line x1="${x}" x2="${x}" y1="${y}" y2="${y + 4}" stroke="#888"/>`);
    out.push(`<text x="${x}" y="${y + 16}" text-anchor="middle" fill="#444">${label}</text>`);
  }
  return out;
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw || 1));
  const n = raw / p;
  return (n > 5 ? 10 : n > 2 ? 5 : n > 1 ? 2 : 1) * p;
}

/** The series' value at x (the nearest point at or before it). */
function yAt(points: SeriesPoint[], x: number): number | null {
  let best: SeriesPoint | null = null;
  for (const p of points) if (p.x <= x) best = p;
  return (best ?? points[0])?.y ?? null;
}

function markShape(m: ChartMark, x: number, y: number): string {
  const st = MARK_STYLE[m.kind];
  const tip = `<title>${esc(`${new Date(m.x).toISOString().slice(0, 10)} ${m.series} ${st.name}: ${m.label}`)}</title>`;
  const attrs = `fill="${st.color}" stroke="#ffffff" stroke-width="0.8"`;
  switch (st.shape) {
    case 'circle':
      return `<circle cx="${x}" cy="${y}" r="3.2" ${attrs}>${tip}</circle>`;
    case 'up':
      return `<path d="M${x},${y - 6}L${x + 5},${y + 3}L${x - 5},${y + 3}Z" ${attrs}>${tip}</path>`;
    case 'down':
      return `<path d="M${x},${y + 6}L${x + 5},${y - 3}L${x - 5},${y - 3}Z" ${attrs}>${tip}</path>`;
    case 'diamond':
      return `<path d="M${x},${y - 6}L${x + 5},${y}L${x},${y + 6}L${x - 5},${y}Z" ${attrs}>${tip}</path>`;
    default:
      return `<path d="M${x - 4},${y - 4}L${x + 4},${y + 4}M${x + 4},${y - 4}L${x - 4},${y + 4}" stroke="${st.color}" stroke-width="2">${tip}</path>`;
  }
}

function legend(series: Series[], marks: ChartMark[], left: number, y: number): string[] {
  const out: string[] = [];
  let x = left;
  for (const s of series) {
    out.push(`<line x1="${x}" x2="${x + 18}" y1="${y - 4}" y2="${y - 4}" stroke="${s.color}" stroke-width="2"/>`);
    out.push(`<text x="${x + 22}" y="${y}">${esc(s.name)}</text>`);
    x += 34 + s.name.length * 6.5;
  }
  const kinds = [...new Set(marks.map((m) => m.kind))];
  for (const k of kinds) {
    out.push(
      markShape({ x: 0, kind: k, series: '', label: MARK_STYLE[k].name }, x + 5, y - 4).replace(
        /<title>.*<\/title>/,
        '',
      ),
    );
    out.push(`<text x="${x + 14}" y="${y}">${MARK_STYLE[k].name}</text>`);
    x += 24 + MARK_STYLE[k].name.length * 6.5;
  }
  return out;
}
