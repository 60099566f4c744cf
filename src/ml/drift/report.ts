/**
 * Column-wise drift between a reference and a current table, Evidently's way: per column the
 * default test for its type and size (or an override), each with its own threshold, and dataset
 * drift when the share of drifted columns reaches 0.5.
 */
import { distinct, type Value } from './binning.js';
import { DEFAULT_THRESHOLDS, runTest, type DriftMethod } from './tests.js';
import { textDrift } from './text.js';

export type ColumnKind = 'numeric' | 'categorical' | 'text';

export interface ColumnOverride {
  method?: DriftMethod;
  threshold?: number;
  kind?: ColumnKind;
}

export interface ColumnDrift {
  column: string;
  kind: ColumnKind;
  method: DriftMethod | 'text';
  statistic: number;
  pvalue: number | null;
  threshold: number;
  drift: boolean;
  referenceRows: number;
  currentRows: number;
  /** Text columns: out-of-vocabulary rate and embedding cosine similarity. */
  text?: { oovRate: number; embeddingCosine: number };
  /** Why a column was skipped (no values), instead of a verdict. */
  skipped?: string;
}

export interface DriftReport {
  columns: ColumnDrift[];
  driftedColumns: number;
  testedColumns: number;
  driftShare: number;
  shareThreshold: number;
  datasetDrift: boolean;
}

export interface DriftOptions {
  columns?: string[];
  overrides?: Record<string, ColumnOverride>;
  /** Default 0.5 (Evidently). */
  shareThreshold?: number;
  /** JS threshold for text columns. Default 0.1. */
  textThreshold?: number;
}

type Row = Record<string, unknown>;

/** Evidently's default test for a column (PRODUCT.md, "Facts from the anchors"). */
export function defaultMethod(kind: 'numeric' | 'categorical', refRows: number, nValues: number): DriftMethod {
  if (refRows <= 1000) {
    if (kind === 'numeric' && nValues > 5) return 'ks';
    return nValues > 2 ? 'chisquare' : 'z';
  }
  if (kind === 'numeric') return nValues <= 5 ? 'jensenshannon' : 'wasserstein';
  return 'jensenshannon';
}

/** Runs of whitespace in `s`, counted up to `limit` (as many as `s.split(/\s+/)` has separators). */
function whitespaceRuns(s: string, limit: number): number {
  let runs = 0;
  let inRun = false;
  for (let i = 0; i < s.length && runs < limit; i++) {
    const c = s.charCodeAt(i);
    const ws =
      c === 32 ||
      (c >= 9 && c <= 13) ||
      c === 160 ||
      c === 0x1680 ||
      (c >= 0x2000 && c <= 0x200a) ||
      c === 0x2028 ||
      c === 0x2029 ||
      c === 0x202f ||
      c === 0x205f ||
      c === 0x3000 ||
      c === 0xfeff;
    if (ws && !inRun) runs++;
    inRun = ws;
  }
  return runs;
}

export function inferKind(values: unknown[]): ColumnKind {
  let strings = 0;
  let numbers = 0;
  let longText = 0;
  for (const v of values) {
    if (typeof v === 'number') numbers++;
    else if (typeof v === 'string') {
      if (v.trim() !== '' && Number.isFinite(Number(v))) numbers++;
      else {
        strings++;
        if (whitespaceRuns(v, 3) >= 3) longText++;
      }
    } else if (typeof v === 'boolean') strings++;
  }
  if (strings === 0 && numbers > 0) return 'numeric';
  return longText > strings / 2 ? 'text' : 'categorical';
}

function present(v: unknown): boolean {
  return v !== null && v !== undefined && v !== '' && !(typeof v === 'number' && Number.isNaN(v));
}

/** A reference's column values, kept while the reference array lives (repeated checks reuse them). */
const referenceColumns = new WeakMap<Row[], Map<string, { raw: unknown[]; texts: string[] }>>();

function referenceColumn(reference: Row[], column: string): { raw: unknown[]; texts: string[] } {
  let byColumn = referenceColumns.get(reference);
  if (!byColumn) referenceColumns.set(reference, (byColumn = new Map()));
  let c = byColumn.get(column);
  if (!c) {
    const raw = reference.map((r) => r[column]).filter(present);
    byColumn.set(column, (c = { raw, texts: raw.map(String) }));
  }
  return c;
}

export function driftReport(reference: Row[], current: Row[], options: DriftOptions = {}): DriftReport {
  const columns = options.columns ?? [
    ...new Set([...reference.flatMap((r) => Object.keys(r)), ...current.flatMap((r) => Object.keys(r))]),
  ];
  const out: ColumnDrift[] = [];
  for (const column of columns) {
    const o = options.overrides?.[column] ?? {};
    const refColumn = referenceColumn(reference, column);
    const refRaw = refColumn.raw;
    const curRaw = current.map((r) => r[column]).filter(present);
    const kind = o.kind ?? inferKind([...refRaw, ...curRaw]);
    const base = { column, kind, referenceRows: refRaw.length, currentRows: curRaw.length };
    if (refRaw.length === 0 || curRaw.length === 0) {
      out.push({
        ...base,
        method: o.method ?? 'ks',
        statistic: NaN,
        pvalue: null,
        threshold: NaN,
        drift: false,
        skipped: `no values in the ${refRaw.length === 0 ? 'reference' : 'current'} data`,
      });
      continue;
    }
    if (kind === 'text') {
      const t = textDrift(refColumn.texts, curRaw.map(String));
      const threshold = o.threshold ?? options.textThreshold ?? 0.1;
      out.push({
        ...base,
        method: 'text',
        statistic: t.jensenshannon,
        pvalue: null,
        threshold,
        drift: t.jensenshannon >= threshold,
        text: { oovRate: t.oovRate, embeddingCosine: t.embeddingCosine },
      });
      continue;
    }
    const ref: Value[] = kind === 'numeric' ? refRaw.map(Number) : refRaw.map((v) => String(v));
    const cur: Value[] = kind === 'numeric' ? curRaw.map(Number) : curRaw.map((v) => String(v));
    const method = o.method ?? defaultMethod(kind, ref.length, distinct([...ref, ...cur]));
    const r = runTest(method, ref, cur, kind === 'numeric', o.threshold ?? DEFAULT_THRESHOLDS[method]);
    out.push({ ...base, method, statistic: r.statistic, pvalue: r.pvalue, threshold: r.threshold, drift: r.drift });
  }
  const tested = out.filter((c) => !c.skipped);
  const drifted = tested.filter((c) => c.drift).length;
  const shareThreshold = options.shareThreshold ?? 0.5;
  const driftShare = tested.length ? drifted / tested.length : 0;
  return {
    columns: out,
    driftedColumns: drifted,
    testedColumns: tested.length,
    driftShare,
    shareThreshold,
    datasetDrift: tested.length > 0 && driftShare >= shareThreshold,
  };
}
