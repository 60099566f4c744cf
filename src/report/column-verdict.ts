/**
 * One drift column's result in words — "p 3.66e-48 < 0.05: drift", "0.0389 < 0.1: no drift" —
 * the number, its comparison with the threshold and the verdict. Pure and free of Node APIs: the
 * HTML reports and the dashboard's bundle say it the same way.
 */
import type { ColumnDrift } from '../ml/drift/report.js';

const num = (x: number) => (Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(2) : x.toFixed(4));

export function columnVerdict(c: ColumnDrift): string {
  if (c.skipped) return `skipped: ${c.skipped}`;
  const verdict = c.drift ? 'drift' : 'no drift';
  if (c.pvalue !== null) return `p ${num(c.pvalue)} ${c.drift ? '<' : '≥'} ${c.threshold}: ${verdict}`;
  return `${num(c.statistic)} ${c.drift ? '≥' : '<'} ${c.threshold}: ${verdict}`;
}
