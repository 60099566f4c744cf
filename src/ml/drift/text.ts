/**
 * Text drift: the token distribution (Jensen–Shannon distance over the union vocabulary, natural
 * log), the out-of-vocabulary rate (share of current tokens never seen in the reference), and the
 * first seed's embedding check: cosine similarity between the mean hashed TF-IDF vectors of
 * reference and current. Tokens are counted as 32-bit hashes (tokenize.ts's scanner, no strings
 * made); a reference's statistics are kept while its array lives, so repeated checks against the
 * same training data (the monitor's) only read the current texts.
 */
import { hashedTokens } from '../tokenize.js';
import { jensenShannon } from './tests.js';

export interface TextDrift {
  jensenshannon: number;
  oovRate: number;
  embeddingCosine: number;
}

const DIM = 1 << 12;

interface Corpus {
  docs: { buckets: Int32Array; counts: Int32Array }[];
  counts: Map<number, number>;
  docFreq: Map<number, number>;
  tokens: number;
}

interface Reference extends Corpus {
  mean: Float64Array;
}

const references = new WeakMap<string[], Reference>();

function corpus(texts: string[]): Corpus {
  const counts = new Map<number, number>();
  const docFreq = new Map<number, number>();
  let tokens = 0;
  const docs = texts.map(hashedTokens);
  for (const d of docs) {
    for (let i = 0; i < d.buckets.length; i++) {
      const t = d.buckets[i]!;
      const n = d.counts[i]!;
      counts.set(t, (counts.get(t) ?? 0) + n);
      docFreq.set(t, (docFreq.get(t) ?? 0) + 1);
      tokens += n;
    }
  }
  return { docs, counts, docFreq, tokens };
}

/** Mean of the docs' l2-normalised TF-IDF rows, hashed into DIM dimensions; IDF from the reference. */
function meanVector(c: Corpus, ref: Corpus): Float64Array {
  const v = new Float64Array(DIM);
  const nRef = ref.docs.length;
  const rowW = new Float64Array(DIM);
  const touched: number[] = [];
  for (const d of c.docs) {
    if (d.buckets.length === 0) continue;
    for (let i = 0; i < d.buckets.length; i++) {
      const t = d.buckets[i]!;
      // IDF as scikit-learn smooths it: ln((1 + n) / (1 + df)) + 1.
      const idf = Math.log((1 + nRef) / (1 + (ref.docFreq.get(t) ?? 0))) + 1;
      const j = t & (DIM - 1);
      if (rowW[j] === 0) touched.push(j);
      rowW[j] = rowW[j]! + d.counts[i]! * idf;
    }
    let norm = 0;
    for (const j of touched) norm += rowW[j]! * rowW[j]!;
    norm = Math.sqrt(norm) || 1;
    for (const j of touched) {
      v[j] = v[j]! + rowW[j]! / norm / c.docs.length;
      rowW[j] = 0;
    }
    touched.length = 0;
  }
  return v;
}

function reference(texts: string[]): Reference {
  let r = references.get(texts);
  if (!r) {
    const c = corpus(texts);
    r = { ...c, mean: meanVector(c, c) };
    references.set(texts, r);
  }
  return r;
}

export function textDrift(refTexts: string[], curTexts: string[]): TextDrift {
  const ref = reference(refTexts);
  const cur = corpus(curTexts);
  let oov = 0;
  for (const [t, n] of cur.counts) if (!ref.counts.has(t)) oov += n;
  const vocab = [...new Set([...ref.counts.keys(), ...cur.counts.keys()])];
  const js = vocab.length
    ? jensenShannon(
        vocab.map((t) => ref.counts.get(t) ?? 0),
        vocab.map((t) => cur.counts.get(t) ?? 0),
      )
    : 0;
  const a = ref.mean;
  const b = meanVector(cur, ref);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < DIM; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  const cosine = na && nb ? dot / Math.sqrt(na * nb) : 1;
  return { jensenshannon: js, oovRate: cur.tokens ? oov / cur.tokens : 0, embeddingCosine: cosine };
}
