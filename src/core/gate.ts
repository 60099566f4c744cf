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
    const name = nameOf(rule);
    const v = candidate(rule.metric, rule.class);
    const c = champion ? champion(rule.metric, rule.class) : null;
    if (rule.min !== undefined || rule.max !== undefined) {
      const bounds = [
        rule.min !== undefined ? `>= ${f(rule.min)}` : '',
        rule.max !== undefined ? `<= ${f(rule.max)}` : '',
      ]
        .filter(Boolean)
        .join(' and ');
      if (v === null || Number.isNaN(v)) {
        checks.push({
          name,
          kind: 'value',
          passed: false,
          skipped: false,
          candidate: null,
          champion: c,
          reason: `${name} was not computed for the candidate, but the gate requires it ${bounds}`,
        });
      } else {
        const low = rule.min !== undefined && v < rule.min;
        const high = rule.max !== undefined && v > rule.max;
        const reason = low
          ? `${name} ${f(v)} is below the minimum ${f(rule.min!)}`
          : high
            ? `${name} ${f(v)} is above the maximum ${f(rule.max!)}`
            : `${name} ${f(v)} is ${bounds}`;
        checks.push({ name, kind: 'value', passed: !low && !high, skipped: false, candidate: v, champion: c, reason });
      }
    }
    if (rule.minChange !== undefined || rule.minRelativeChange !== undefined) {
      const better = higherIsBetter(rule);
      const need = [
        rule.minChange !== undefined ? `${better ? '+' : '−'}${f(rule.minChange)}` : '',
        rule.minRelativeChange !== undefined
          ? `${better ? '+' : '−'}${(rule.minRelativeChange * 100).toFixed(1)}%`
          : '',
      ]
        .filter(Boolean)
        .join(' and ');
      if (!champion) {
        checks.push({
          name,
          kind: 'change',
          passed: true,
          skipped: true,
          candidate: v,
          champion: null,
          reason: `${name} change vs champion skipped: there is no champion yet (first model)`,
        });
        continue;
      }
      if (v === null || Number.isNaN(v) || c === null || Number.isNaN(c)) {
        const who = v === null || Number.isNaN(v) ? 'the candidate' : 'the champion';
        checks.push({
          name,
          kind: 'change',
          passed: false,
          skipped: false,
          candidate: v,
          champion: c,
          reason: `${name} was not computed for ${who}, so its change (required ${need}) cannot be judged`,
        });
        continue;
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
      checks.push({
        name,
        kind: 'change',
        passed,
        skipped: false,
        candidate: v,
        champion: c,
        reason: `${head} ${passed ? 'meets' : 'does not meet'} the required ${need} (${better ? 'higher' : 'lower'} is better)${zero}`,
      });
    }
  }
  const failed = checks.filter((x) => !x.passed);
  const blessed = failed.length === 0;
  const summary = blessed
    ? `blessed: ${checks.filter((x) => !x.skipped).length} check(s) passed${checks.some((x) => x.skipped) ? `, ${checks.filter((x) => x.skipped).length} skipped (no champion)` : ''}`
    : `rejected: ${failed.map((x) => x.reason).join('; ')}`;
  return { blessed, checks, summary };
}

/** Adds checks computed elsewhere (business rules) to a gate report and recomputes its verdict. */
export function withChecks(report: GateReport, extra: GateCheck[]): GateReport {
  const checks = [...report.checks, ...extra];
  const failed = checks.filter((x) => !x.passed);
  const blessed = failed.length === 0;
  const skipped = checks.filter((x) => x.skipped).length;
  const summary = blessed
    ? `blessed: ${checks.length - skipped} check(s) passed${skipped ? `, ${skipped} skipped (no champion)` : ''}`
    : `rejected: ${failed.map((x) => x.reason).join('; ')}`;
  return { blessed, checks, summary };
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
