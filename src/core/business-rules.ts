/**
 * Business rules: declarative predicates over (input, prediction, truth) rows with a maximum
 * violation rate — e.g. "never route urgency=high to low" or "prediction >= 0". A rule applies to
 * the rows matching `when` (all rows without it); a row violates it when it fails `require` or
 * matches `forbid`. Fields: `truth`, `prediction`, `input.NAME`. A condition is a value (equality)
 * or an object of `eq`, `ne`, `gt`, `gte`, `lt`, `lte`, `in`. Pure.
 */

export type Condition =
  | string
  | number
  | boolean
  | { eq?: unknown; ne?: unknown; gt?: number; gte?: number; lt?: number; lte?: number; in?: unknown[] };

export interface BusinessRule {
  name: string;
  when?: Record<string, Condition>;
  require?: Record<string, Condition>;
  forbid?: Record<string, Condition>;
  /** Largest share of applicable rows allowed to violate. Default 0. */
  maxViolationRate: number;
}

export interface RuleRow {
  input: Record<string, unknown>;
  prediction: unknown;
  truth: unknown;
}

export interface RuleResult {
  name: string;
  applicable: number;
  violations: number;
  rate: number;
  passed: boolean;
  reason: string;
  /** Up to 3 example violations (index into the rows). */
  examples: number[];
}

function field(row: RuleRow, name: string): unknown {
  if (name === 'truth') return row.truth;
  if (name === 'prediction') return row.prediction;
  if (name.startsWith('input.')) return row.input[name.slice(6)];
  return undefined;
}

const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN);
const same = (a: unknown, b: unknown) => a === b || String(a) === String(b);

function holds(value: unknown, c: Condition): boolean {
  if (c === null || typeof c !== 'object') return same(value, c);
  if ('eq' in c && !same(value, c.eq)) return false;
  if ('ne' in c && same(value, c.ne)) return false;
  if (c.in && !c.in.some((x) => same(value, x))) return false;
  const n = num(value);
  if (c.gt !== undefined && !(n > c.gt)) return false;
  if (c.gte !== undefined && !(n >= c.gte)) return false;
  if (c.lt !== undefined && !(n < c.lt)) return false;
  if (c.lte !== undefined && !(n <= c.lte)) return false;
  return true;
}

const all = (row: RuleRow, conds: Record<string, Condition>) =>
  Object.entries(conds).every(([f, c]) => holds(field(row, f), c));

function describe(conds: Record<string, Condition>): string {
  return Object.entries(conds)
    .map(([f, c]) =>
      c !== null && typeof c === 'object'
        ? `${f} ${Object.entries(c)
            .map(([op, v]) => `${op} ${JSON.stringify(v)}`)
            .join(' and ')}`
        : `${f} = ${JSON.stringify(c)}`,
    )
    .join(' and ');
}

export function checkBusinessRule(rule: BusinessRule, rows: RuleRow[]): RuleResult {
  let applicable = 0;
  let violations = 0;
  const examples: number[] = [];
  rows.forEach((row, i) => {
    if (rule.when && !all(row, rule.when)) return;
    applicable++;
    const bad = (rule.require && !all(row, rule.require)) || (rule.forbid && all(row, rule.forbid));
    if (bad) {
      violations++;
      if (examples.length < 3) examples.push(i);
    }
  });
  const rate = applicable ? violations / applicable : 0;
  const passed = rate <= rule.maxViolationRate;
  const what = [
    rule.when ? `when ${describe(rule.when)}` : 'on every row',
    rule.require ? `require ${describe(rule.require)}` : '',
    rule.forbid ? `never ${describe(rule.forbid)}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const reason = `business rule "${rule.name}" (${what}): ${violations} of ${applicable} rows violate it (${(rate * 100).toFixed(2)}%), ${passed ? 'within' : 'above'} the allowed ${(rule.maxViolationRate * 100).toFixed(2)}%`;
  return { name: rule.name, applicable, violations, rate, passed, reason, examples };
}
