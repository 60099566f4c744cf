/**
 * What a replay measures per model line: the accuracy of what was served (every request, scored
 * against its true label — not only the reviewed ones), per simulated week; and the retrains,
 * promotions, rejections and rollbacks, read back from the store's decisions with their times.
 */
import type { AppContext } from '../app-context.js';
import { listDecisions } from '../stores/decisions.js';
import { listRuns } from '../stores/runs.js';

const WEEK = 7 * 86_400_000;

export interface AccuracyPoint {
  /** Start of the simulated week. */
  atMs: number;
  served: number;
  accuracy: number;
}

export interface Mark {
  atMs: number;
  kind: 'retrain' | 'promote' | 'reject' | 'rollback' | 'injected';
  detail: string;
}

export interface LineStats {
  model: string;
  retrains: number;
  promotions: number;
  rejections: number;
  rollbacks: number;
  served: number;
  /** Share of all served predictions that were right. */
  meanAccuracy: number;
  accuracy: AccuracyPoint[];
  marks: Mark[];
}

export class LineTally {
  private readonly weeks = new Map<number, { served: number; correct: number }>();
  private readonly injected: Mark[] = [];
  /** Set by a fixed every-N policy: the next tick forces a retrain of this line. */
  forceNext = false;

  constructor(readonly model: string) {}

  served(atMs: number, correct: boolean): void {
    const week = Math.floor(atMs / WEEK) * WEEK;
    const w = this.weeks.get(week) ?? { served: 0, correct: 0 };
    w.served++;
    if (correct) w.correct++;
    this.weeks.set(week, w);
  }

  mark(atMs: number, kind: Mark['kind'], detail: string): void {
    this.injected.push({ atMs, kind, detail });
  }

  async finish(app: AppContext): Promise<LineStats> {
    const decisions = await listDecisions(app.store, { model: this.model, limit: 100_000 });
    const runs = await listRuns(app.store, { model: this.model, limit: 100_000 });
    const kinds = { promote: 'promote', reject: 'reject', rollback: 'rollback' } as const;
    const marks: Mark[] = [...this.injected];
    for (const d of decisions) {
      const kind = kinds[d.action as keyof typeof kinds];
      if (kind) marks.push({ atMs: d.atMs, kind, detail: d.reason });
    }
    for (const r of runs) marks.push({ atMs: r.createdMs, kind: 'retrain', detail: r.reason });
    marks.sort((a, b) => a.atMs - b.atMs);
    const count = (k: Mark['kind']) => marks.filter((m) => m.kind === k).length;
    const accuracy = [...this.weeks]
      .sort((a, b) => a[0] - b[0])
      .map(([atMs, w]) => ({ atMs, served: w.served, accuracy: w.correct / w.served }));
    const served = accuracy.reduce((s, p) => s + p.served, 0);
    const correct = [...this.weeks.values()].reduce((s, w) => s + w.correct, 0);
    return {
      model: this.model,
      // The first champion's run is not a retrain.
      retrains: Math.max(0, runs.length - 1),
      promotions: Math.max(0, count('promote') - 1),
      rejections: count('reject'),
      rollbacks: count('rollback'),
      served,
      meanAccuracy: served ? correct / served : 0,
      accuracy,
      marks,
    };
  }
}
