/**
 * Is the champion worse than the version it replaced by more than a margin? A one-sided
 * two-proportion z-test on online accuracy with a non-zero null difference:
 *   H0: p_prev − p_champ ≤ margin    H1: p_prev − p_champ > margin
 *   z = ((p̂_prev − p̂_champ) − margin) / √(p̂_prev(1 − p̂_prev)/n_prev + p̂_champ(1 − p̂_champ)/n_champ)
 * (unpooled: the null is not equality), p = 1 − Φ(z). A verdict needs `minSamples` reviewed
 * predictions of each version, so one unlucky window does not roll anything back.
 */
import { normSf } from '../ml/special.js';

export interface Accuracy {
  version: number;
  n: number;
  correct: number;
}

export interface DegradationVerdict {
  degraded: boolean;
  /** Enough samples on both sides for a verdict. */
  decided: boolean;
  champion: Accuracy & { accuracy: number | null };
  previous: Accuracy & { accuracy: number | null };
  drop: number | null;
  z: number | null;
  pValue: number | null;
  reason: string;
}

export function testDegradation(
  champion: Accuracy,
  previous: Accuracy,
  opts: { margin: number; alpha: number; minSamples: number },
): DegradationVerdict {
  const acc = (a: Accuracy) => (a.n > 0 ? a.correct / a.n : null);
  const c = { ...champion, accuracy: acc(champion) };
  const p = { ...previous, accuracy: acc(previous) };
  const fmt = (x: number | null) => (x === null ? '–' : x.toFixed(4));
  const base = `v${c.version} accuracy ${fmt(c.accuracy)} on ${c.n} reviewed vs v${p.version} ${fmt(p.accuracy)} on ${p.n}`;
  if (c.n < opts.minSamples || p.n < opts.minSamples) {
    return {
      degraded: false,
      decided: false,
      champion: c,
      previous: p,
      drop: null,
      z: null,
      pValue: null,
      reason: `${base}: waiting for ${opts.minSamples} reviewed predictions of each version`,
    };
  }
  const pc = c.accuracy!;
  const pp = p.accuracy!;
  const drop = pp - pc;
  const se = Math.sqrt((pp * (1 - pp)) / p.n + (pc * (1 - pc)) / c.n);
  // Both accuracies at 0 or 1 leave no variance: the observed drop decides on its own.
  const z = se === 0 ? (drop > opts.margin ? Infinity : -Infinity) : (drop - opts.margin) / se;
  const pValue = normSf(z);
  const degraded = pValue < opts.alpha;
  const verdict = degraded
    ? `degraded: drop ${drop.toFixed(4)} > margin ${opts.margin} (z ${z.toFixed(2)}, one-sided p ${pValue.toExponential(2)} < ${opts.alpha})`
    : `not degraded: drop ${drop.toFixed(4)} vs margin ${opts.margin} (z ${Number.isFinite(z) ? z.toFixed(2) : z}, p ${pValue.toFixed(4)} ≥ ${opts.alpha})`;
  return { degraded, decided: true, champion: c, previous: p, drop, z, pValue, reason: `${base}: ${verdict}` };
}
