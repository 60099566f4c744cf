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
export function fitTransformText(
  inputs: Input[],
  field = 'text',
  bits = 20,
  minDf = 1,
): { spec: TextFeaturizerSpec; X: Csr } {
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
  const n = inputs.length;
  const seen = new Set<string>();
  // for…in over plain data rows: their own fields (and far faster than Object.keys per row)
  for (let i = 0; i < n; i++) for (const f in inputs[i]) seen.add(f);
  const fields = [...seen].sort();
  const numeric: TabularFeaturizerSpec['numeric'] = [];
  const categorical: TabularFeaturizerSpec['categorical'] = [];
  const excluded: string[] = [];
  const nums = new Float64Array(n);
  let col = 0;
  for (const f of fields) {
    // The field's present values as numbers, as long as they all are.
    let count = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const v = inputs[i]![f];
      if (v === null || v === undefined || v === '') continue;
      const num = toNumber(v);
      if (!Number.isFinite(num)) {
        count = -1;
        break;
      }
      nums[count++] = num;
      sum += num;
    }
    if (count > 0) {
      const mean = sum / count;
      let squares = 0;
      for (let i = 0; i < count; i++) squares += (nums[i]! - mean) ** 2;
      numeric.push({ field: f, mean, std: Math.sqrt(squares / count) || 1, column: col++ });
      continue;
    }
    const present = new Set<string>();
    for (let i = 0; i < n; i++) {
      const v = inputs[i]![f];
      if (v !== null && v !== undefined && v !== '') present.add(String(v));
    }
    const distinct = [...present].sort();
    if (distinct.length > Math.max(20, n / 2)) {
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

/** A numeric field's value: numbers as they are, numeric strings parsed, anything else NaN. */
function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
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
  if (spec.kind === 'text')
    return textRows(
      spec,
      inputs.map((x) => hashedNgrams(String(x[spec.field] ?? ''), spec.bits)),
    );
  // At most one entry per numeric field and one per categorical field in a row.
  const { numeric, categorical } = spec;
  const fields = numeric.map((f) => f.field);
  const means = numeric.map((f) => f.mean);
  const stds = numeric.map((f) => f.std);
  const columns = numeric.map((f) => f.column);
  const per = numeric.length + categorical.length;
  const indptr = new Int32Array(inputs.length + 1);
  const indices = new Int32Array(inputs.length * per);
  const values = new Float64Array(inputs.length * per);
  let p = 0;
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i]!;
    for (let j = 0; j < fields.length; j++) {
      const v = toNumber(x[fields[j]!]);
      const z = Number.isFinite(v) ? (v - means[j]!) / stds[j]! : 0;
      if (z === 0) continue;
      indices[p] = columns[j]!;
      values[p++] = z;
    }
    for (let j = 0; j < categorical.length; j++) {
      const c = categorical[j]!;
      const key = String(x[c.field]);
      if (!Object.hasOwn(c.values, key)) continue;
      indices[p] = c.values[key]!;
      values[p++] = 1;
    }
    indptr[i + 1] = p;
  }
  return { rows: inputs.length, cols: width(spec), indptr, indices: indices.slice(0, p), values: values.slice(0, p) };
}
