/**
 * Deterministic, stratified train/eval/test split. Per label, rows are ordered by a seeded hash of
 * their input; the test split is filled first with up to `recentTestShare` of its quota from this
 * build's new production rows (so the gate judges the world as it is now), then by hash order.
 * Rows are indices; the caller says each one's label, recency and order hash.
 */
export type SplitName = 'train' | 'eval' | 'test';

export interface SplitRows {
  rows: number[];
  label(i: number): string;
  recent(i: number): boolean;
  /** The seeded order hash; ties (practically never) fall back to the index. */
  order: Float64Array;
}

export function stratifiedSplit(
  { rows, label, recent, order }: SplitRows,
  ratios: { train: number; eval: number; test: number },
  recentTestShare: number,
): Record<SplitName, number[]> {
  const out: Record<SplitName, number[]> = { train: [], eval: [], test: [] };
  const byLabel = new Map<string, number[]>();
  for (const r of rows) {
    const l = label(r);
    const list = byLabel.get(l);
    if (list) list.push(r);
    else byLabel.set(l, [r]);
  }
  for (const l of [...byLabel.keys()].sort()) {
    const group = byLabel.get(l)!;
    group.sort((a, b) => order[a]! - order[b]! || a - b);
    const n = group.length;
    // Largest-remainder rounding keeps the total exact; a class of 1 goes to train.
    let nTest = Math.round(n * ratios.test);
    let nEval = Math.round(n * ratios.eval);
    if (nTest + nEval > n) nEval = Math.max(0, n - nTest);
    if (n - nTest - nEval < 1 && n > 0 && ratios.train > 0) {
      if (nEval > 0) nEval--;
      else if (nTest > 0) nTest--;
    }
    const taken = new Set<number>();
    const recentQuota = Math.min(Math.ceil(nTest * recentTestShare), nTest);
    for (const r of group) {
      if (taken.size >= recentQuota) break;
      if (recent(r)) (out.test.push(r), taken.add(r));
    }
    let testLeft = nTest - taken.size;
    let evalLeft = nEval;
    for (const r of group) {
      if (taken.has(r)) continue;
      if (testLeft > 0) (out.test.push(r), testLeft--);
      else if (evalLeft > 0) (out.eval.push(r), evalLeft--);
      else out.train.push(r);
    }
  }
  return out;
}
