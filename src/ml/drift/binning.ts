/**
 * Evidently's `get_binned_data`: shares per bin for reference and current. Numeric columns whose
 * reference has more than 20 distinct values use numpy's Sturges edges over reference ∪ current
 * and numpy's histogram bin assignment; otherwise one bin per value. With `fillZeros`, empty bins
 * get 0.0001, or min/1e6 when the smallest non-zero share is <= 0.0001.
 */

export type Value = number | string | boolean;

/** Keys in Evidently's order: current's unique values, then reference's new ones. */
export function unionKeys(ref: Value[], cur: Value[]): Value[] {
  const seen = new Set<Value>();
  const out: Value[] = [];
  for (const v of cur) if (!seen.has(v)) (seen.add(v), out.push(v));
  for (const v of ref) if (!seen.has(v)) (seen.add(v), out.push(v));
  return out;
}

export function distinct(xs: ArrayLike<Value>): number {
  const seen = new Set<Value>();
  for (let i = 0; i < xs.length; i++) seen.add(xs[i]!);
  return seen.size;
}

/** Whether there are more than `limit` distinct values (stops counting early). */
function moreDistinctThan(xs: ArrayLike<Value>, limit: number): boolean {
  const seen = new Set<Value>();
  for (let i = 0; i < xs.length; i++) {
    seen.add(xs[i]!);
    if (seen.size > limit) return true;
  }
  return false;
}

export function binnedShares(
  ref: Value[],
  cur: Value[],
  numeric: boolean,
  fillZeros: boolean,
): { ref: number[]; cur: number[] } {
  let r: number[];
  let c: number[];
  if (numeric && moreDistinctThan(ref, 20)) {
    const edges = sturgesEdges(ref as number[], cur as number[]);
    r = histogram(ref as number[], edges).map((n) => n / ref.length);
    c = histogram(cur as number[], edges).map((n) => n / cur.length);
  } else {
    const keys = unionKeys(ref, cur);
    const rc = new Map<Value, number>();
    const cc = new Map<Value, number>();
    for (const v of ref) rc.set(v, (rc.get(v) ?? 0) + 1);
    for (const v of cur) cc.set(v, (cc.get(v) ?? 0) + 1);
    r = keys.map((k) => (rc.get(k) ?? 0) / ref.length);
    c = keys.map((k) => (cc.get(k) ?? 0) / cur.length);
  }
  if (fillZeros) {
    r = fill(r);
    c = fill(c);
  }
  return { ref: r, cur: c };
}

function fill(xs: number[]): number[] {
  const nz = xs.filter((x) => x !== 0);
  if (nz.length === 0) return xs;
  const min = Math.min(...nz);
  const v = min <= 0.0001 ? min / 1e6 : 0.0001;
  return xs.map((x) => (x === 0 ? v : x));
}

/** numpy.histogram_bin_edges(x, bins='sturges'). */
export function sturgesEdges(a: ArrayLike<number>, b: ArrayLike<number> = []): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const xs of [a, b]) {
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  const width = (hi - lo) / (Math.log2(a.length + b.length) + 1);
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const n = width ? Math.ceil((hi - lo) / width) : 1;
  // numpy.linspace: i × step + start, the last edge set to stop.
  const step = (hi - lo) / n;
  const edges: number[] = [];
  for (let i = 0; i <= n; i++) edges.push(i * step + lo);
  edges[n] = hi;
  return edges;
}

/** numpy.histogram(x, edges) for uniform edges: the last bin is closed. */
export function histogram(xs: ArrayLike<number>, edges: number[]): number[] {
  const n = edges.length - 1;
  const first = edges[0]!;
  const last = edges[n]!;
  const norm = n / (last - first);
  const out = new Array<number>(n).fill(0);
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k]!;
    if (x < first || x > last) continue;
    let i = Math.floor((x - first) * norm);
    if (i === n) i--;
    if (x < edges[i]!) i--;
    else if (i !== n - 1 && x >= edges[i + 1]!) i++;
    out[i]!++;
  }
  return out;
}
