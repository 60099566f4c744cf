/**
 * Grouped bars as inline SVG: reference and current shares per bin, side by side, with a y axis in
 * percent, bin labels under the bars and a <title> tooltip on every bar. Self-contained, no script.
 */
import { escapeHtml as esc } from './html-escape.js';
import type { Distribution } from './distribution.js';

export const REFERENCE_COLOR = '#4c6ef5';
export const CURRENT_COLOR = '#e8590c';

const W = 720;
const H = 260;
const PAD = { left: 44, right: 12, top: 26, bottom: 72 };

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function yAxis(max: number, plotH: number): string[] {
  const out: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const y = PAD.top + plotH - (v / max) * plotH;
    out.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}" stroke="#eaeef2"/>`);
    out.push(`<text x="${PAD.left - 4}" y="${y + 4}" text-anchor="end" font-size="10">${pct(v)}</text>`);
  }
  return out;
}

function bar(x: number, width: number, share: number, max: number, plotH: number, color: string, tip: string) {
  const h = (share / max) * plotH;
  const y = PAD.top + plotH - h;
  const rect = `x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${width.toFixed(1)}" height="${h.toFixed(1)}"`;
  return `<rect class="bar" ${rect} fill="${color}"><title>${esc(tip)}</title></rect>`;
}

export function barChart(d: Distribution, title: string): string {
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const max = Math.max(0.01, ...d.reference, ...d.current);
  const group = plotW / d.bins.length;
  const width = Math.max(1, (group * 0.8) / 2);
  const parts = yAxis(max, plotH);
  d.bins.forEach((label, i) => {
    const x0 = PAD.left + i * group + group * 0.1;
    const tip = (side: string, s: number) => `${label} — ${side}: ${pct(s)} of ${d.unit}`;
    parts.push(bar(x0, width, d.reference[i]!, max, plotH, REFERENCE_COLOR, tip('reference', d.reference[i]!)));
    parts.push(bar(x0 + width, width, d.current[i]!, max, plotH, CURRENT_COLOR, tip('current', d.current[i]!)));
    const short = label.length > 14 ? `${label.slice(0, 13)}…` : label;
    const lx = x0 + width;
    const ly = PAD.top + plotH + 10;
    const rotate = `transform="rotate(40 ${lx.toFixed(1)} ${ly})"`;
    parts.push(`<text x="${lx.toFixed(1)}" y="${ly}" font-size="10" ${rotate}>${esc(short)}</text>`);
  });
  const legend = [
    `<rect x="${PAD.left}" y="6" width="10" height="10" fill="${REFERENCE_COLOR}"/>`,
    `<text x="${PAD.left + 14}" y="15" font-size="11">reference</text>`,
    `<rect x="${PAD.left + 84}" y="6" width="10" height="10" fill="${CURRENT_COLOR}"/>`,
    `<text x="${PAD.left + 98}" y="15" font-size="11">current</text>`,
  ];
  const label = `role="img" aria-label="${esc(title)}"`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" ${label}>
<title>${esc(title)}</title>
${[...legend, ...parts].join('\n')}
</svg>`;
}
