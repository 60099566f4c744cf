/**
 * Feature pipelines, fitted on the train split and saved with the model:
 *  - text: hashed word unigrams and bigrams (MurmurHash3, 2^bits buckets), TF-IDF with
 *    scikit-learn's smoothing (idf = ln((1+n)/(1+df)) + 1) and l2-normalised rows; only buckets
 *    seen in training get a column;
 *  - tabular: numeric fields standardised (train mean / population std; missing → 0), categorical
 *    fields one-hot over the values seen in training; categorical fields that look like ids
 *    (more than half the rows distinct) are left out and said so.
 */
import { hashedNgrams } from '../tokenize.js';
import type { Csr } from './sparse.js';

export type Input = Record<string, unknown>;

export interface TextFeaturizerSpec {
  kind: 'text';
  field: string;
  bits: number;
  /** column → hash bucket (columns in order of document frequency, most frequent first) */
  buckets: number[];
  idf: number[];
}

export interface TabularFeaturizerSpec {
  kind: 'tabular';
  numeric: { field: string; mean: number; std: number; column: number }[];
  categorical: { field: string; values: Record<string, number> }[];
  excluded: string[];
  width: number;
}

export type FeaturizerSpec = TextFeaturizerSpec | TabularFeaturizerSpec;

export function width(spec: FeaturizerSpec): number {
  return spec.kind === 'text' ? spec.idf.length : spec.width;
}

/** Fits the text featurizer and transforms the same rows, hashing every document once. */
export function fitTransformText(inputs: Input[], field = 'text', bits = 20, minDf = 1): { spec: TextFeaturizerSpec; X: Csr } {
  const df = new Int32Array(1 << bits);
  const docs = inputs.map((x) => hashedNgrams(String(x[field] ?? ''), bits));
  for (const doc of docs) for (const b of doc.buckets) df[b]!++;
  const n = inputs.length;
  // Columns in order of document frequency, most frequent first (ties by bucket), by counting
  // sort: the columns that carry most non-zeros then sit together in memory.
  const floor = Math.max(1, minDf);
  const byDf = new Int32Array(n + 2);
  for (let b = 0; b < df.length; b++) if (df[b]! >= floor) byDf[n - df[b]! + 1]!++;
  for (let f = 1; f < byDf.length; f++) byDf[f] = byDf[f]! + byDf[f - 1]!;
  const kept = new Int32Array(byDf[n + 1]!);
  for (let b = 0; b < df.length; b++) if (df[b]! >= floor) kept[byDf[n - df[b]!]!++] = b;
  const idf = new Array<number>(kept.length);
  for (let c = 0; c < kept.length; c++) idf[c] = Math.log((1 + n) / (1 + df[kept[c]!]!)) + 1;
  const spec: TextFeaturizerSpec = { kind: 'text', field, bits, buckets: Array.from(kept), idf };
  return { spec, X: textRows(spec, docs) };
}

/** TF-IDF rows, l2-normalised; buckets without a column are left out. */
function textRows(spec: TextFeaturizerSpec, docs: { buckets: Int32Array; counts: Int32Array }[]): Csr {
  const lookup = columnLookup(spec);
  const idf = Float64Array.from(spec.idf);
  const indptr = new Int32Array(docs.length + 1);
  let nnz = 0;
  for (const d of docs) nnz += d.buckets.length;
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  let p = 0;
  docs.forEach(({ buckets, counts }, i) => {
    const start = p;
    let norm = 0;
    for (let k = 0; k < buckets.length; k++) {
      const c = lookup[buckets[k]!]!;
      if (c < 0) continue;
      const v = counts[k]! * idf[c]!;
      indices[p] = c;
      values[p++] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm) || 1;
    for (let q = start; q < p; q++) values[q] = values[q]! / norm;
    indptr[i + 1] = p;
  });
  return { rows: docs.length, cols: spec.idf.length, indptr, indices: indices.slice(0, p), values: values.slice(0, p) };
}

export function fitTabular(inputs: Input[]): TabularFeaturizerSpec {
  const fields = [...new Set(inputs.flatMap((x) => Object.keys(x)))].sort();
  const numeric: TabularFeaturizerSpec['numeric'] = [];
  const categorical: TabularFeaturizerSpec['categorical'] = [];
  const excluded: string[] = [];
  let col = 0;
  for (const f of fields) {
    const vals = inputs.map((x) => x[f]).filter((v) => v !== null && v !== undefined && v !== '');
    const nums = vals.map((v) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN));
    if (vals.length > 0 && nums.every((v) => Number.isFinite(v))) {
      const mean = nums.reduce((a, b) => a + b, 0) / nums.length;
      const std = Math.sqrt(nums.reduce((a, b) => a + (b - mean) ** 2, 0) / nums.length) || 1;
      numeric.push({ field: f, mean, std, column: col++ });
      continue;
    }
    const distinct = [...new Set(vals.map(String))].sort();
    if (distinct.length > Math.max(20, inputs.length / 2)) {
      excluded.push(f);
      continue;
    }
    // No prototype: a value such as "constructor" is a key like any other.
    const values: Record<string, number> = Object.create(null);
    for (const v of distinct) values[v] = col++;
    categorical.push({ field: f, values });
  }
  return { kind: 'tabular', numeric, categorical, excluded, width: col };
}

const lookups = new WeakMap<TextFeaturizerSpec, Int32Array>();

/** bucket → column (−1 when the bucket has no column), built once per featurizer. */
function columnLookup(spec: TextFeaturizerSpec): Int32Array {
  let l = lookups.get(spec);
  if (!l) {
    l = new Int32Array(1 << spec.bits).fill(-1);
    spec.buckets.forEach((b, c) => (l![b] = c));
    lookups.set(spec, l);
  }
  return l;
}

export function transform(spec: FeaturizerSpec, inputs: Input[]): Csr {
  if (spec.kind === 'text') return textRows(spec, inputs.map((x) => hashedNgrams(String(x[spec.field] ?? ''), spec.bits)));
  // At most one entry per numeric field and one per categorical field in a row.
  const per = spec.numeric.length + spec.categorical.length;
  const indptr = new Int32Array(inputs.length + 1);
  const indices = new Int32Array(inputs.length * per);
  const values = new Float64Array(inputs.length * per);
  let p = 0;
  inputs.forEach((x, i) => {
    for (const n of spec.numeric) {
      const raw = x[n.field];
      const v = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      const z = Number.isFinite(v) ? (v - n.mean) / n.std : 0;
      if (z === 0) continue;
      indices[p] = n.column;
      values[p++] = z;
    }
    for (const c of spec.categorical) {
      const key = String(x[c.field]);
      if (!Object.hasOwn(c.values, key)) continue;
      const col = c.values[key]!;
      indices[p] = col;
      values[p++] = 1;
    }
    indptr[i + 1] = p;
  });
  return { rows: inputs.length, cols: width(spec), indptr, indices: indices.slice(0, p), values: values.slice(0, p) };
}
