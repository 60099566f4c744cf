/**
 * What a drift report draws per column: reference and current shares over the same bins. Numbers
 * share Sturges bins over reference ∪ current (numpy's edges, as the tests use); categories the
 * 15 most frequent values of both sides together, the rest as "(other)"; text the 15 most
 * frequent words. Each side's shares add up to 1 (the rows with a value).
 */
import { histogram, sturgesEdges } from '../ml/drift/binning.js';
import type { ColumnKind } from '../ml/drift/report.js';

export interface Distribution {
  bins: string[];
  reference: number[];
  current: number[];
  /** What a share counts: rows, or words of a text column. */
  unit: 'rows' | 'words';
}

const TOP = 15;

const present = (v: unknown) => v !== null && v !== undefined && v !== '';

function fmtEdge(x: number): string {
  return Math.abs(x) >= 1000 || (x !== 0 && Math.abs(x) < 0.01) ? x.toPrecision(3) : String(+x.toFixed(2));
}

function numeric(ref: number[], cur: number[]): Distribution {
  const edges = sturgesEdges(ref, cur);
  const share = (xs: number[]) => histogram(xs, edges).map((n) => n / xs.length);
  const bins = edges.slice(0, -1).map((lo, i) => `${fmtEdge(lo)}–${fmtEdge(edges[i + 1]!)}`);
  return { bins, reference: share(ref), current: share(cur), unit: 'rows' };
}

function counted(ref: string[], cur: string[], unit: Distribution['unit']): Distribution {
  const count = (xs: string[]) => {
    const m = new Map<string, number>();
    for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
    return m;
  };
  const r = count(ref);
  const c = count(cur);
  const both = [...new Set([...r.keys(), ...c.keys()])];
  const weight = (k: string) => (r.get(k) ?? 0) / ref.length + (c.get(k) ?? 0) / cur.length;
  const top = both.sort((a, b) => weight(b) - weight(a) || a.localeCompare(b)).slice(0, TOP);
  const shares = (m: Map<string, number>, n: number) => top.map((k) => (m.get(k) ?? 0) / n);
  const reference = shares(r, ref.length);
  const current = shares(c, cur.length);
  const bins = [...top];
  if (both.length > TOP) {
    bins.push('(other)');
    reference.push(Math.max(0, 1 - reference.reduce((a, b) => a + b, 0)));
    current.push(Math.max(0, 1 - current.reduce((a, b) => a + b, 0)));
  }
  return { bins, reference, current, unit };
}

const words = (texts: unknown[]) =>
  texts.flatMap(
    (t) =>
      String(t)
        .toLowerCase()
        .match(/[\p{L}\p{N}']+/gu) ?? [],
  );

export function distribution(kind: ColumnKind, refValues: unknown[], curValues: unknown[]): Distribution | null {
  const ref = refValues.filter(present);
  const cur = curValues.filter(present);
  if (ref.length === 0 || cur.length === 0) return null;
  if (kind === 'numeric') return numeric(ref.map(Number), cur.map(Number));
  if (kind === 'text') {
    const [rw, cw] = [words(ref), words(cur)];
    return rw.length && cw.length ? counted(rw, cw, 'words') : null;
  }
  return counted(ref.map(String), cur.map(String), 'rows');
}
