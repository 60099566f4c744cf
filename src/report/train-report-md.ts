/**
 * An ad hoc training (`refit train MODEL`) as Markdown — what a pull request's evaluation comment
 * shows: the job, candidate against champion on the same test split with deltas, and the verdict
 * the line's gate would give.
 */
import { gateMarkdown } from '../core/gate.js';
import { metricNumber, REPORTED_METRICS } from '../core/metric-names.js';
import type { AdHocResult } from '../training/train-ad-hoc.js';
import { mdCell, mdTable } from './markdown.js';
import { num, signed } from './run-report-parts.js';

export function trainMarkdown(r: AdHocResult, title = `refit train ${r.job.model}`): string {
  const value = metricNumber;
  const rows = REPORTED_METRICS.filter((k) => value(r.metrics, k) !== null).map((k) => {
    const c = value(r.metrics, k);
    const ch = value(r.champion?.metrics, k);
    return [k, num(c), num(ch), signed(c !== null && ch !== null ? c - ch : null)];
  });
  const seconds = r.job.finishedMs ? ((r.job.finishedMs - r.job.startedMs) / 1000).toFixed(1) : '?';
  const code = r.job.codeVersion ? ` at code \`${r.job.codeVersion.slice(0, 12)}\`` : '';
  const verdict = r.gate.blessed ? '✅ the gate would bless it' : '❌ the gate would reject it';
  const champion = r.champion ? `champion v${r.champion.version}` : 'champion (none)';
  return [
    `## ${title}: ${verdict}`,
    '',
    `Trained on \`${r.job.datasetTag}\` with the **${r.job.executor}** executor in ${seconds} s${code} ` +
      `(job \`${r.job.id}\`, params \`${mdCell(JSON.stringify(r.job.params))}\`).`,
    '',
    ...mdTable(['metric', 'candidate', champion, 'Δ'], rows),
    gateMarkdown(r.gate, 'Gate'),
    r.version ? `Registered as ${r.version.model} v${r.version.version}.` : 'Not registered.',
    '',
  ].join('\n');
}
