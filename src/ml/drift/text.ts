/**
 * Text drift: the token distribution (Jensen–Shannon distance over the union vocabulary, natural
 * log), the out-of-vocabulary rate (share of current tokens never seen in the reference), and the
 * first seed's embedding check: cosine similarity between the mean hashed TF-IDF vectors of
 * reference and current.
 */
import { jensenShannon } from './tests.js';

import { tokenize } from '../tokenize.js';

export interface TextDrift {
  jensenshannon: number;
  oovRate: number;
  embeddingCosine: number;
}

const DIM = 1 << 12;

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function textDrift(ref: string[], cur: string[]): TextDrift {
  const refCounts = new Map<string, number>();
  const curCounts = new Map<string, number>();
  const docFreq = new Map<string, number>();
  const refDocs = ref.map(tokenize);
  const curDocs = cur.map(tokenize);
  for (const d of refDocs) {
    for (const t of d) refCounts.set(t, (refCounts.get(t) ?? 0) + 1);
    for (const t of new Set(d)) docFreq.set(t, (docFreq.get(t) ?? 0) + 1);
  }
  let curTokens = 0;
  let oov = 0;
  for (const d of curDocs) {
    for (const t of d) {
      curCounts.set(t, (curCounts.get(t) ?? 0) + 1);
      curTokens++;
      if (!refCounts.has(t)) oov++;
    }
  }
  const vocab = [...new Set([...refCounts.keys(), ...curCounts.keys()])];
  const js = vocab.length
    ? jensenShannon(
        vocab.map((t) => refCounts.get(t) ?? 0),
        vocab.map((t) => curCounts.get(t) ?? 0),
      )
    : 0;
  // IDF from the reference (smoothed as scikit-learn does): ln((1 + n) / (1 + df)) + 1.
  const idf = (t: string) => Math.log((1 + refDocs.length) / (1 + (docFreq.get(t) ?? 0))) + 1;
  const meanVector = (docs: string[][]) => {
    const v = new Float64Array(DIM);
    for (const d of docs) {
      if (d.length === 0) continue;
      const tf = new Map<string, number>();
      for (const t of d) tf.set(t, (tf.get(t) ?? 0) + 1);
      const row = new Map<number, number>();
      let norm = 0;
      for (const [t, n] of tf) {
        const w = n * idf(t);
        const i = fnv1a(t) % DIM;
        row.set(i, (row.get(i) ?? 0) + w);
      }
      for (const w of row.values()) norm += w * w;
      norm = Math.sqrt(norm) || 1;
      for (const [i, w] of row) v[i] = v[i]! + w / norm / docs.length;
    }
    return v;
  };
  const a = meanVector(refDocs);
  const b = meanVector(curDocs);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < DIM; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  const cosine = na && nb ? dot / Math.sqrt(na * nb) : 1;
  return { jensenshannon: js, oovRate: curTokens ? oov / curTokens : 0, embeddingCosine: cosine };
}
