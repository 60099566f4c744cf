/**
 * What refit checks on the holdout besides the metrics: business rules over (input, prediction,
 * truth) rows and per-slice metrics (by an input field's value).
 */
import { checkBusinessRule, type BusinessRule, type RuleResult } from '../core/business-rules.js';
import type { GateCheck } from '../core/gate.js';
import { metricsFromRows } from '../ml/metrics/evaluate-rows.js';

export interface HoldoutRow {
  input: Record<string, unknown>;
  label: string;
  prediction: string | number;
}

export interface SliceMetrics {
  field: string;
  value: string;
  n: number;
  metrics: Record<string, number | null>;
}

export function ruleChecks(rules: BusinessRule[], rows: HoldoutRow[]): { results: RuleResult[]; checks: GateCheck[] } {
  const results = rules.map((r) =>
    checkBusinessRule(
      r,
      rows.map((x) => ({ input: x.input, prediction: x.prediction, truth: x.label })),
    ),
  );
  return {
    results,
    checks: results.map((r) => ({
      name: `rule:${r.name}`,
      kind: 'rule',
      passed: r.passed,
      skipped: false,
      candidate: r.rate,
      champion: null,
      reason: r.reason,
    })),
  };
}

export function sliceMetrics(
  fields: string[],
  rows: HoldoutRow[],
  task: 'classification' | 'regression',
): SliceMetrics[] {
  const out: SliceMetrics[] = [];
  for (const field of fields) {
    const groups = new Map<string, HoldoutRow[]>();
    for (const r of rows) {
      const v = String(r.input[field] ?? '(missing)');
      groups.set(v, [...(groups.get(v) ?? []), r]);
    }
    for (const [value, group] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const m = metricsFromRows(
        group.map((g) => ({ label: g.label, prediction: g.prediction })),
        task,
        `slice ${field}=${value}`,
      );
      const pick: Record<string, number | null> =
        m.task === 'classification'
          ? { accuracy: m.accuracy, f1_macro: m.f1_macro, balanced_accuracy: m.balanced_accuracy }
          : { mae: m.mae, rmse: m.rmse, r2: m.r2 };
      out.push({ field, value, n: group.length, metrics: pick });
    }
  }
  return out;
}
