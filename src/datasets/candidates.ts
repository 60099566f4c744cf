/**
 * The rows a dataset build considers, kept column-wise and without their inputs: per row its
 * source, id, label, time and confidence bucket, plus one winner per distinct input (the newest
 * row wins; this build's evidence beats a carried-over row). Inputs are hashed to a compact key
 * on the way in and fetched again only when the version is written, so memory grows with the
 * number of rows, not with the size of their inputs.
 */
import { hash53, hash53Pair } from './random.js';
import type { LineAt } from './lines.js';
import { collectGarbage, GC_EVERY } from './low-memory.js';

export type Source = 'misclassified' | 'correct' | 'example' | 'previous';
const SOURCES: Source[] = ['misclassified', 'correct', 'example', 'previous'];

export interface CandidateRow {
  source: Source;
  id: string;
  label: string;
  tsMs: number;
  bucket?: number;
}

export interface Consumed {
  feedbackIds: string[];
  exampleIds: string[];
  /** Per confidence bucket, how many rows of each kind this build consumed. */
  marks: Map<number, { misclassified: number; correct: number; examples: number }>;
}

export class Candidates {
  readonly ids: string[] = [];
  readonly ts: number[] = [];
  private readonly labelOf: number[] = [];
  private readonly sourceOf: number[] = [];
  private readonly bucketOf: number[] = [];
  private readonly labelNames: string[] = [];
  private readonly labelIndex = new Map<string, number>();
  private readonly byKey = new Map<string, number>();
  /** Where a carried-over row's line is in the previous version's files. */
  readonly carried = new Map<number, LineAt>();
  /** The union of input fields (the CSV header of tabular versions). */
  readonly fields = new Set<string>();

  get size(): number {
    return this.ids.length;
  }

  add(row: CandidateRow, input: Record<string, unknown>, at?: LineAt): void {
    const i = this.ids.length;
    if (i > 0 && i % GC_EVERY === 0) collectGarbage();
    this.ids.push(row.id);
    this.ts.push(row.tsMs);
    let l = this.labelIndex.get(row.label);
    if (l === undefined) this.labelIndex.set(row.label, (l = this.labelNames.push(row.label) - 1));
    this.labelOf.push(l);
    this.sourceOf.push(SOURCES.indexOf(row.source));
    this.bucketOf.push(row.bucket ?? 100);
    if (at) this.carried.set(i, at);
    for (const f in input) this.fields.add(f);
    const key = inputKey(input);
    const prior = this.byKey.get(key);
    if (prior === undefined || row.tsMs >= this.ts[prior]! || (this.recent(i) && !this.recent(prior)))
      this.byKey.set(key, i);
  }

  source(i: number): Source {
    return SOURCES[this.sourceOf[i]!]!;
  }

  /** The source as a number, for sorting. */
  sourceRank(i: number): number {
    return this.sourceOf[i]!;
  }

  label(i: number): string {
    return this.labelNames[this.labelOf[i]!]!;
  }

  /** From this build's new evidence (not carried over from the previous version). */
  recent(i: number): boolean {
    return this.sourceOf[i] !== 3;
  }

  /**
   * Ends collection: the winning row of each distinct input with its seeded order hash (the
   * split's deterministic shuffle). The input keys are released.
   */
  winners(seed: number): { rows: number[]; order: Float64Array } {
    const rows: number[] = [];
    const order = new Float64Array(this.size);
    for (const [key, i] of this.byKey) (rows.push(i), (order[i] = hash53(key, seed)));
    this.byKey.clear();
    return { rows, order };
  }

  consumed(): Consumed {
    const out: Consumed = { feedbackIds: [], exampleIds: [], marks: new Map() };
    for (let i = 0; i < this.size; i++) {
      const s = this.sourceOf[i]!;
      if (s === 3) continue;
      (s === 2 ? out.exampleIds : out.feedbackIds).push(this.ids[i]!);
      const b = this.bucketOf[i]!;
      const m = out.marks.get(b) ?? { misclassified: 0, correct: 0, examples: 0 };
      if (s === 0) m.misclassified++;
      else if (s === 1) m.correct++;
      else m.examples++;
      out.marks.set(b, m);
    }
    // Sorted, the tagging UPDATEs walk the primary key in order.
    out.feedbackIds.sort();
    out.exampleIds.sort();
    return out;
  }
}

/**
 * A compact stable key for an input: two independent 53-bit hashes of its canonical JSON (a
 * collision between two distinct inputs has odds of about 1 in 10^25 per pair).
 */
function inputKey(input: Record<string, unknown>): string {
  const c = canonical(input);
  return hash53Pair(c);
}

/** A stable key for an input: JSON with sorted keys. */
export function canonical(input: Record<string, unknown>): string {
  return JSON.stringify(input, Object.keys(input).sort());
}
