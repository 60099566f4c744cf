/**
 * The gate a candidate must pass (TFX Evaluator / MLflow MetricThreshold semantics):
 *  - value threshold: passes when `min <= v <= max` (inclusive);
 *  - change threshold against the champion: `diff = v_candidate − v_champion`,
 *    `ratio = diff / v_champion`; higher-is-better passes when `diff >= min_change` and
 *    `ratio >= min_relative_change`; lower-is-better when `diff <= −min_change` and
 *    `ratio <= −min_relative_change`. A zero champion value gives ratio +∞ / 0 / −∞ by the sign
 *    of diff, and the reason says so;
 *  - a configured metric that is missing fails; without a champion (first model) change checks
 *    are skipped and the report says so.
 * Every check has one readable reason with its numbers. Pure.
 */
import { DRIFT_SHARE } from './metric-names.js';

export interface GateRule {
  metric: string;
  /** Per-class metric (precision / recall / f1 of one label). */
  class?: string;
  min?: number;
  max?: number;
  minChange?: number;
  minRelativeChange?: number;
  /** Default by metric: false for log_loss, brier, mae, rmse, mape; true otherwise. */
  higherIsBetter?: boolean;
}

export interface GateCheck {
  name: string;
  kind: 'value' | 'change' | 'rule';
  passed: boolean;
  skipped: boolean;
  candidate: number | null;
  champion: number | null;
  reason: string;
}

export interface GateReport {
  blessed: boolean;
  checks: GateCheck[];
  /** One sentence: blessed, or rejected with the failed checks' reasons. */
  summary: string;
}

export type MetricLookup = (metric: string, cls?: string) => number | null;

const LOWER_IS_BETTER = new Set(['log_loss', 'brier', 'mae', 'rmse', 'mape']);

export function higherIsBetter(rule: GateRule): boolean {
  return rule.higherIsBetter ?? !LOWER_IS_BETTER.has(rule.metric);
}

const nameOf = (r: GateRule) => (r.class !== undefined ? `${r.metric}[${r.class}]` : r.metric);
/** Up to 6 significant digits: enough to see why 0.7999 fails a minimum of 0.8. */
const f = (v: number) => String(Number(v.toPrecision(6)));
const pct = (r: number) =>
  Number.isFinite(r) ? `${r >= 0 ? '+' : '−'}${Math.abs(r * 100).toFixed(1)}%` : r > 0 ? '+∞%' : '−∞%';

export function evaluateGate(rules: GateRule[], candidate: MetricLookup, champion: MetricLookup | null): GateReport {
  const checks: GateCheck[] = [];
  for (const rule of rules) {
    const v = candidate(rule.metric, rule.class);
    const c = champion ? champion(rule.metric, rule.class) : null;
    if (rule.min !== undefined || rule.max !== undefined) checks.push(valueCheck(rule, v, c));
    if (rule.minChange !== undefined || rule.minRelativeChange !== undefined) {
      checks.push(champion ? changeCheck(rule, v, c) : firstModelSkip(rule, v));
    }
  }
  return verdict(checks);
}

/** Adds checks computed elsewhere (business rules) to a gate report and recomputes its verdict. */
export function withChecks(report: GateReport, extra: GateCheck[]): GateReport {
  return verdict([...report.checks, ...extra]);
}

/**
 * The rules without their drift_share ones, and a skipped check per drift_share rule saying why
 * (no dataset to compare with the champion's): for a first model and for ad hoc training.
 */
export function withoutDriftShare(rules: GateRule[], why: string): { judged: GateRule[]; skipped: GateCheck[] } {
  const skipped: GateCheck[] = rules
    .filter((r) => r.metric === DRIFT_SHARE)
    .map(() => ({
      name: DRIFT_SHARE,
      kind: 'value',
      passed: true,
      skipped: true,
      candidate: null,
      champion: null,
      reason: `drift_share skipped: ${why}`,
    }));
  return { judged: rules.filter((r) => r.metric !== DRIFT_SHARE), skipped };
}

/** What no gate configured means, said loudly: every candidate passes. */
export const NO_GATE = 'no gate is configured (models.<line>.gate is empty): every candidate is blessed';

function verdict(checks: GateCheck[]): GateReport {
  const failed = checks.filter((x) => !x.passed);
  const blessed = failed.length === 0;
  const skipped = checks.filter((x) => x.skipped).length;
  const passedN = checks.length - skipped;
  let summary: string;
  if (!blessed) summary = `rejected: ${failed.map((x) => x.reason).join('; ')}`;
  else if (checks.length === 0) summary = `blessed, but ${NO_GATE}`;
  else summary = `blessed: ${passedN} check(s) passed${skipped ? `, ${skipped} skipped (no champion)` : ''}`;
  return { blessed, checks, summary };
}

function valueCheck(rule: GateRule, v: number | null, c: number | null): GateCheck {
  const name = nameOf(rule);
  const bounds = [rule.min !== undefined ? `>= ${f(rule.min)}` : '', rule.max !== undefined ? `<= ${f(rule.max)}` : '']
    .filter(Boolean)
    .join(' and ');
  const base = { name, kind: 'value' as const, skipped: false, champion: c };
  if (v === null || Number.isNaN(v)) {
    const reason = `${name} was not computed for the candidate, but the gate requires it ${bounds}`;
    return { ...base, passed: false, candidate: null, reason };
  }
  const low = rule.min !== undefined && v < rule.min;
  const high = rule.max !== undefined && v > rule.max;
  let reason = `${name} ${f(v)} is ${bounds}`;
  if (low) reason = `${name} ${f(v)} is below the minimum ${f(rule.min!)}`;
  if (high) reason = `${name} ${f(v)} is above the maximum ${f(rule.max!)}`;
  return { ...base, passed: !low && !high, candidate: v, reason };
}

function firstModelSkip(rule: GateRule, v: number | null): GateCheck {
  const name = nameOf(rule);
  const reason = `${name} change vs champion skipped: there is no champion yet (first model)`;
  return { name, kind: 'change', passed: true, skipped: true, candidate: v, champion: null, reason };
}

function changeCheck(rule: GateRule, v: number | null, c: number | null): GateCheck {
  const name = nameOf(rule);
  const better = higherIsBetter(rule);
  const sign = better ? '+' : '−';
  const need = [
    rule.minChange !== undefined ? `${sign}${f(rule.minChange)}` : '',
    rule.minRelativeChange !== undefined ? `${sign}${(rule.minRelativeChange * 100).toFixed(1)}%` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const base = { name, kind: 'change' as const, skipped: false, candidate: v, champion: c };
  if (v === null || Number.isNaN(v) || c === null || Number.isNaN(c)) {
    const who = v === null || Number.isNaN(v) ? 'the candidate' : 'the champion';
    return {
      ...base,
      passed: false,
      reason: `${name} was not computed for ${who}, so its change (required ${need}) cannot be judged`,
    };
  }
  const diff = v - c;
  const ratio = c === 0 ? (diff > 0 ? Infinity : diff < 0 ? -Infinity : 0) : diff / Math.abs(c);
  const absOk = rule.minChange === undefined || (better ? diff >= rule.minChange : diff <= -rule.minChange);
  const relOk =
    rule.minRelativeChange === undefined ||
    (better ? ratio >= rule.minRelativeChange : ratio <= -rule.minRelativeChange);
  const passed = absOk && relOk;
  const zero =
    c === 0 && rule.minRelativeChange !== undefined
      ? ' (champion value 0: relative change taken as ±∞ by the sign of the difference)'
      : '';
  const head = `${name} ${f(v)} vs champion ${f(c)}: ${diff >= 0 ? '+' : '−'}${f(Math.abs(diff))} (${pct(ratio)})`;
  const judged = `${passed ? 'meets' : 'does not meet'} the required ${need} (${better ? 'higher' : 'lower'} is better)`;
  return { ...base, passed, reason: `${head} ${judged}${zero}` };
}

/** The gate report as Markdown (job summaries, PR comments, files next to the JSON). */
export function gateMarkdown(report: GateReport, title = 'Gate'): string {
  const mark = (c: GateCheck) => (c.skipped ? '⏭️ skipped' : c.passed ? '✅ pass' : '❌ fail');
  const cell = (v: number | null) => (v === null ? '—' : String(Number(v.toPrecision(6))));
  return [
    `### ${title}: ${report.blessed ? 'blessed' : 'rejected'}`,
    '',
    report.summary,
    '',
    '| check | result | candidate | champion | reason |',
    '|---|---|---|---|---|',
    ...report.checks.map(
      (c) =>
        `| ${c.name} | ${mark(c)} | ${cell(c.candidate)} | ${cell(c.champion)} | ${c.reason.replace(/\|/g, '\\|')} |`,
    ),
    '',
  ].join('\n');
}
