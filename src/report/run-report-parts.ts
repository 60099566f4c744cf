/**
 * What the Markdown and HTML run reports share: the title line, number formatting, the rows of
 * each table (signals, metrics with deltas, the confusion matrix, gate checks, steps) and the
 * accuracy timeline thinned to a chart's width. Each renderer only decides the markup.
 */
import type { GuardVerdict } from '../core/decide.js';
import type { RuleVerdict } from '../core/triggers.js';
import { formatDuration } from '../core/duration.js';
import type { Metrics } from '../ml/metrics/evaluate-rows.js';
import type { RunStory, TimelinePoint } from './run-story.js';

export type Cell = string;

const ICON: Record<string, string> = {
  succeeded: '✅',
  failed: '❌',
  cancelled: '⛔',
  awaiting_approval: '⏸️',
  waiting: '⏳',
  running: '🔄',
  queued: '🕒',
};

export function titleOf(s: RunStory): string {
  return `${ICON[s.run.state] ?? ''} refit · ${s.run.model} · run ${s.run.id}: ${s.run.state.replace('_', ' ')}`.trim();
}

/** Up to 4 decimals, trailing zeros dropped; "—" for none. */
export function num(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return String(Number(v.toFixed(digits)));
}

export function signed(v: number | null): string {
  if (v === null) return '—';
  const s = num(v);
  return v > 0 ? `+${s}` : s;
}

export const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
export const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function durationOf(start: number | null, end: number | null): string {
  return start !== null && end !== null ? formatDuration(end - start) : '…';
}

/** The decision's numbers: the signals it read, each rule, each guard and the budget. */
export function decisionRows(s: RunStory): { signals: Cell[][]; checks: Cell[][]; budget: string | null } {
  const d = s.decision?.details as
    | {
        signals?: Record<string, number | null>;
        rules?: RuleVerdict[];
        guards?: GuardVerdict[];
        budget?: { tokens: number; capacity: number; cost: number; allowed: boolean };
      }
    | undefined;
  const signals = Object.entries(d?.signals ?? {}).map(([k, v]) => [k, typeof v === 'number' ? num(v) : '—']);
  const checks = [
    ...(d?.rules ?? []).map((r) => [r.met ? '✓' : '✗', `trigger ${r.id}`, r.detail]),
    ...(d?.guards ?? []).map((g) => [g.ok ? '✓' : '✗', `guard ${g.name}`, g.detail]),
  ];
  const b = d?.budget;
  const budget = b
    ? `budget: ${num(b.tokens, 2)} of ${b.capacity} token(s) before the decision, a retrain costs ${b.cost}` +
      (s.run.forced ? ' (a manual trigger spends none)' : '')
    : null;
  return { signals, checks, budget };
}

export function metricRows(s: RunStory): Cell[][] {
  return (s.evaluation?.deltas ?? []).map((d) => [d.metric, num(d.candidate), num(d.champion), signed(d.delta)]);
}

/** The candidate's confusion matrix: header row of predicted labels, then one row per true label. */
export function confusionRows(m: Metrics | undefined): Cell[][] | null {
  if (!m || m.task !== 'classification') return null;
  const head = ['true ↓ / predicted →', ...m.labels];
  return [head, ...m.labels.map((l, i) => [l, ...m.confusion_matrix[i]!.map(String)])];
}

export function gateRows(s: RunStory): Cell[][] {
  const mark = (c: { skipped: boolean; passed: boolean }) =>
    c.skipped ? '⏭️ skipped' : c.passed ? '✅ pass' : '❌ fail';
  return (s.gate?.checks ?? []).map((c) => [c.name, mark(c), num(c.candidate), num(c.champion), c.reason]);
}

export function stepRows(s: RunStory): Cell[][] {
  return (s.run.steps ?? []).map((st) => [
    st.step,
    st.state,
    durationOf(st.startedMs, st.finishedMs),
    String(st.attempts),
    st.error ?? '',
  ]);
}

/** What happened after the gate, one sentence each. */
export function afterGate(s: RunStory): string[] {
  const out: string[] = [];
  if (s.version !== null) out.push(`registered ${s.run.model} v${s.version}`);
  const a = s.approval;
  if (a) out.push(`${a.verdict} by ${a.actor} at ${iso(a.atMs)}${a.reason ? `: ${a.reason}` : ''}`);
  else if (s.run.state === 'awaiting_approval') out.push(`awaiting approval: ${s.run.outcome ?? ''}`);
  if (s.deploy)
    out.push(`promoted v${s.deploy.promoted} to champion; deploy target ${s.deploy.target}: ${s.deploy.pushed}`);
  if (s.verify) out.push(`verification ${s.verify.passed ? 'passed' : 'failed'}: ${s.verify.reason}`);
  if (s.rollback) out.push(s.rollback.detail);
  return out;
}

/** At most `max` points: consecutive days pooled (reviewed-weighted) so a chart stays legible. */
export function thinned(points: TimelinePoint[], max: number): TimelinePoint[] {
  if (points.length <= max) return points;
  const per = Math.ceil(points.length / max);
  const out: TimelinePoint[] = [];
  for (let i = 0; i < points.length; i += per) {
    const group = points.slice(i, i + per);
    const total = group.reduce((n, p) => n + p.total, 0);
    const right = group.reduce((n, p) => n + p.accuracy * p.total, 0);
    out.push({ atMs: group[0]!.atMs, total, accuracy: total ? right / total : 0 });
  }
  return out;
}
